/**
 * Anomaly rules: per key, a learning period from the key's first event during which every value
 * is learned silently; after it, a value never seen for that key raises an alert. The learning
 * period is [first seen, first seen + learning): an event exactly at its end is judged.
 * Memory is bounded: at most maxValuesPerKey values per key and maxKeys keys per rule, the least
 * recently seen evicted first (counted).
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import { alertId, type Alert } from './alert.js';
import { matchEvent } from './match.js';
import type { AnomalyRule } from './schema.js';
import type { RestoredRuleState, RuleStateSink, ValueSeen } from './state.js';


interface KeyState {
  firstSeen: number;
  /** Insertion order = least recently seen first (a seen value is moved to the end). */
  values: Map<string, ValueSeen>;
}

export class AnomalyDetector {
  readonly counters = { matched: 0, alerts: 0, evictedValues: 0, evictedKeys: 0 };
  /** Insertion order = least recently seen key first. */
  private readonly keys = new Map<string, KeyState>();

  constructor(
    readonly rule: AnomalyRule,
    private readonly sink?: RuleStateSink,
  ) {}

  /** Puts back what a store kept (keys in least-recently-seen order). */
  restore(keys: NonNullable<RestoredRuleState['anomaly']>): void {
    for (const { key, firstSeen, values } of keys) {
      const sorted = [...values].sort((a, b) => a.seen.last - b.seen.last);
      this.keys.set(key, { firstSeen, values: new Map(sorted.map((v) => [v.value, { ...v.seen }])) });
    }
  }

  process(event: SyslogEvent, now: number): Alert | undefined {
    const groups = matchEvent(this.rule.match, event);
    if (!groups) return undefined;
    this.counters.matched++;
    const key = this.rule.key.apply(groups, event);
    const value = this.rule.value.apply(groups, event);
    let state = this.keys.get(key);
    if (state) this.keys.delete(key);
    else {
      state = { firstSeen: now, values: new Map() };
      this.sink?.anomalyKey(this.rule.id, key, now);
    }
    this.keys.set(key, state);
    this.evictKeys();
    const seen = state.values.get(value);
    if (seen) {
      // Updated in place (a sink may keep this object to write its latest counts); re-inserted to stay most recently seen.
      state.values.delete(value);
      seen.last = now;
      seen.count += 1;
      state.values.set(value, seen);
      this.sink?.anomalyValue(this.rule.id, key, value, seen);
      return undefined;
    }
    const learning = now < state.firstSeen + this.rule.learning;
    if (learning || this.rule.onAlert === 'learn') this.learn(key, state, value, now);
    if (learning) return undefined;
    this.counters.alerts++;
    return {
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
  }

  /** An operator acknowledged `value` for `key`: it joins the baseline. */
  acknowledge(key: string, value: string, now: number): void {
    let state = this.keys.get(key);
    if (!state) {
      state = { firstSeen: now, values: new Map() };
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
      const oldest = this.keys.keys().next().value!;
      this.keys.delete(oldest);
      this.sink?.anomalyForgetKey(this.rule.id, oldest);
      this.counters.evictedKeys++;
    }
  }
}
