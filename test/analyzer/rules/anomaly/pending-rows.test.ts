/**
 * The anomaly store's pending rows, written once a second, leave the tables as if every change
 * had been written when it happened: a model applies each change to rows at once, as SQLite would
 * (a key's row is added unless there is one, a sighting counts on a row that exists), and after
 * every flush the tables must equal it. Any order of changes, not only those a detector makes
 * (a key forgotten and added again within one flush, a value seen after it was forgotten).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnomalyStore } from '../../../../src/analyzer/rules/anomaly/store.js';
import type { Db } from '../../../../src/analyzer/store/database.js';
import { tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();

type Change =
  | { op: 'key'; rule: string; key: string }
  | { op: 'learned' | 'seen' | 'forgetValue'; rule: string; key: string; value: string }
  | { op: 'forgetKey'; rule: string; key: string }
  | { op: 'flush' };

/** Mostly the first, so that one value's changes meet within a flush (learned, seen, learned again). */
const mostlyFirst = <T>(first: T, ...others: T[]) =>
  fc.oneof({ arbitrary: fc.constant(first), weight: 3 }, { arbitrary: fc.constantFrom(...others), weight: 1 });
const rule = mostlyFirst('vpn', 'ssh');
// JavaScript-special names among them: they are Map keys and joined into ids here.
const key = mostlyFirst('dave', 'erin', '__proto__', 'constructor', '0', 'a\u0000b', 'a');
const value = mostlyFirst('10.0.0.1', '10.0.0.2', 'toString', '', '\u0000', '1\u00002', '\u0000b');
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ op: fc.constant('key' as const), rule, key }),
  fc.record({ op: fc.constantFrom('learned' as const, 'seen' as const, 'forgetValue' as const), rule, key, value }),
  fc.record({ op: fc.constant('forgetKey' as const), rule, key }),
  fc.constant({ op: 'flush' as const }),
);

/** The tables as rows written at once would leave them. */
class Model {
  readonly keys = new Map<string, number>();
  readonly values = new Map<string, { first: number; last: number; count: number }>();

  apply(c: Exclude<Change, { op: 'flush' }>, now: number): void {
    const keyId = JSON.stringify([c.rule, c.key]);
    if (c.op === 'key') {
      if (!this.keys.has(keyId)) this.keys.set(keyId, now); // ON CONFLICT DO NOTHING
      return;
    }
    if (c.op === 'forgetKey') {
      this.keys.delete(keyId);
      for (const id of this.values.keys()) if (id.startsWith(keyId.slice(0, -1) + ',')) this.values.delete(id);
      return;
    }
    const id = JSON.stringify([c.rule, c.key, c.value]);
    const row = this.values.get(id);
    if (c.op === 'learned')
      this.values.set(id, { first: now, last: now, count: 1 }); // INSERT OR REPLACE
    else if (c.op === 'forgetValue') this.values.delete(id);
    else if (row) {
      row.last = now;
      row.count++;
    }
  }

  tables() {
    return {
      keys: [...this.keys].map(([id, firstSeen]) => [...(JSON.parse(id) as string[]), firstSeen]).sort(),
      values: [...this.values].map(([id, { first, last, count }]) => [...(JSON.parse(id) as string[]), first, last, count]).sort(),
    };
  }
}

const tables = (db: Db) => ({
  keys: (db.prepare('SELECT rule_id, key, first_seen FROM anomaly_keys').raw(true).all() as unknown[][]).sort(),
  values: (db.prepare('SELECT rule_id, key, value, first, last, count FROM anomaly_values').raw(true).all() as unknown[][]).sort(),
});

describe('anomaly pending rows', () => {
  it('after every flush the tables are what writing each change at once would have made them', async () => {
    let run = 0;
    const databases: Db[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 80 }), async (changes) => {
        // A database per 25 runs: each run starts from empty tables.
        if (run++ % 25 === 0) databases.push(await database());
        const db = databases.at(-1)!;
        db.exec('DELETE FROM anomaly_keys; DELETE FROM anomaly_values');
        const store = new AnomalyStore(db);
        const model = new Model();
        const flush = () => {
          db.transaction(() => store.write())();
          store.committed();
          expect(tables(db)).toEqual(model.tables());
        };
        changes.forEach((c, now) => {
          if (c.op === 'flush') return flush();
          model.apply(c, now);
          if (c.op === 'key') store.anomalyKey(c.rule, c.key, now);
          else if (c.op === 'learned') store.anomalyLearned(c.rule, c.key, c.value, now);
          else if (c.op === 'seen') store.anomalySeen(c.rule, c.key, c.value, now);
          else if (c.op === 'forgetValue') store.anomalyForgetValue(c.rule, c.key, c.value);
          else store.anomalyForgetKey(c.rule, c.key);
        });
        flush();
      }),
      { numRuns: 300 },
    );
  });
});
