/**
 * What an anomaly rule has learned: per key, when it was first seen and its values, kept as
 * small as it can be (#19), since a rule may hold millions of values. A value is only its
 * characters (packed with the key's others into one string, or in an ordered Set when the key has
 * many): its first and last time and its count are the store's business (store.ts counts them on
 * their way to SQLite), never read by the rule. The store's load() builds this structure directly;
 * the detector adopts it.
 */
import { ownCopy } from '../../store/rule-keys.js';
import { KeySlots } from './key-slots.js';
import { packedAppend, packedCount, packedIndexOf, packedMoveToEnd, packedShift, packedValues } from './packed-values.js';
import { grown } from './typed-arrays.js';

/** Up to this many values a key keeps them packed in one string (packed-values.ts), above in a Set. */
export const PACKED_VALUES = 16;

/**
 * A key's values, least recently seen first (a seen value is moved to the end): none, up to
 * PACKED_VALUES packed in one string, or a Set in insertion order (a Set costs ~60 bytes more per
 * value, but finds one among many without a walk).
 */
type KeyValues = undefined | string | Set<string>;

/**
 * A rule's keys, and the order they were last seen in (the least recently seen is evicted first).
 * A key's data is kept in a slot, its index in arrays by slot (key-slots.ts gives the slots; a
 * typed array holds the first times), and an evicted key's slot is taken by the next new key: past
 * maxKeys, where every new key evicts one, an object per key (with its first time boxed as a
 * number of its own) lived as long as maxKeys lines and was promoted by the garbage collector, a
 * fifth of the time at 100,000 keys. A slot is valid until its key is evicted.
 */
export class LearnedKeys {
  private readonly keys = new KeySlots();
  private firstSeens = new Float64Array(64);
  private readonly values: KeyValues[] = [];
  private readonly recency = new RecencyQueue();

  get size(): number {
    return this.keys.size;
  }

  /** Entries in the recency queue, the stale ones included (bounded by 2 × size + 1024 past a few evictions; for the tests). */
  get queueEntries(): number {
    return this.recency.entries;
  }

  /** The key's slot, or -1 when it is not kept. */
  slotOf(key: string): number {
    return this.keys.slotOf(key);
  }

  /** A key not kept yet, now the most recently seen, with no values; returns its slot. */
  add(key: string, firstSeen: number): number {
    const slot = this.keys.add(key);
    if (slot === this.values.length) this.newSlot();
    this.firstSeens[slot] = firstSeen;
    this.recency.touch(slot, this.keys.size);
    return slot;
  }

  /** The key in `slot` is now the most recently seen. */
  seen(slot: number): void {
    this.recency.touch(slot, this.keys.size);
  }

  /** Forgets the least recently seen key and returns it. */
  evictOldest(): string {
    const slot = this.recency.oldest();
    this.values[slot] = undefined;
    return this.keys.remove(slot);
  }

  firstSeen(slot: number): number {
    return this.firstSeens[slot]!;
  }

  valueCount(slot: number): number {
    const values = this.values[slot];
    return values === undefined ? 0 : typeof values === 'string' ? packedCount(values) : values.size;
  }

  /** The key's values, least recently seen first. */
  valuesOf(slot: number): string[] {
    const values = this.values[slot];
    return values === undefined ? [] : typeof values === 'string' ? packedValues(values) : [...values];
  }

  /** Whether the key has `value`; if so, it is now the most recently seen. */
  seeValue(slot: number, value: string): boolean {
    const values = this.values[slot];
    if (values === undefined) return false;
    if (typeof values === 'string') {
      const at = packedIndexOf(values, value);
      if (at < 0) return false;
      this.values[slot] = packedMoveToEnd(values, at);
      return true;
    }
    if (!values.delete(value)) return false;
    values.add(value);
    return true;
  }

  hasValue(slot: number, value: string): boolean {
    const values = this.values[slot];
    if (values === undefined) return false;
    return typeof values === 'string' ? packedIndexOf(values, value) >= 0 : values.has(value);
  }

  /** Adds a value the key does not have, as the most recently seen. The key keeps a copy: `value` may be a view into a log line. */
  addValue(slot: number, value: string): void {
    const values = this.values[slot];
    if (typeof values === 'object') values.add(ownCopy(value));
    else if (values === undefined || packedCount(values) < PACKED_VALUES) this.values[slot] = packedAppend(values, value);
    else this.values[slot] = new Set([...packedValues(values).map(ownCopy), ownCopy(value)]);
  }

  /** Removes the least recently seen value and returns it (the key has one). */
  removeOldestValue(slot: number): string {
    const values = this.values[slot];
    if (typeof values === 'object') {
      const oldest = values.values().next().value!;
      values.delete(oldest);
      return oldest;
    }
    const [oldest, rest] = packedShift(values!);
    this.values[slot] = rest;
    return oldest;
  }

  private newSlot(): void {
    const slot = this.values.length;
    this.values.push(undefined);
    if (slot === this.firstSeens.length) this.firstSeens = grown(this.firstSeens, 2 * slot);
  }
}

/**
 * Slots in the order their keys were last seen, for evicting the least recently seen. Not a Map
 * kept in that order by delete-and-set: V8 leaves a hole per deletion until it rehashes, and taking
 * the first key walks every hole, so eviction past maxKeys grew with the map (16 s without
 * processing at 300,000 new keys). Here a touch appends the slot and records where, in `latest`
 * by slot, so the slot's older entries go stale; the oldest live entry is found from the front, an
 * entry being live when it is its slot's latest. A key leaves only through oldest(), which takes
 * its latest entry, so no entry of a gone key remains past the front, and its slot can be taken by
 * a new key. The entries are compacted in place once they are more than twice the live keys, those
 * taken from the front included, so memory stays proportional to the keys however often they are
 * seen or replaced, and an entry's position stays below 2^31.
 */
class RecencyQueue {
  private slots = new Int32Array(1024);
  /** By slot: the position of its latest entry. */
  private latest = new Int32Array(64);
  private length = 0;
  private head = 0;

  get entries(): number {
    return this.length;
  }

  /** Marks `slot` as the most recently seen; `live`: how many keys are kept. */
  touch(slot: number, live: number): void {
    if (this.length > 2 * live + 1024) this.dropStale();
    if (this.length === this.slots.length) this.slots = grown(this.slots, 2 * this.length);
    if (slot >= this.latest.length) this.latest = grown(this.latest, 2 * slot);
    this.latest[slot] = this.length;
    this.slots[this.length++] = slot;
  }

  /** Takes the least recently seen slot. */
  oldest(): number {
    for (;;) {
      const at = this.head++;
      const slot = this.slots[at]!;
      if (this.latest[slot] === at) return slot;
    }
  }

  /** Keeps only the live entries after the head, in order, from the start. */
  private dropStale(): void {
    let kept = 0;
    for (let at = this.head; at < this.length; at++) {
      const slot = this.slots[at]!;
      if (this.latest[slot] !== at) continue;
      this.latest[slot] = kept;
      this.slots[kept++] = slot;
    }
    this.length = kept;
    this.head = 0;
  }
}
