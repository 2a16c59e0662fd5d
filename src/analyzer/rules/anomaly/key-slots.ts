/**
 * String keys and the slots they are kept in: numbers from 0 up, for arrays by slot beside this,
 * a removed key's slot given to the next key added. Not a Map<string, number>: past maxKeys every
 * line looks up a new key, adds it and removes the least recently seen, and V8's Map compares a
 * bucket's keys by loading each key's string (its hash is in the string's header), a cache miss
 * each once the keys outgrow the caches (a bare Map under that pattern: 4.8× slower per line at
 * 100,000 keys than at 1,000). Here an open-addressing table (linear probing, at most half full)
 * holds each key's hash beside its slot, so a probe reads the table alone, and a removal finds its
 * entry from the hash kept by slot, not from the string.
 */
import { randomInt } from 'node:crypto';
import { grown } from './typed-arrays.js';

/**
 * The hash's seed, at random per process as V8 seeds its own: which keys collide is not the same
 * from one run to the next. From the system's CSPRNG, not Math.random, whose state can be
 * reconstructed from its outputs.
 */
const SEED = randomInt(-(2 ** 31), 2 ** 31);

export class KeySlots {
  private readonly keys: (string | undefined)[] = [];
  /** By slot: its key's hash. */
  private hashes = new Int32Array(64);
  private readonly freeSlots: number[] = [];
  /** Pairs (hash, slot + 1), a slot + 1 of 0 an empty place; its length is twice a power of 2. */
  private table = new Int32Array(2 * 64);
  private mask = 63;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The key's slot, or -1 when it is not kept. */
  slotOf(key: string): number {
    const hash = hashOf(key);
    const { table, mask } = this;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const slot = table[2 * at + 1]! - 1;
      if (slot < 0) return -1;
      if (table[2 * at] === hash && this.keys[slot] === key) return slot;
    }
  }

  /** Adds a key not kept yet and returns its slot. */
  add(key: string): number {
    if (2 * (this.count + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    const slot = this.freeSlots.pop() ?? this.newSlot();
    const hash = hashOf(key);
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

/** FNV-1a over the UTF-16 code units from the seed, then MurmurHash3's finalizer, so that every bit of the key reaches the low bits that choose the place. */
function hashOf(key: string): number {
  let hash = SEED ^ key.length;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x0100_0193);
  hash = Math.imul(hash ^ (hash >>> 16), 0x85eb_ca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2_ae35);
  return hash ^ (hash >>> 16);
}
