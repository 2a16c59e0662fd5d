/**
 * Anomaly rules' part of the store: keys (first seen) and their values (first, last, count) in
 * anomaly_keys and anomaly_values. The detector keeps only the values themselves
 * (learned.ts); their times and counts are collected here, per second, and added to the rows.
 */
import type { Db } from '../../store/database.js';
import type { KindStore } from '../kind.js';
import { LearnedKeys } from './learned.js';
import { PendingRows } from './pending-rows.js';

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

export class AnomalyStore implements KindStore<LearnedKeys, AnomalySink>, AnomalySink {
  readonly sink = this;
  /** What the detectors reported since the last write (pending-rows.ts). */
  private readonly pending = new PendingRows();
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
    this.pending.key(ruleId, key, firstSeen);
  }
  anomalyLearned(ruleId: string, key: string, value: string, now: number): void {
    this.pending.learned(ruleId, key, value, now);
  }
  anomalySeen(ruleId: string, key: string, value: string, now: number): void {
    this.pending.seen(ruleId, key, value, now);
  }
  anomalyForgetValue(ruleId: string, key: string, value: string): void {
    this.pending.forgetValue(ruleId, key, value);
  }
  anomalyForgetKey(ruleId: string, key: string): void {
    this.pending.forgetKey(ruleId, key);
  }

  hasChanges(): boolean {
    return !this.pending.isEmpty;
  }

  write(): void {
    const { statements } = this;
    this.pending.writeTo({
      keyAdd: (rule, key, firstSeen) => statements.keyUpsert.run(rule, key, firstSeen),
      keyDelete: (rule, key) => {
        statements.keyDelete.run(rule, key);
        statements.keyValuesDelete.run(rule, key);
      },
      valueReplace: (rule, key, value, first, last, count) => statements.valueReplace.run(rule, key, value, first, last, count),
      valueSeen: (rule, key, value, last, count) => statements.valueSeen.run(last, count, rule, key, value),
      valueDelete: (rule, key, value) => statements.valueDelete.run(rule, key, value),
    });
  }

  committed(): void {
    this.pending.committed();
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
