/**
 * The rules' learned state in SQLite, each kind's part in its own tables (rules/<kind>/store.ts:
 * anomaly baselines, held timer starts, EPS states and the open windows' counts; event rules read
 * their open problems back). Changes are collected in memory and written in one transaction by
 * flush(), which the daemon calls every second (committed by its background writer's thread), so
 * a kill -9 loses at most the last second of learning and counting; ingest never waits on the disk
 * per event.
 */
import type { RuleSinks, SavedRuleState } from '../rules/engine.js';
import type { KindStore } from '../rules/kind.js';
import { RULE_KINDS } from '../rules/kinds.js';
import type { Db } from './database.js';

export class SqliteRuleState implements RuleSinks {
  /** By kind name. */
  private readonly stores = new Map<string, KindStore<unknown, unknown>>();
  private readonly write;

  constructor(db: Db) {
    for (const [name, kind] of RULE_KINDS) {
      const store = kind.openStore?.(db);
      if (store) this.stores.set(name, store);
    }
    this.write = db.transaction(() => {
      for (const store of this.stores.values()) store.write();
    });
  }

  sinkFor(kind: string): unknown {
    return this.stores.get(kind)?.sink;
  }

  /**
   * Writes the collected changes in one transaction. In the daemon `db` is the background writer's
   * (store/background-writer.ts): this records them and they are forgotten here at once; that
   * writer keeps a batch the database refused and retries it.
   */
  flush(): void {
    if (![...this.stores.values()].some((store) => store.hasChanges())) return;
    this.write();
    for (const store of this.stores.values()) store.committed();
  }

  /** Everything kept, by kind and rule id. */
  load(): SavedRuleState {
    return new Map([...this.stores].map(([name, store]) => [name, store.load()]));
  }
}
