/**
 * Anomaly rules: per key, a learning period from the key's first event during which every value
 * is learned silently; after it, a value never seen for that key raises an alert. The learning
 * period is [first seen, first seen + learning): an event exactly at its end is judged.
 * Memory is bounded: at most maxValuesPerKey values per key and maxKeys keys per rule, the least
 * recently seen evicted first (counted).
 */
import type { SyslogEvent } from '../../../common/syslog/event.js';
import { alertId, NO_ALERTS, type Alert } from '../alert.js';
import type { RuleInstance } from '../kind.js';
import { matchEvent } from '../match.js';
import type { AnomalyRule } from './schema.js';
import type { AnomalySink, SavedAnomalyKeys, ValueSeen } from './store.js';

interface KeyState {
  firstSeen: number;
  /** The key's latest entry in the recency queue (RecencyQueue). */
  touch: number;
  /** Insertion order = least recently seen first (a seen value is moved to the end). */
  values: Map<string, ValueSeen>;
}

export class AnomalyDetector implements RuleInstance {
  readonly counters = { matched: 0, alerts: 0, evictedValues: 0, evictedKeys: 0 };
  private readonly keys = new Map<string, KeyState>();
  private readonly recency = new RecencyQueue(
    (key, touch) => this.keys.get(key)?.touch === touch,
    () => this.keys.size,
  );

  constructor(
    readonly rule: AnomalyRule,
    private readonly sink?: AnomalySink,
  ) {}

  /** Puts back what a store kept (keys in least-recently-seen order). */
  restore(keys: SavedAnomalyKeys): void {
    for (const { key, firstSeen, values } of keys) {
      const sorted = [...values].sort((a, b) => a.seen.last - b.seen.last);
      this.keys.set(key, { firstSeen, touch: this.recency.touch(key), values: new Map(sorted.map((v) => [v.value, { ...v.seen }])) });
    }
  }

  process(event: SyslogEvent, now: number): readonly Alert[] {
    const groups = matchEvent(this.rule.match, event);
    if (!groups) return NO_ALERTS;
    this.counters.matched++;
    const key = this.rule.key.apply(groups, event);
    const value = this.rule.value.apply(groups, event);
    let state = this.keys.get(key);
    if (state) state.touch = this.recency.touch(key);
    else {
      state = { firstSeen: now, touch: this.recency.touch(key), values: new Map() };
      this.keys.set(key, state);
      this.sink?.anomalyKey(this.rule.id, key, now);
      this.evictKeys();
    }
    const seen = state.values.get(value);
    if (seen) {
      // Updated in place (a sink may keep this object to write its latest counts); re-inserted to stay most recently seen.
      state.values.delete(value);
      seen.last = now;
      seen.count += 1;
      state.values.set(value, seen);
      this.sink?.anomalyValue(this.rule.id, key, value, seen);
      return NO_ALERTS;
    }
    const learning = now < state.firstSeen + this.rule.learning;
    if (learning || this.rule.onAlert === 'learn') this.learn(key, state, value, now);
    if (learning) return NO_ALERTS;
    this.counters.alerts++;
    const alert: Alert = {
      id: alertId(this.rule.id, key, now, value),
      ruleId: this.rule.id,
      kind: 'anomaly',
      severity: this.rule.severity,
      time: now,
      host: event.host,
      key,
      value,
      summary: `${this.rule.id}: new value ${value} for ${key} (${state.values.size - (this.rule.onAlert === 'learn' ? 1 : 0)} known since ${new Date(state.firstSeen).toISOString()})`,
      evidence: { events: [event], knownValues: state.values.size - (this.rule.onAlert === 'learn' ? 1 : 0), keyFirstSeen: state.firstSeen },
    };
    return [alert];
  }

  /** Anomaly rules have nothing due with time: learning periods are judged at the next event. */
  advance(): readonly Alert[] {
    return NO_ALERTS;
  }

  /** An operator acknowledged `value` for `key`: it joins the baseline. */
  acknowledgeValue(key: string, value: string, now: number): void {
    let state = this.keys.get(key);
    if (!state) {
      state = { firstSeen: now, touch: this.recency.touch(key), values: new Map() };
      this.keys.set(key, state);
      this.sink?.anomalyKey(this.rule.id, key, now);
    }
    if (!state.values.has(value)) this.learn(key, state, value, now);
  }

  knownValues(key: string): string[] {
    return [...(this.keys.get(key)?.values.keys() ?? [])];
  }

  private learn(key: string, state: KeyState, value: string, now: number): void {
    const seen = { first: now, last: now, count: 1 };
    state.values.set(value, seen);
    this.sink?.anomalyValue(this.rule.id, key, value, seen);
    while (state.values.size > this.rule.maxValuesPerKey) {
      const oldest = state.values.keys().next().value!;
      state.values.delete(oldest);
      this.sink?.anomalyForgetValue(this.rule.id, key, oldest);
      this.counters.evictedValues++;
    }
  }

  private evictKeys(): void {
    while (this.keys.size > this.rule.maxKeys) {
      const oldest = this.recency.oldest();
      this.keys.delete(oldest);
      this.sink?.anomalyForgetKey(this.rule.id, oldest);
      this.counters.evictedKeys++;
    }
  }
}

/**
 * Keys in the order they were last seen, for evicting the least recently seen. Not a Map kept in
 * that order by delete-and-set: V8 leaves a hole per deletion until it rehashes, and taking the
 * first key walks every hole, so eviction past maxKeys grew with the map (16 s without processing
 * at 300,000 new keys). Here a touch appends (key, number) and the key's older entries go stale;
 * the oldest live entry is found from the front. Stale entries are dropped once they outnumber
 * the live ones, so memory stays proportional to the keys however often they are seen.
 */
class RecencyQueue {
  private keys: string[] = [];
  private touches: number[] = [];
  private head = 0;
  private next = 0;

  /** `isCurrent(key, touch)`: whether that entry is the key's latest (the key is still kept and touched no later); `live()`: how many keys are kept. */
  constructor(
    private readonly isCurrent: (key: string, touch: number) => boolean,
    private readonly live: () => number,
  ) {}

  /** Marks `key` as the most recently seen; returns the number the key's state keeps. */
  touch(key: string): number {
    if (this.keys.length - this.head > 2 * this.live() + 1024) this.dropStale();
    this.keys.push(key);
    this.touches.push(this.next);
    return this.next++;
  }

  /** Takes the least recently seen key. */
  oldest(): string {
    for (;;) {
      const key = this.keys[this.head]!;
      const touch = this.touches[this.head]!;
      this.head++;
      if (this.isCurrent(key, touch)) return key;
    }
  }

  private dropStale(): void {
    const keys: string[] = [];
    const touches: number[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (!this.isCurrent(this.keys[i]!, this.touches[i]!)) continue;
      keys.push(this.keys[i]!);
      touches.push(this.touches[i]!);
    }
    this.keys = keys;
    this.touches = touches;
    this.head = 0;
  }
}
