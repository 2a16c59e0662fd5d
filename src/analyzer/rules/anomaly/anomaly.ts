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
import { ownCopy } from '../../store/rule-keys.js';
import { matchEvent } from '../match.js';
import { LearnedKeys } from './learned.js';
import type { AnomalyRule } from './schema.js';
import type { AnomalySink } from './store.js';

export class AnomalyDetector implements RuleInstance {
  readonly counters = { matched: 0, alerts: 0, evictedValues: 0, evictedKeys: 0 };
  private keys = new LearnedKeys();

  constructor(
    readonly rule: AnomalyRule,
    private readonly sink?: AnomalySink,
  ) {}

  /** Takes over what a store kept (its load() builds the detector's own structure: nothing is copied). */
  restore(keys: LearnedKeys): void {
    this.keys = keys;
  }

  process(event: SyslogEvent, now: number): readonly Alert[] {
    const groups = matchEvent(this.rule.match, event);
    if (!groups) return NO_ALERTS;
    this.counters.matched++;
    let key = this.rule.key.apply(groups, event);
    const value = this.rule.value.apply(groups, event);
    let slot = this.keys.slotOf(key);
    if (slot >= 0) this.keys.seen(slot);
    else {
      key = ownCopy(key);
      slot = this.keys.add(key, now);
      this.sink?.anomalyKey(this.rule.id, key, now);
      this.evictKeys();
    }
    if (this.keys.seeValue(slot, value)) {
      this.sink?.anomalySeen(this.rule.id, key, value, now);
      return NO_ALERTS;
    }
    const firstSeen = this.keys.firstSeen(slot);
    const learning = now < firstSeen + this.rule.learning;
    if (learning || this.rule.onAlert === 'learn') this.learn(key, slot, value, now);
    if (learning) return NO_ALERTS;
    this.counters.alerts++;
    const known = this.keys.valueCount(slot) - (this.rule.onAlert === 'learn' ? 1 : 0);
    const alert: Alert = {
      id: alertId(this.rule.id, key, now, value),
      ruleId: this.rule.id,
      kind: 'anomaly',
      severity: this.rule.severity,
      time: now,
      host: event.host,
      key,
      value,
      summary: `${this.rule.id}: new value ${value} for ${key} (${known} known since ${new Date(firstSeen).toISOString()})`,
      evidence: { events: [event], knownValues: known, keyFirstSeen: firstSeen },
    };
    return [alert];
  }

  /** Anomaly rules have nothing due with time: learning periods are judged at the next event. */
  advance(): readonly Alert[] {
    return NO_ALERTS;
  }

  /** An operator acknowledged `value` for `key`: it joins the baseline. */
  acknowledgeValue(key: string, value: string, now: number): void {
    let slot = this.keys.slotOf(key);
    if (slot < 0) {
      slot = this.keys.add(key, now);
      this.sink?.anomalyKey(this.rule.id, key, now);
    }
    if (!this.keys.hasValue(slot, value)) this.learn(key, slot, value, now);
  }

  knownValues(key: string): string[] {
    const slot = this.keys.slotOf(key);
    return slot < 0 ? [] : this.keys.valuesOf(slot);
  }

  private learn(key: string, slot: number, value: string, now: number): void {
    this.keys.addValue(slot, value);
    this.sink?.anomalyLearned(this.rule.id, key, value, now);
    while (this.keys.valueCount(slot) > this.rule.maxValuesPerKey) {
      const oldest = this.keys.removeOldestValue(slot);
      this.sink?.anomalyForgetValue(this.rule.id, key, oldest);
      this.counters.evictedValues++;
    }
  }

  private evictKeys(): void {
    while (this.keys.size > this.rule.maxKeys) {
      const oldest = this.keys.evictOldest();
      this.sink?.anomalyForgetKey(this.rule.id, oldest);
      this.counters.evictedKeys++;
    }
  }
}
