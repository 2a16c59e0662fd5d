/**
 * What an anomaly rule has learned: per key, when it was first seen and its values, kept as
 * small as it can be (#19), since a rule may hold millions of values. A value is only its
 * characters (packed with the key's others into one string, or in an ordered Set when the key has
 * many): its first and last time and its count are the store's business (store.ts counts them on
 * their way to SQLite), never read by the rule. The store's load() builds this structure directly;
 * the detector adopts it.
 */
import { ownCopy } from '../../store/rule-keys.js';
import { packedAppend, packedCount, packedIndexOf, packedMoveToEnd, packedShift, packedValues } from './packed-values.js';

/** Up to this many values a key keeps them packed in one string (packed-values.ts), above in a Set. */
export const PACKED_VALUES = 16;

export interface KeyState {
  readonly firstSeen: number;
  /** The key's latest entry in the recency queue. */
  touch: number;
  /**
   * The key's values, least recently seen first (a seen value is moved to the end): none, up to
   * PACKED_VALUES packed in one string, or a Set in insertion order (a Set costs ~60 bytes more per
   * value, but finds one among many without a walk).
   */
  values: undefined | string | Set<string>;
}

export function valueCount(state: KeyState): number {
  return state.values === undefined ? 0 : typeof state.values === 'string' ? packedCount(state.values) : state.values.size;
}

/** The key's values, least recently seen first. */
export function valuesOf(state: KeyState): string[] {
  return state.values === undefined ? [] : typeof state.values === 'string' ? packedValues(state.values) : [...state.values];
}

/** Whether the key has `value`; if so, it is now the most recently seen. */
export function seeValue(state: KeyState, value: string): boolean {
  if (state.values === undefined) return false;
  if (typeof state.values === 'string') {
    const at = packedIndexOf(state.values, value);
    if (at < 0) return false;
    state.values = packedMoveToEnd(state.values, at);
    return true;
  }
  if (!state.values.delete(value)) return false;
  state.values.add(value);
  return true;
}

export function hasValue(state: KeyState, value: string): boolean {
  if (state.values === undefined) return false;
  return typeof state.values === 'string' ? packedIndexOf(state.values, value) >= 0 : state.values.has(value);
}

/** Adds a value the key does not have, as the most recently seen. The key keeps a copy: `value` may be a view into a log line. */
export function addValue(state: KeyState, value: string): void {
  if (typeof state.values === 'object') state.values.add(ownCopy(value));
  else if (state.values === undefined || packedCount(state.values) < PACKED_VALUES) state.values = packedAppend(state.values, value);
  else state.values = new Set([...packedValues(state.values).map(ownCopy), ownCopy(value)]);
}

/** Removes the least recently seen value and returns it (the key has one). */
export function removeOldestValue(state: KeyState): string {
  if (typeof state.values === 'object') {
    const oldest = state.values.values().next().value!;
    state.values.delete(oldest);
    return oldest;
  }
  const [oldest, rest] = packedShift(state.values!);
  state.values = rest;
  return oldest;
}

/** A rule's keys, and the order they were last seen in (the least recently seen is evicted first). */
export class LearnedKeys {
  private readonly keys = new Map<string, KeyState>();
  private readonly recency = new RecencyQueue(() => this.keys.size);

  get size(): number {
    return this.keys.size;
  }

  /** Entries in the recency queue, the stale ones included (bounded by 2 × size + 1024 past a few evictions; for the tests). */
  get queueEntries(): number {
    return this.recency.entries;
  }

  get(key: string): KeyState | undefined {
    return this.keys.get(key);
  }

  /** A key not kept yet, now the most recently seen. */
  add(key: string, firstSeen: number): KeyState {
    const state: KeyState = { firstSeen, touch: 0, values: undefined };
    this.restore(key, state);
    return state;
  }

  /** A key read back from a store, now the most recently seen (a store restores them least recently seen first). */
  restore(key: string, state: KeyState): void {
    this.recency.touch(key, state);
    this.keys.set(key, state);
  }

  /** `state` (of `key`) is now the most recently seen. */
  seen(key: string, state: KeyState): void {
    this.recency.touch(key, state);
  }

  /** Forgets the least recently seen key and returns it. */
  evictOldest(): string {
    const oldest = this.recency.oldest();
    this.keys.delete(oldest);
    return oldest;
  }
}

/**
 * Keys in the order they were last seen, for evicting the least recently seen. Not a Map kept in
 * that order by delete-and-set: V8 leaves a hole per deletion until it rehashes, and taking the
 * first key walks every hole, so eviction past maxKeys grew with the map (16 s without processing
 * at 300,000 new keys). Here a touch appends (key, state, number) and sets the state's number, so
 * the key's older entries go stale; the oldest live entry is found from the front, told live by
 * its state's number alone (looking the key up again was a second hash lookup per eviction, a
 * cache miss each at 100,000 keys). A key leaves only through oldest(), which takes its latest
 * entry, so no later entry of a gone key remains. The entries are compacted once they are more
 * than twice the live keys, those taken from the front included, so memory stays proportional to
 * the keys however often they are seen or replaced.
 */
class RecencyQueue {
  private keys: string[] = [];
  private states: KeyState[] = [];
  private touches: number[] = [];
  private head = 0;
  private next = 0;

  /** `live()`: how many keys are kept. */
  constructor(private readonly live: () => number) {}

  get entries(): number {
    return this.keys.length;
  }

  /** Marks `key` (whose state is `state`) as the most recently seen. */
  touch(key: string, state: KeyState): void {
    if (this.keys.length > 2 * this.live() + 1024) this.dropStale();
    state.touch = this.next++;
    this.keys.push(key);
    this.states.push(state);
    this.touches.push(state.touch);
  }

  /** Takes the least recently seen key. */
  oldest(): string {
    for (;;) {
      const at = this.head++;
      if (this.states[at]!.touch === this.touches[at]) return this.keys[at]!;
    }
  }

  /** Keeps only the live entries after the head, in order. */
  private dropStale(): void {
    const keys: string[] = [];
    const states: KeyState[] = [];
    const touches: number[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (this.states[i]!.touch !== this.touches[i]) continue;
      keys.push(this.keys[i]!);
      states.push(this.states[i]!);
      touches.push(this.touches[i]!);
    }
    this.keys = keys;
    this.states = states;
    this.touches = touches;
    this.head = 0;
  }
}
