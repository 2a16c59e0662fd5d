/**
 * Anomaly rules' part of the store: keys (first seen) and their values (first, last, count) in
 * anomaly_keys and anomaly_values. The detector keeps only the values themselves
 * (learned.ts); their times and counts are collected here, per second, and added to the rows.
 */
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';
import { LearnedKeys, type KeyState } from './learned.js';

/** What an anomaly detector reports. */
export interface AnomalySink {
  anomalyKey(ruleId: string, key: string, firstSeen: number): void;
  /** A value new to the key (or back after it was forgotten): a new row. */
  anomalyLearned(ruleId: string, key: string, value: string, now: number): void;
  /** A value the key has (so has a row, or one pending): its last time and count move on. */
  anomalySeen(ruleId: string, key: string, value: string, now: number): void;
  anomalyForgetValue(ruleId: string, key: string, value: string): void;
  anomalyForgetKey(ruleId: string, key: string): void;
}

/**
 * A value's pending write: `first` set, the row is (re)made with these figures; unset, the row
 * exists and gets `last` and `count` more sightings. null: delete the row.
 */
type PendingValue = { first: number | undefined; last: number; count: number } | null;

export class AnomalyStore implements KindStore<LearnedKeys, AnomalySink>, AnomalySink {
  readonly sink = this;
  private readonly keys = new Map<string, number | null>();
  /** Pending value rows by rule id and key (ruleKeyId), then value: forgetting a key drops its pending values at once, not by a scan. */
  private readonly values = new Map<string, Map<string, PendingValue>>();
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      keyUpsert: db.prepare('INSERT INTO anomaly_keys (rule_id, key, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      keyDelete: db.prepare('DELETE FROM anomaly_keys WHERE rule_id = ? AND key = ?'),
      keyValuesDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ?'),
      valueReplace: db.prepare('INSERT OR REPLACE INTO anomaly_values (rule_id, key, value, first, last, count) VALUES (?, ?, ?, ?, ?, ?)'),
      valueSeen: db.prepare('UPDATE anomaly_values SET last = ?, count = count + ? WHERE rule_id = ? AND key = ? AND value = ?'),
      valueDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ? AND value = ?'),
      // Keys least recently seen first (the detector evicts in that order): the latest of the key's own and its values' times.
      loadKeys: db.prepare(
        'SELECT k.rule_id, k.key, k.first_seen FROM anomaly_keys k LEFT JOIN anomaly_values v ON v.rule_id = k.rule_id AND v.key = k.key GROUP BY k.rule_id, k.key ORDER BY k.rule_id, max(k.first_seen, coalesce(max(v.last), k.first_seen))',
      ),
      // Each key's values least recently seen first, as the detector keeps them.
      loadValues: db.prepare('SELECT rule_id, key, value FROM anomaly_values ORDER BY rule_id, key, last'),
    };
  }

  anomalyKey(ruleId: string, key: string, firstSeen: number): void {
    this.keys.set(ruleKeyId(ruleId, key), firstSeen);
  }
  anomalyLearned(ruleId: string, key: string, value: string, now: number): void {
    this.pendingValues(ruleId, key).set(value, { first: now, last: now, count: 1 });
  }
  anomalySeen(ruleId: string, key: string, value: string, now: number): void {
    const values = this.pendingValues(ruleId, key);
    const pending = values.get(value);
    if (pending) {
      pending.last = now;
      pending.count++;
    } else values.set(value, { first: undefined, last: now, count: 1 });
  }
  anomalyForgetValue(ruleId: string, key: string, value: string): void {
    this.pendingValues(ruleId, key).set(value, null);
  }
  anomalyForgetKey(ruleId: string, key: string): void {
    this.keys.set(ruleKeyId(ruleId, key), null);
    // Its rows go with the key's row at the write (keyValuesDelete); nothing pending is left to write.
    this.values.delete(ruleKeyId(ruleId, key));
  }
  private pendingValues(ruleId: string, key: string): Map<string, PendingValue> {
    const id = ruleKeyId(ruleId, key);
    let values = this.values.get(id);
    if (!values) this.values.set(id, (values = new Map()));
    return values;
  }

  hasChanges(): boolean {
    return this.keys.size + this.values.size > 0;
  }

  write(): void {
    const { statements } = this;
    for (const [id, firstSeen] of this.keys) {
      const [rule, key] = splitRuleKeyId(id);
      if (firstSeen === null) {
        statements.keyDelete.run(rule, key);
        statements.keyValuesDelete.run(rule, key);
      } else statements.keyUpsert.run(rule, key, firstSeen);
    }
    for (const [id, values] of this.values) {
      const [rule, key] = splitRuleKeyId(id);
      for (const [value, pending] of values) {
        if (pending === null) statements.valueDelete.run(rule, key, value);
        else if (pending.first === undefined) statements.valueSeen.run(pending.last, pending.count, rule, key, value);
        else statements.valueReplace.run(rule, key, value, pending.first, pending.last, pending.count);
      }
    }
  }

  committed(): void {
    this.keys.clear();
    this.values.clear();
  }

  /** Streams the rows into each rule's LearnedKeys, in the order the detector keeps them. */
  load(): Map<string, LearnedKeys> {
    const byRule = new Map<string, LearnedKeys>();
    let rule = '';
    let keys: LearnedKeys | undefined;
    for (const [ruleId, key, firstSeen] of this.statements.loadKeys.raw(true).iterate() as Iterable<[string, string, number]>) {
      if (ruleId !== rule || !keys) byRule.set((rule = ruleId), (keys = new LearnedKeys()));
      keys.add(key, firstSeen);
    }
    // Rows come by key: one lookup per key, not per value.
    let state: KeyState | undefined;
    rule = '';
    let stateKey: string | undefined;
    for (const [ruleId, key, value] of this.statements.loadValues.raw(true).iterate() as Iterable<[string, string, string]>) {
      if (key !== stateKey || ruleId !== rule) [rule, stateKey, state] = [ruleId, key, byRule.get(ruleId)?.get(key)];
      state?.values.add(value);
    }
    return byRule;
  }
}
