/**
 * Anomaly rules' part of the store: keys (first seen) and their values (first, last, count) in
 * anomaly_keys and anomaly_values. The detector keeps only the values themselves
 * (learned.ts); their times and counts are collected here, per second, and added to the rows.
 */
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';
import { LearnedKeys } from './learned.js';

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
      // By primary key: each key's rows together, nothing for SQLite to sort.
      load: db.prepare(
        'SELECT k.rule_id, k.key, k.first_seen, v.value, v.last FROM anomaly_keys k LEFT JOIN anomaly_values v ON v.rule_id = k.rule_id AND v.key = k.key ORDER BY k.rule_id, k.key',
      ),
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

  /**
   * Streams the rows into each rule's LearnedKeys: each key's values least recently seen first,
   * and the keys in the order they were last seen (the latest of the key's first time and its
   * values' last), as the detector keeps them.
   */
  load(): Map<string, LearnedKeys> {
    /** A rule's keys as they are read (in key order), their slots, and when each was last seen. */
    type RuleRows = { learned: LearnedKeys; slots: number[]; lastSeen: number[] };
    const byRule = new Map<string, RuleRows>();
    const newRows = (): RuleRows => ({ learned: new LearnedKeys(), slots: [], lastSeen: [] });
    let rows = newRows();
    let [ruleId, key] = ['', ''];
    let slot = -1;
    /** The values of the key being read, and their last times (no object per row: most keys have one). */
    const [values, lasts]: [string[], number[]] = [[], []];
    const endKey = () => {
      if (values.length === 1) rows.learned.addValue(slot, values[0]!);
      else if (values.length > 1)
        for (const i of Array.from(values, (_, i) => i).sort((a, b) => lasts[a]! - lasts[b]!)) rows.learned.addValue(slot, values[i]!);
      values.length = lasts.length = 0;
    };
    for (const [rowRule, rowKey, firstSeen, value, last] of this.statements.load.raw(true).iterate() as Iterable<
      [string, string, number, string | null, number | null]
    >) {
      if (rowKey !== key || rowRule !== ruleId || slot < 0) {
        endKey();
        if (rowRule !== ruleId || !byRule.has(rowRule)) byRule.set((ruleId = rowRule), (rows = newRows()));
        key = rowKey;
        slot = rows.learned.add(key, firstSeen);
        rows.slots.push(slot);
        rows.lastSeen.push(firstSeen);
      }
      if (value === null || last === null) continue;
      const at = rows.lastSeen.length - 1;
      if (last > rows.lastSeen[at]!) rows.lastSeen[at] = last;
      values.push(value);
      lasts.push(last);
    }
    endKey();
    const loaded = new Map<string, LearnedKeys>();
    for (const [id, { learned, slots, lastSeen }] of byRule) {
      // Seen again in the order they were last seen: their entries from add() go stale.
      for (const i of Array.from(slots, (_, i) => i).sort((a, b) => lastSeen[a]! - lastSeen[b]!)) learned.seen(slots[i]!);
      loaded.set(id, learned);
    }
    return loaded;
  }
}
