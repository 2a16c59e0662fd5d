/**
 * The rules' learned state in SQLite: anomaly baselines, held timer starts, EPS states and the
 * open windows' counts (and, read back only, event rules' open problems). Changes are collected in memory (the latest per row) and written in one
 * transaction by flush(), which the daemon calls every second, so a kill -9 loses at most the
 * last second of learning and counting; ingest never waits on the disk per event.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import type { EpsState, RestoredRuleState, RuleStateSink, ValueSeen } from '../rules/state.js';
import { parseJsonRecords } from '../../common/records.js';
import type { Db } from './database.js';

const SEP = '\u0000';

export class SqliteRuleState implements RuleStateSink {
  private readonly keys = new Map<string, number | null>();
  /** Pending value rows by `rule SEP key`, then value: forgetting a key drops its pending values at once, not by a scan. */
  private readonly values = new Map<string, Map<string, ValueSeen | null>>();
  /**
   * null: delete the row. `replacesRow`: the hold follows a release not yet written, so a row may
   * exist; a hold without it that is released before the flush never reaches the database.
   */
  private readonly timers = new Map<string, { started: number; event: SyslogEvent; replacesRow: boolean } | null>();
  private readonly states = new Map<string, EpsState>();
  private readonly windows = new Map<string, { start: number; counts: Map<string, number> }>();
  private readonly write;

  constructor(private readonly db: Db) {
    const statements = {
      keyUpsert: db.prepare('INSERT INTO anomaly_keys (rule_id, key, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      keyDelete: db.prepare('DELETE FROM anomaly_keys WHERE rule_id = ? AND key = ?'),
      keyValuesDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ?'),
      valueUpsert: db.prepare('INSERT INTO anomaly_values (rule_id, key, value, first, last, count) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rule_id, key, value) DO UPDATE SET last = excluded.last, count = excluded.count'),
      valueDelete: db.prepare('DELETE FROM anomaly_values WHERE rule_id = ? AND key = ? AND value = ?'),
      timerUpsert: db.prepare('INSERT OR REPLACE INTO timers (rule_id, key, started, event) VALUES (?, ?, ?, ?)'),
      timerDelete: db.prepare('DELETE FROM timers WHERE rule_id = ? AND key = ?'),
      stateUpsert: db.prepare('INSERT OR REPLACE INTO eps_states (rule_id, key, state) VALUES (?, ?, ?)'),
      windowClear: db.prepare('DELETE FROM eps_windows WHERE rule_id = ?'),
      windowInsert: db.prepare('INSERT INTO eps_windows (rule_id, key, window_start, count) VALUES (?, ?, ?, ?)'),
    };
    this.write = db.transaction(() => {
      for (const [id, firstSeen] of this.keys) {
        const [rule, key] = id.split(SEP) as [string, string];
        if (firstSeen === null) {
          statements.keyDelete.run(rule, key);
          statements.keyValuesDelete.run(rule, key);
        } else statements.keyUpsert.run(rule, key, firstSeen);
      }
      for (const [id, values] of this.values) {
        const [rule, key] = id.split(SEP) as [string, string];
        for (const [value, seen] of values) {
          if (seen === null) statements.valueDelete.run(rule, key, value);
          else statements.valueUpsert.run(rule, key, value, seen.first, seen.last, seen.count);
        }
      }
      for (const [id, held] of this.timers) {
        const [rule, key] = id.split(SEP) as [string, string];
        if (held === null) statements.timerDelete.run(rule, key);
        else statements.timerUpsert.run(rule, key, held.started, JSON.stringify(held.event));
      }
      for (const [id, state] of this.states) {
        const [rule, key] = id.split(SEP) as [string, string];
        statements.stateUpsert.run(rule, key, state);
      }
      for (const [rule, window] of this.windows) {
        statements.windowClear.run(rule);
        for (const [key, count] of window.counts) statements.windowInsert.run(rule, key, window.start, count);
      }
    });
  }

  anomalyKey(ruleId: string, key: string, firstSeen: number): void {
    this.keys.set(ruleId + SEP + key, firstSeen);
  }
  anomalyValue(ruleId: string, key: string, value: string, seen: ValueSeen): void {
    // The detector's own object, updated in place: the flush writes its latest counts.
    this.pendingValues(ruleId, key).set(value, seen);
  }
  anomalyForgetValue(ruleId: string, key: string, value: string): void {
    this.pendingValues(ruleId, key).set(value, null);
  }
  anomalyForgetKey(ruleId: string, key: string): void {
    this.keys.set(ruleId + SEP + key, null);
    // Its rows go with the key's row at the flush (keyValuesDelete); nothing pending is left to write.
    this.values.delete(ruleId + SEP + key);
  }
  private pendingValues(ruleId: string, key: string): Map<string, ValueSeen | null> {
    const id = ruleId + SEP + key;
    let values = this.values.get(id);
    if (!values) this.values.set(id, (values = new Map()));
    return values;
  }
  timerHeld(ruleId: string, key: string, started: number, event: SyslogEvent): void {
    const id = ruleId + SEP + key;
    const pending = this.timers.get(id);
    this.timers.set(id, { started, event, replacesRow: pending === null || (pending?.replacesRow ?? false) });
  }
  timerReleased(ruleId: string, key: string): void {
    const id = ruleId + SEP + key;
    // A start and its end within one flush (most logons end quickly) cost the database nothing.
    if (this.timers.get(id)?.replacesRow === false) this.timers.delete(id);
    else this.timers.set(id, null);
  }
  epsState(ruleId: string, key: string, state: EpsState): void {
    this.states.set(ruleId + SEP + key, state);
  }
  epsWindow(ruleId: string, windowStart: number, counts: ReadonlyMap<string, number>): void {
    this.windows.set(ruleId, { start: windowStart, counts: new Map(counts) });
  }

  /** Writes the collected changes in one transaction. */
  flush(): void {
    if (this.keys.size + this.values.size + this.timers.size + this.states.size + this.windows.size === 0) return;
    this.write();
    this.keys.clear();
    this.values.clear();
    this.timers.clear();
    this.states.clear();
    this.windows.clear();
  }

  /** Everything kept, per rule id. */
  load(): Map<string, RestoredRuleState> {
    const byRule = new Map<string, RestoredRuleState>();
    const of = (rule: string) => byRule.get(rule) ?? (byRule.set(rule, {}), byRule.get(rule)!);
    const keyIndex = new Map<string, { key: string; firstSeen: number; values: { value: string; seen: ValueSeen }[] }>();
    for (const row of this.db.prepare('SELECT rule_id, key, first_seen FROM anomaly_keys').all() as { rule_id: string; key: string; first_seen: number }[]) {
      const entry = { key: row.key, firstSeen: row.first_seen, values: [] };
      keyIndex.set(row.rule_id + SEP + row.key, entry);
      (of(row.rule_id).anomaly ??= []).push(entry);
    }
    for (const row of this.db.prepare('SELECT rule_id, key, value, first, last, count FROM anomaly_values').all() as { rule_id: string; key: string; value: string; first: number; last: number; count: number }[]) {
      keyIndex.get(row.rule_id + SEP + row.key)?.values.push({ value: row.value, seen: { first: row.first, last: row.last, count: row.count } });
    }
    for (const row of this.db.prepare('SELECT rule_id, key, started, event FROM timers').all() as { rule_id: string; key: string; started: number; event: string }[]) {
      (of(row.rule_id).timers ??= []).push({ key: row.key, started: row.started, event: parseJsonRecords(row.event) as SyslogEvent });
    }
    for (const row of this.db.prepare('SELECT rule_id, key, state FROM eps_states').all() as { rule_id: string; key: string; state: EpsState }[]) {
      (of(row.rule_id).eps ??= { states: [] }).states.push({ key: row.key, state: row.state });
    }
    for (const row of this.db.prepare('SELECT rule_id, key, window_start, count FROM eps_windows').all() as { rule_id: string; key: string; window_start: number; count: number }[]) {
      const eps = (of(row.rule_id).eps ??= { states: [] });
      (eps.window ??= { start: row.window_start, counts: [] }).counts.push({ key: row.key, count: row.count });
    }
    // An event rule's open problems are the alerts table's, written at once (store/alerts.ts).
    for (const row of this.db.prepare("SELECT DISTINCT rule_id, key FROM alerts WHERE problem = 1 AND resolved_at IS NULL AND kind = 'event'").all() as { rule_id: string; key: string }[]) {
      (of(row.rule_id).event ??= { openKeys: [] }).openKeys.push(row.key);
    }
    // Least recently seen first, as the detectors keep them.
    const lastSeen = (k: { firstSeen: number; values: { seen: ValueSeen }[] }) => k.values.reduce((latest, v) => Math.max(latest, v.seen.last), k.firstSeen);
    for (const state of byRule.values()) state.anomaly?.sort((a, b) => lastSeen(a) - lastSeen(b));
    return byRule;
  }
}
