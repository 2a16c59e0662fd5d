/**
 * Event rules keep nothing of their own: a rule with `resolve` reads its open keys back from the
 * stored problems (the alerts table, written at once by store/alerts.ts).
 */
import type { Db } from '../../store/database.js';
import type { KindStore } from '../kind.js';

/** With `resolve`: the keys whose problem is open. */
export type SavedOpenKeys = string[];

export class EventStore implements KindStore<SavedOpenKeys, undefined> {
  readonly sink = undefined;

  constructor(private readonly db: Db) {}

  hasChanges(): boolean {
    return false;
  }

  write(): void {}

  committed(): void {}

  load(): Map<string, SavedOpenKeys> {
    const byRule = new Map<string, SavedOpenKeys>();
    for (const row of this.db.prepare("SELECT DISTINCT rule_id, key FROM alerts WHERE problem = 1 AND resolved_at IS NULL AND kind = 'event'").all() as {
      rule_id: string;
      key: string;
    }[]) {
      byRule.get(row.rule_id)?.push(row.key) ?? byRule.set(row.rule_id, [row.key]);
    }
    return byRule;
  }
}
