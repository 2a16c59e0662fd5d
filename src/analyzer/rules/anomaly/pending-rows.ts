/**
 * The anomaly store's changes since its last write: keys added and deleted, values learned and
 * deleted, in order, as a log of bytes (store/write-batch.ts), and sightings of values added up
 * per value. Written, they leave the tables as if each change had been written when it happened
 * (test/analyzer/rules/anomaly/pending-rows.test.ts checks that against such a model): the log is
 * written in order, then the sightings, each counted since the value was last learned (which
 * replaces its row: the sightings before count no more). A sighting of a value whose row the log
 * deleted updates nothing, as it would have then.
 *
 * Why a log of bytes and not objects: in a flood every line is a new value, some 170,000 a
 * second, each held until the next write, so V8's old generation takes them all. As Maps and
 * objects (a Map per key, an object and two boxed times per value) that cost 309 bytes a value;
 * as arrays and one Map entry per value, 176; in the log, about 40, in strings of 256 KB that V8
 * frees whole. Learned values left out of the store altogether, the daemon was at 168-185 MB a
 * second after the bench's flood instead of 268-334 (src/analyzer/README.md, Figures, session 26).
 * Sightings stay a Map entry each: many sightings of a value are one row's update.
 *
 * The log is decoded at the write and its rows encoded again by the store's statements (into the
 * background writer's batch, the same encoding): recording the statements at once would skip
 * that, but the store must not hand learned state to the writer while raised alerts wait to be
 * stored (daemon.ts recordLearnedState), and with a plain `Db` each would be a transaction.
 */
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import { forEachWrite, WriteBatchEncoder } from '../../store/write-batch.js';

/** The log's entries (the encoder's statement numbers). */
const KEY_ADD = 0;
const KEY_DELETE = 1;
const VALUE_LEARNED = 2;
const VALUE_DELETE = 3;

/** What the changes are written as (the store's statements). */
export interface AnomalyRowWriter {
  keyAdd(rule: string, key: string, firstSeen: number): void;
  keyDelete(rule: string, key: string): void;
  valueReplace(rule: string, key: string, value: string, first: number, last: number, count: number): void;
  valueSeen(rule: string, key: string, value: string, last: number, count: number): void;
  valueDelete(rule: string, key: string, value: string): void;
}

export class PendingRows {
  private readonly log = new WriteBatchEncoder();
  /** The log as it was at the last writeTo, kept until committed: a write that failed is made again whole. */
  private written: string[] = [];
  /** Sightings since each value was last learned, by `sightingId` (a copy: not a view of the line), to their record. */
  private sightings = new Map<string, number>();
  /** By record. */
  private last: number[] = [];
  private count: number[] = [];

  get isEmpty(): boolean {
    return this.log.isEmpty && this.written.length === 0 && this.sightings.size === 0;
  }

  /** A key new to the detector (its row is added unless there is one: first seen stays). */
  key(rule: string, key: string, firstSeen: number): void {
    this.log.add(KEY_ADD, [rule, key, firstSeen]);
  }

  learned(rule: string, key: string, value: string, now: number): void {
    // Its row is replaced: the sightings before count no more.
    if (this.sightings.size > 0) this.sightings.delete(sightingId(rule, key, value));
    this.log.add(VALUE_LEARNED, [rule, key, value, now]);
  }

  forgetValue(rule: string, key: string, value: string): void {
    this.log.add(VALUE_DELETE, [rule, key, value]);
  }

  forgetKey(rule: string, key: string): void {
    this.log.add(KEY_DELETE, [rule, key]);
  }

  seen(rule: string, key: string, value: string, now: number): void {
    const id = sightingId(rule, key, value);
    let r = this.sightings.get(id);
    if (r === undefined) {
      r = this.last.push(now) - 1;
      this.sightings.set(id, r);
      this.count.push(0);
    }
    this.last[r] = now;
    this.count[r]!++;
  }

  /** The log in order, then the sightings. */
  writeTo(writer: AnomalyRowWriter): void {
    for (const chunk of this.log.take()) this.written.push(chunk);
    forEachWrite(this.written, (entry, args) => {
      const [rule, key] = args as [string, string];
      if (entry === KEY_ADD) writer.keyAdd(rule, key, args[2] as number);
      else if (entry === KEY_DELETE) writer.keyDelete(rule, key);
      else if (entry === VALUE_LEARNED) writer.valueReplace(rule, key, args[2] as string, args[3] as number, args[3] as number, 1);
      else writer.valueDelete(rule, key, args[2] as string);
    });
    for (const [id, r] of this.sightings) {
      const [rule, key, value] = splitSightingId(id);
      writer.valueSeen(rule, key, value, this.last[r]!, this.count[r]!);
    }
  }

  /** What writeTo wrote is stored: forget it (called right after writeTo: nothing is reported between). */
  committed(): void {
    this.written = [];
    this.sightings = new Map();
    this.last = [];
    this.count = [];
  }
}

/** One string for a rule, a key and a value: the value's length, the value, then ruleKeyId (a value and a key can hold '\0'). */
const sightingId = (rule: string, key: string, value: string): string => `${value.length}\u0000${value}${ruleKeyId(rule, key)}`;

function splitSightingId(id: string): [rule: string, key: string, value: string] {
  const valueStart = id.indexOf('\u0000') + 1;
  const valueEnd = valueStart + Number(id.slice(0, valueStart - 1));
  return [...splitRuleKeyId(id.slice(valueEnd)), id.slice(valueStart, valueEnd)];
}
