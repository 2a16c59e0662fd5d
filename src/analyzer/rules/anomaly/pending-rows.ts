/**
 * One anomaly rule's changes since the store's last write: which key rows to delete or add, and
 * for each value touched whether its row is new (first, last, count), seen again (last, count
 * more), deleted, or gone with its key. Written, they leave the tables as if each change had
 * been written when it happened (test/analyzer/rules/anomaly/pending-rows.test.ts checks that
 * against such a model).
 *
 * Why arrays and not a Map of keys to Maps of values to `{ first, last, count }` (as before):
 * in a flood every line is a new value, some 170,000 a second, each held for up to a second, so
 * the old generation takes them all. That layout cost 309 bytes a value (a Map per key, an object
 * and two boxed times per value, a joined rule-and-key string per key), and its garbage was the
 * largest part of the daemon's RSS after a flood (src/analyzer/README.md, Figures, session 26).
 * Here a value is one Map entry, one string and a few array elements: 176 bytes.
 */

/** `keyWrites` bits: a key's rows are deleted first, then its row added. */
const KEY_DELETE = 1;
const KEY_ADD = 2;

/** A value record's state. */
const LEARNED = 0;
const SEEN = 1;
const DELETED = 2;
/** Its key was forgotten after it: its row went with the key's. */
const DROPPED = 3;

/** A key and a value as one Map key: '\0' after the key's index, which has only digits. */
const SEP = '\u0000';

/** What the changes are written as (the store's statements, with the rule id). */
export interface AnomalyRowWriter {
  keyDelete(key: string): void;
  keyAdd(key: string, firstSeen: number): void;
  valueReplace(key: string, value: string, first: number, last: number, count: number): void;
  valueSeen(key: string, value: string, last: number, count: number): void;
  valueDelete(key: string, value: string): void;
}

export class PendingRows {
  private readonly keyIndex = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly keyWrites: number[] = [];
  private readonly keyFirstSeen: number[] = [];
  /** By key: its value record added last (-1: none); by value record: the one its key had before. */
  private readonly lastValueOfKey: number[] = [];
  private readonly previousOfKey: number[] = [];
  /** Key index, SEP and value, to the value's record. */
  private readonly valueIndex = new Map<string, number>();
  /** By value record. */
  private readonly valueIds: string[] = [];
  private readonly valueKey: number[] = [];
  private readonly state: number[] = [];
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly count: number[] = [];

  get isEmpty(): boolean {
    return this.keys.length === 0;
  }

  /** A key new to the detector (its row is added unless there is one: first seen stays). */
  key(key: string, firstSeen: number): void {
    const k = this.keyOf(key);
    if ((this.keyWrites[k]! & KEY_ADD) === 0) this.keyFirstSeen[k] = firstSeen;
    this.keyWrites[k]! |= KEY_ADD;
  }

  learned(key: string, value: string, now: number): void {
    const v = this.valueOf(this.keyOf(key), value);
    this.state[v] = LEARNED;
    this.first[v] = this.last[v] = now;
    this.count[v] = 1;
  }

  seen(key: string, value: string, now: number): void {
    const v = this.valueOf(this.keyOf(key), value);
    const state = this.state[v]!;
    if (state === DELETED || state === DROPPED) return; // no row to count on
    if (state !== LEARNED && state !== SEEN) {
      this.state[v] = SEEN;
      this.count[v] = 0;
    }
    this.last[v] = now;
    this.count[v]!++;
  }

  forgetValue(key: string, value: string): void {
    this.state[this.valueOf(this.keyOf(key), value)] = DELETED;
  }

  forgetKey(key: string): void {
    const k = this.keyOf(key);
    this.keyWrites[k] = KEY_DELETE;
    for (let v = this.lastValueOfKey[k]!; v >= 0; v = this.previousOfKey[v]!) this.state[v] = DROPPED;
  }

  /** Everything, keys before values, each key's deletion before its addition. */
  writeTo(writer: AnomalyRowWriter): void {
    this.keys.forEach((key, k) => {
      const writes = this.keyWrites[k]!;
      if (writes & KEY_DELETE) writer.keyDelete(key);
      if (writes & KEY_ADD) writer.keyAdd(key, this.keyFirstSeen[k]!);
    });
    this.valueIds.forEach((id, v) => {
      const state = this.state[v]!;
      if (state === DROPPED) return;
      const key = this.keys[this.valueKey[v]!]!;
      const value = id.slice(id.indexOf(SEP) + 1);
      if (state === DELETED) writer.valueDelete(key, value);
      else if (state === SEEN) writer.valueSeen(key, value, this.last[v]!, this.count[v]!);
      else writer.valueReplace(key, value, this.first[v]!, this.last[v]!, this.count[v]!);
    });
  }

  private keyOf(key: string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.push(key) - 1;
      this.keyIndex.set(key, k);
      this.keyWrites.push(0);
      this.keyFirstSeen.push(0);
      this.lastValueOfKey.push(-1);
    }
    return k;
  }

  /** The value's record, made (with no state yet: -1) if the key has none for it. */
  private valueOf(k: number, value: string): number {
    // Joined, not concatenated: a flat string, not a pair of parts that V8 flattens into a third when hashed.
    const id = [k, value].join(SEP);
    let v = this.valueIndex.get(id);
    if (v === undefined) {
      v = this.valueIds.push(id) - 1;
      this.valueIndex.set(id, v);
      this.valueKey.push(k);
      this.state.push(-1);
      this.first.push(0);
      this.last.push(0);
      this.count.push(0);
      this.previousOfKey.push(this.lastValueOfKey[k]!);
      this.lastValueOfKey[k] = v;
    }
    return v;
  }
}
