/** EPS rules' part of the store: each key's state (eps_states) and the open window's counts (eps_windows). */
import type { Db } from '../../store/database.js';
import type { KindStore } from '../kind.js';

export type EpsState = 'ok' | 'below' | 'above';

/** What an EPS monitor reports. */
export interface EpsSink {
  epsState(ruleId: string, key: string, state: EpsState): void;
  /** The counts of the window starting at `windowStart` that changed since the last call (the previous windows' are dropped); the store may keep the map. */
  epsWindow(ruleId: string, windowStart: number, counts: Map<string, number>): void;
}

export interface SavedEps {
  states: { key: string; state: EpsState }[];
  window?: { start: number; counts: { key: string; count: number }[] } | undefined;
}

export class EpsStore implements KindStore<SavedEps, EpsSink>, EpsSink {
  readonly sink = this;
  /** By rule, then key (not one map by ruleKeyId: 200,000 new keys in a second made 400,000 strings to join and split). */
  private readonly states = new Map<string, Map<string, EpsState>>();
  /** By rule: the open window's changed counts. */
  private readonly windows = new Map<string, { start: number; counts: Map<string, number> }>();
  /** By rule: the window whose rows the table holds, as far as this store knows (a restart deletes the other windows' rows at its first write). */
  private readonly written = new Map<string, number>();
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      stateUpsert: db.prepare('INSERT OR REPLACE INTO eps_states (rule_id, key, state) VALUES (?, ?, ?)'),
      windowClear: db.prepare('DELETE FROM eps_windows WHERE rule_id = ? AND window_start <> ?'),
      windowUpsert: db.prepare('INSERT OR REPLACE INTO eps_windows (rule_id, key, window_start, count) VALUES (?, ?, ?, ?)'),
    };
  }

  epsState(ruleId: string, key: string, state: EpsState): void {
    let states = this.states.get(ruleId);
    if (!states) this.states.set(ruleId, (states = new Map()));
    states.set(key, state);
  }
  epsWindow(ruleId: string, windowStart: number, counts: Map<string, number>): void {
    const pending = this.windows.get(ruleId);
    if (pending?.start !== windowStart) this.windows.set(ruleId, { start: windowStart, counts });
    else for (const [key, count] of counts) pending.counts.set(key, count);
  }

  hasChanges(): boolean {
    return this.states.size + this.windows.size > 0;
  }

  write(): void {
    const { statements } = this;
    for (const [rule, states] of this.states) for (const [key, state] of states) statements.stateUpsert.run(rule, key, state);
    for (const [rule, window] of this.windows) {
      if (this.written.get(rule) !== window.start) statements.windowClear.run(rule, window.start);
      for (const [key, count] of window.counts) statements.windowUpsert.run(rule, key, window.start, count);
    }
  }

  committed(): void {
    for (const [rule, window] of this.windows) this.written.set(rule, window.start);
    this.states.clear();
    this.windows.clear();
  }

  load(): Map<string, SavedEps> {
    const byRule = new Map<string, SavedEps>();
    const of = (rule: string) => byRule.get(rule) ?? (byRule.set(rule, { states: [] }), byRule.get(rule)!);
    for (const row of this.db.prepare('SELECT rule_id, key, state FROM eps_states').iterate() as Iterable<{ rule_id: string; key: string; state: EpsState }>) {
      of(row.rule_id).states.push({ key: row.key, state: row.state });
    }
    // One window's rows per rule: a write deletes the other windows' (write()).
    for (const row of this.db.prepare('SELECT rule_id, key, window_start, count FROM eps_windows').iterate() as Iterable<{
      rule_id: string;
      key: string;
      window_start: number;
      count: number;
    }>) {
      (of(row.rule_id).window ??= { start: row.window_start, counts: [] }).counts.push({ key: row.key, count: row.count });
    }
    return byRule;
  }
}
