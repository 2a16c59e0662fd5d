/** Timer rules' part of the store: the held starts, in `timers` (the event as held.ts encodes it). */
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';
import { compactHeld, type Held } from './held.js';

/** What a timer tracker reports. */
export interface TimerSink {
  timerHeld(ruleId: string, key: string, held: Held): void;
  timerReleased(ruleId: string, key: string): void;
}

/** A rule's held starts by key, in start order (the order the tracker keeps them in). */
export type SavedTimers = Map<string, Held>;

export class TimerStore implements KindStore<SavedTimers, TimerSink>, TimerSink {
  readonly sink = this;
  /**
   * null: delete the row. `replacesRow`: the hold follows a release not yet written, so a row may
   * exist; a hold without it that is released before the write never reaches the database.
   */
  private readonly timers = new Map<string, { held: Held; replacesRow: boolean } | null>();
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      upsert: db.prepare('INSERT OR REPLACE INTO timers (rule_id, key, started, event) VALUES (?, ?, ?, ?)'),
      delete: db.prepare('DELETE FROM timers WHERE rule_id = ? AND key = ?'),
      // In the table's order (by rule, then key): a read in start order through an index was slower than a sort here.
      load: db.prepare('SELECT rule_id, key, started, event FROM timers'),
    };
  }

  timerHeld(ruleId: string, key: string, held: Held): void {
    const id = ruleKeyId(ruleId, key);
    const pending = this.timers.get(id);
    this.timers.set(id, { held, replacesRow: pending === null || (pending?.replacesRow ?? false) });
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
    for (const [id, pending] of this.timers) {
      const [rule, key] = splitRuleKeyId(id);
      if (pending === null) this.statements.delete.run(rule, key);
      // The tracker keeps the same compact string from now on: one encoding for memory and disk.
      else this.statements.upsert.run(rule, key, pending.held.started, compactHeld(pending.held));
    }
  }

  committed(): void {
    this.timers.clear();
  }

  /** Streams the rows, then puts each rule's into its map in start order; the events stay the strings read (parsed only for an alert). */
  load(): Map<string, SavedTimers> {
    const byRule = new Map<string, { keys: string[]; held: Held[] }>();
    for (const [ruleId, key, started, event] of this.statements.load.raw(true).iterate() as Iterable<[string, string, number, string]>) {
      let rule = byRule.get(ruleId);
      if (!rule) byRule.set(ruleId, (rule = { keys: [], held: [] }));
      rule.keys.push(key);
      rule.held.push({ started, event });
    }
    const timers = new Map<string, SavedTimers>();
    for (const [ruleId, { keys, held }] of byRule) {
      const order = Array.from(keys, (_, i) => i).sort((a, b) => held[a]!.started - held[b]!.started);
      const inOrder: SavedTimers = new Map();
      for (const i of order) inOrder.set(keys[i]!, held[i]!);
      timers.set(ruleId, inOrder);
    }
    return timers;
  }
}
