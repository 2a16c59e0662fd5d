/** EPS rules' part of the store: each key's state (eps_states) and the open window's counts (eps_windows). */
import type { Db } from '../../store/database.js';
import { ruleKeyId, splitRuleKeyId } from '../../store/rule-keys.js';
import type { KindStore } from '../kind.js';

export type EpsState = 'ok' | 'below' | 'above';

/** What an EPS monitor reports. */
export interface EpsSink {
  epsState(ruleId: string, key: string, state: EpsState): void;
  epsWindow(ruleId: string, windowStart: number, counts: ReadonlyMap<string, number>): void;
}

export interface SavedEps {
  states: { key: string; state: EpsState }[];
  window?: { start: number; counts: { key: string; count: number }[] } | undefined;
}

export class EpsStore implements KindStore<SavedEps, EpsSink>, EpsSink {
  readonly sink = this;
  private readonly states = new Map<string, EpsState>();
  private readonly windows = new Map<string, { start: number; counts: Map<string, number> }>();
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      stateUpsert: db.prepare('INSERT OR REPLACE INTO eps_states (rule_id, key, state) VALUES (?, ?, ?)'),
      windowClear: db.prepare('DELETE FROM eps_windows WHERE rule_id = ?'),
      windowInsert: db.prepare('INSERT INTO eps_windows (rule_id, key, window_start, count) VALUES (?, ?, ?, ?)'),
    };
  }

  epsState(ruleId: string, key: string, state: EpsState): void {
    this.states.set(ruleKeyId(ruleId, key), state);
  }
  epsWindow(ruleId: string, windowStart: number, counts: ReadonlyMap<string, number>): void {
    this.windows.set(ruleId, { start: windowStart, counts: new Map(counts) });
  }

  hasChanges(): boolean {
    return this.states.size + this.windows.size > 0;
  }

  write(): void {
    const { statements } = this;
    for (const [id, state] of this.states) {
      const [rule, key] = splitRuleKeyId(id);
      statements.stateUpsert.run(rule, key, state);
    }
    for (const [rule, window] of this.windows) {
      statements.windowClear.run(rule);
      for (const [key, count] of window.counts) statements.windowInsert.run(rule, key, window.start, count);
    }
    this.states.clear();
    this.windows.clear();
  }

  load(): Map<string, SavedEps> {
    const byRule = new Map<string, SavedEps>();
    const of = (rule: string) => byRule.get(rule) ?? (byRule.set(rule, { states: [] }), byRule.get(rule)!);
    for (const row of this.db.prepare('SELECT rule_id, key, state FROM eps_states').all() as { rule_id: string; key: string; state: EpsState }[]) {
      of(row.rule_id).states.push({ key: row.key, state: row.state });
    }
    for (const row of this.db.prepare('SELECT rule_id, key, window_start, count FROM eps_windows').all() as { rule_id: string; key: string; window_start: number; count: number }[]) {
      (of(row.rule_id).window ??= { start: row.window_start, counts: [] }).counts.push({ key: row.key, count: row.count });
    }
    return byRule;
  }
}
