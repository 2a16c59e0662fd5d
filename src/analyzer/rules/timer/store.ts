/** Timer rules' part of the store: the held starts, in `timers` (the event as held.ts encodes it). */
import type { Db } from '../../store/database.js';
import type { KindStore } from '../kind.js';
import { compactHeld, type Held } from './held.js';

/** What a timer tracker reports: the same Held object it keeps, on hold and on release. */
export interface TimerSink {
  timerHeld(ruleId: string, key: string, held: Held): void;
  timerReleased(ruleId: string, key: string, held: Held): void;
}

/** A rule's held starts by key, in start order (the order the tracker keeps them in). */
export type SavedTimers = Map<string, Held>;

export class TimerStore implements KindStore<SavedTimers, TimerSink>, TimerSink {
  readonly sink = this;
  /**
   * The changes since the last commit, in order: change i is rule `ruleIds[i]`'s key `keys[i]`
   * held (`holds[i]`, its Held) or released (null, its row deleted). A log, not a map by rule and
   * key: most starts end within the second (a logon and its logoff), and whether a release must
   * reach the database is in its Held (`row`), so neither a hold nor a release looks anything up
   * (the store's part, with the map's joined key hashed twice an event, was a fifth of the timer rules' time).
   */
  private ruleIds: string[] = [];
  private keys: string[] = [];
  private holds: (Held | null)[] = [];
  /** Changes in the log that write something: holds not dropped, and releases. */
  private effective = 0;
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
    this.log(ruleId, key, held);
  }

  timerReleased(ruleId: string, key: string, held: Held): void {
    if (held.row === 'written') return this.log(ruleId, key, null);
    // Its hold is still in the log, unwritten: a start and its end within one write (most logons
    // end quickly) cost the database nothing. A row an earlier hold of the key wrote has its own
    // release earlier in the log.
    held.row = 'dropped';
    this.effective--;
  }

  private log(ruleId: string, key: string, held: Held | null): void {
    this.ruleIds.push(ruleId);
    this.keys.push(key);
    this.holds.push(held);
    this.effective++;
  }

  hasChanges(): boolean {
    return this.effective > 0;
  }

  write(): void {
    const { ruleIds, keys, holds } = this;
    for (let i = 0; i < holds.length; i++) {
      const held = holds[i]!;
      if (held === null) this.statements.delete.run(ruleIds[i]!, keys[i]!);
      // The tracker keeps the same compact string from now on: one encoding for memory and disk.
      else if (held.row === 'unwritten') this.statements.upsert.run(ruleIds[i]!, keys[i]!, held.started, compactHeld(held));
    }
  }

  committed(): void {
    for (const held of this.holds) if (held?.row === 'unwritten') held.row = 'written';
    [this.ruleIds, this.keys, this.holds, this.effective] = [[], [], [], 0];
  }

  /** Streams the rows, then puts each rule's into its map in start order; the events stay the strings read (parsed only for an alert). */
  load(): Map<string, SavedTimers> {
    const byRule = new Map<string, { keys: string[]; held: Held[] }>();
    for (const [ruleId, key, started, event] of this.statements.load.raw(true).iterate() as Iterable<[string, string, number, string]>) {
      let rule = byRule.get(ruleId);
      if (!rule) byRule.set(ruleId, (rule = { keys: [], held: [] }));
      rule.keys.push(key);
      rule.held.push({ started, event, row: 'written' });
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
