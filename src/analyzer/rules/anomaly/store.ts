/**
 * Anomaly rules' part of the store: keys (first seen) and their values (first, last, count) in
 * anomaly_keys and anomaly_values. Changes are collected in memory, the latest per row.
 */
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';

export interface ValueSeen {
  first: number;
  last: number;
  count: number;
}

/** What an anomaly detector reports. */
export interface AnomalySink {
  anomalyKey(ruleId: string, key: string, firstSeen: number): void;
  anomalyValue(ruleId: string, key: string, value: string, seen: ValueSeen): void;
  anomalyForgetValue(ruleId: string, key: string, value: string): void;
  anomalyForgetKey(ruleId: string, key: string): void;
}

/** A rule's keys as kept, least recently seen first. */
export type SavedAnomalyKeys = { key: string; firstSeen: number; values: { value: string; seen: ValueSeen }[] }[];

export class AnomalyStore implements KindStore<SavedAnomalyKeys, AnomalySink>, AnomalySink {
  readonly sink = this;
  private readonly keys = new Map<string, number | null>();
  /** Pending value rows by rule id and key (ruleKeyId), then value: forgetting a key drops its pending values at once, not by a scan. */
  private readonly values = new Map<string, Map<string, ValueSeen | null>>();
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      keyUpsert: db.prepare('INSERT INTO anomaly_keys (rule_id, key, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      keyDelete: db.prepare('DELETE FROM anomaly_keys WHERE rule_id = ? AND key = ?'),
      keyValuesDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ?'),
      valueUpsert: db.prepare('INSERT INTO anomaly_values (rule_id, key, value, first, last, count) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rule_id, key, value) DO UPDATE SET last = excluded.last, count = excluded.count'),
      valueDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ? AND value = ?'),
    };
  }

  anomalyKey(ruleId: string, key: string, firstSeen: number): void {
    this.keys.set(ruleKeyId(ruleId, key), firstSeen);
  }
  anomalyValue(ruleId: string, key: string, value: string, seen: ValueSeen): void {
    // The detector's own object, updated in place: the write takes its latest counts.
    this.pendingValues(ruleId, key).set(value, seen);
  }
  anomalyForgetValue(ruleId: string, key: string, value: string): void {
    this.pendingValues(ruleId, key).set(value, null);
  }
  anomalyForgetKey(ruleId: string, key: string): void {
    this.keys.set(ruleKeyId(ruleId, key), null);
    // Its rows go with the key's row at the write (keyValuesDelete); nothing pending is left to write.
    this.values.delete(ruleKeyId(ruleId, key));
  }
  private pendingValues(ruleId: string, key: string): Map<string, ValueSeen | null> {
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
      for (const [value, seen] of values) {
        if (seen === null) statements.valueDelete.run(rule, key, value);
        else statements.valueUpsert.run(rule, key, value, seen.first, seen.last, seen.count);
      }
    }
    this.keys.clear();
    this.values.clear();
  }

  load(): Map<string, SavedAnomalyKeys> {
    const byRule = new Map<string, SavedAnomalyKeys>();
    const keyIndex = new Map<string, SavedAnomalyKeys[number]>();
    for (const row of this.db.prepare('SELECT rule_id, key, first_seen FROM anomaly_keys').all() as { rule_id: string; key: string; first_seen: number }[]) {
      const entry = { key: row.key, firstSeen: row.first_seen, values: [] };
      keyIndex.set(ruleKeyId(row.rule_id, row.key), entry);
      byRule.get(row.rule_id)?.push(entry) ?? byRule.set(row.rule_id, [entry]);
    }
    for (const row of this.db.prepare('SELECT rule_id, key, value, first, last, count FROM anomaly_values').all() as { rule_id: string; key: string; value: string; first: number; last: number; count: number }[]) {
      keyIndex.get(ruleKeyId(row.rule_id, row.key))?.values.push({ value: row.value, seen: { first: row.first, last: row.last, count: row.count } });
    }
    // Least recently seen first, as the detectors keep them.
    const lastSeen = (k: SavedAnomalyKeys[number]) => k.values.reduce((latest, v) => Math.max(latest, v.seen.last), k.firstSeen);
    for (const keys of byRule.values()) keys.sort((a, b) => lastSeen(a) - lastSeen(b));
    return byRule;
  }
}
