/** Timer rules' part of the store: the held starts, in `timers`. */
import { parseJsonRecords } from '../../../common/records.js';
import type { SyslogEvent } from '../../../common/syslog/event.js';
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';

/** What a timer tracker reports. */
export interface TimerSink {
  timerHeld(ruleId: string, key: string, started: number, event: SyslogEvent): void;
  timerReleased(ruleId: string, key: string): void;
}

export type SavedTimers = { key: string; started: number; event: SyslogEvent }[];

export class TimerStore implements KindStore<SavedTimers, TimerSink>, TimerSink {
  readonly sink = this;
  /**
   * null: delete the row. `replacesRow`: the hold follows a release not yet written, so a row may
   * exist; a hold without it that is released before the write never reaches the database.
   */
  private readonly timers = new Map<string, { started: number; event: SyslogEvent; replacesRow: boolean } | null>();
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      upsert: db.prepare('INSERT OR REPLACE INTO timers (rule_id, key, started, event) VALUES (?, ?, ?, ?)'),
      delete: db.prepare('DELETE FROM timers WHERE rule_id = ? AND key = ?'),
    };
  }

  timerHeld(ruleId: string, key: string, started: number, event: SyslogEvent): void {
    const id = ruleKeyId(ruleId, key);
    const pending = this.timers.get(id);
    this.timers.set(id, { started, event, replacesRow: pending === null || (pending?.replacesRow ?? false) });
  }
  timerReleased(ruleId: string, key: string): void {
    const id = ruleKeyId(ruleId, key);
    // A start and its end within one write (most logons end quickly) cost the database nothing.
    if (this.timers.get(id)?.replacesRow === false) this.timers.delete(id);
    else this.timers.set(id, null);
  }

  hasChanges(): boolean {
    return this.timers.size > 0;
  }

  write(): void {
    for (const [id, held] of this.timers) {
      const [rule, key] = splitRuleKeyId(id);
      if (held === null) this.statements.delete.run(rule, key);
      else this.statements.upsert.run(rule, key, held.started, JSON.stringify(held.event));
    }
    this.timers.clear();
  }

  load(): Map<string, SavedTimers> {
    const byRule = new Map<string, SavedTimers>();
    for (const row of this.db.prepare('SELECT rule_id, key, started, event FROM timers').all() as { rule_id: string; key: string; started: number; event: string }[]) {
      const held = { key: row.key, started: row.started, event: parseJsonRecords(row.event) as SyslogEvent };
      byRule.get(row.rule_id)?.push(held) ?? byRule.set(row.rule_id, [held]);
    }
    return byRule;
  }
}
