/**
 * String keys and the slots they are kept in: numbers from 0 up, for arrays by slot beside this,
 * a removed key's slot given to the next key added. Not a Map<string, number>: past maxKeys every
 * line looks up a new key, adds it and removes the least recently seen, and V8's Map compares a
 * bucket's keys by loading each key's string (its hash is in the string's header), a cache miss
 * each once the keys outgrow the caches (a bare Map under that pattern: 4.8× slower per line at
 * 100,000 keys than at 1,000). Here an open-addressing table (linear probing, at most half full)
 * holds each key's hash beside its slot, so a probe reads the table alone, and a removal finds its
 * entry from the hash kept by slot, not from the string.
 *
 * The keys come from syslog messages off the network: an attacker chooses them, and keys sharing a
 * place would make every probe walk them all (hash flooding: O(n) an operation, the analyzer
 * stalled). So the hash is HalfSipHash-1-3 (half-siphash.ts), Linux's hsiphash for hash tables on
 * 32-bit machines, with a 64-bit key drawn once per process: SipHash (Aumasson and Bernstein, 2012)
 * is a keyed PRF designed against hash flooding, where seeded non-cryptographic hashes (MurmurHash,
 * CityHash) have multicollisions that hold whatever the seed ("Hash-flooding DoS reloaded",
 * Aumasson, Bernstein and Boßlet, 2012); this table's FNV-1a with a random seed and MurmurHash3's
 * finalizer, before, had nothing to show it was not one of them. Written by hand: npm's `siphash`
 * (jedisct1/siphash-js, 64-bit SipHash) encodes a string to bytes first and emulates each 64-bit
 * word with objects, allocations per lookup in the hot path. What it costs: src/analyzer/README.md,
 * Scaling (within 0.05 µs a line of FNV-1a's at 100,000 keys, a new key being hashed once).
 */
import { getRandomValues } from 'node:crypto';
import { halfSipHash13 } from './half-siphash.js';
import { grown } from './typed-arrays.js';

/**
 * The hash's key, from the system's CSPRNG (not Math.random, whose state can be reconstructed from
 * its outputs), once per process: without it, which keys share a place cannot be foreseen.
 */
const KEY = getRandomValues(new Int32Array(2));
const KEY0 = KEY[0]!;
const KEY1 = KEY[1]!;

export class KeySlots {
  private readonly keys: (string | undefined)[] = [];
  /** By slot: its key's hash. */
  private hashes = new Int32Array(64);
  private readonly freeSlots: number[] = [];
  /** Pairs (hash, slot + 1), a slot + 1 of 0 an empty place; its length is twice a power of 2. */
  private table = new Int32Array(2 * 64);
  private mask = 63;
  private count = 0;
  /**
   * The key slotOf last did not find, and its hash: add() nearly always follows with that key (or
   * a copy), and need not hash it again. Compared by value, so a stale one is harmless; add forgets
   * it, and until then it keeps at most one log line's view alive per table (a miss of
   * knownValues(), for one, adds nothing).
   */
  private missedKey: string | undefined;
  private missedHash = 0;

  get size(): number {
    return this.count;
  }

  /** The key's slot, or -1 when it is not kept. */
  slotOf(key: string): number {
    const hash = hashOf(key);
    const { table, mask } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const slot = table[2 * at + 1]! - 1;
      if (slot < 0) {
        this.missedKey = key;
        this.missedHash = hash;
        return -1;
      }
      if (table[2 * at] === hash && this.keys[slot] === key) return slot;
    }
  }

  /** Adds a key not kept yet and returns its slot. */
  add(key: string): number {
    if (2 * (this.count + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    const slot = this.freeSlots.pop() ?? this.newSlot();
    const hash = key === this.missedKey ? this.missedHash : hashOf(key);
    this.missedKey = undefined;
    this.keys[slot] = key;
    this.hashes[slot] = hash;
    this.place(hash, slot);
    this.count++;
    return slot;
  }

  /** Removes the key in `slot` and returns it. */
  remove(slot: number): string {
    const key = this.keys[slot]!;
    const { table, mask } = this;
    let hole = this.hashes[slot]! & mask;
    while (table[2 * hole + 1] !== slot + 1) hole = (hole + 1) & mask;
    // Backward-shift deletion: the entries after the hole, up to an empty place, move back into it
    // unless their own place lies after the hole (a probe for them would then stop at the hole).
    for (let at = (hole + 1) & mask; table[2 * at + 1] !== 0; at = (at + 1) & mask) {
      const home = table[2 * at]! & mask;
      if (((at - home) & mask) < ((at - hole) & mask)) continue;
      table[2 * hole] = table[2 * at]!;
      table[2 * hole + 1] = table[2 * at + 1]!;
      hole = at;
    }
    table[2 * hole] = table[2 * hole + 1] = 0;
    this.keys[slot] = undefined;
    this.freeSlots.push(slot);
    this.count--;
    return key;
  }

  private newSlot(): number {
    const slot = this.keys.length;
    this.keys.push(undefined);
    if (slot === this.hashes.length) this.hashes = grown(this.hashes, 2 * slot);
    return slot;
  }

  private place(hash: number, slot: number): void {
    const { table, mask } = this;
    let at = hash & mask;
    while (table[2 * at + 1] !== 0) at = (at + 1) & mask;
    table[2 * at] = hash;
    table[2 * at + 1] = slot + 1;
  }

  private rehash(places: number): void {
    const old = this.table;
    this.table = new Int32Array(2 * places);
    this.mask = places - 1;
    for (let at = 1; at < old.length; at += 2) if (old[at] !== 0) this.place(old[at - 1]!, old[at]! - 1);
  }
}

/** HalfSipHash-1-3 of the key's UTF-16 code units with the process's key (an int32, as the tables keep it). */
function hashOf(key: string): number {
  return halfSipHash13(key, KEY0, KEY1);
}
