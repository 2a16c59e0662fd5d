/** EPS rules' part of the store: each second only the counts that changed are written, and a restart gets the open window's counts back. */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../../src/common/config-file.js';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { EpsMonitor } from '../../../../src/analyzer/rules/eps/eps.js';
import type { EpsRule } from '../../../../src/analyzer/rules/eps/schema.js';
import { EpsStore } from '../../../../src/analyzer/rules/eps/store.js';
import { rulesFileSchema } from '../../../../src/analyzer/rules/schema.js';
import { changes, tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();
const [rule] = parseConfigText(
  rulesFileSchema,
  'rules:\n  - { id: beats, kind: eps, match: { regex: "^x" }, key: "${host}", interval: 1m, below: 1 }\n',
  'rules.yaml',
).rules as [EpsRule];
const event = (host: string) => parseSyslog(`<13>1 - ${host} app - - - x`, { receivedAt: 0, source: 'x:1' });
const START = Date.UTC(2026, 11, 4);

describe('eps store', () => {
  it("writes the counts that changed since the last second, drops the last window's rows, and reads the open window back", async () => {
    const db = await database();
    const store = new EpsStore(db);
    const monitor = new EpsMonitor(rule, store);
    const second = () => {
      monitor.flush();
      const before = changes(db);
      if (store.hasChanges()) {
        store.write();
        store.committed();
      }
      return changes(db) - before;
    };
    monitor.advance(START);
    for (const host of ['a', 'b', 'c']) monitor.process(event(host), START + 1000);
    expect(second()).toBe(3 + 3); // three new keys' states, three counts
    monitor.process(event('b'), START + 2000);
    expect(second()).toBe(1); // b's count only
    expect(second()).toBe(0); // nothing changed: no write at all
    expect(store.hasChanges()).toBe(false);
    monitor.process(event('c'), START + 61_000); // the next window: a, b and c's rows of the last one go
    expect(second()).toBe(3 + 1);
    const saved = new EpsStore(db).load().get('beats')!;
    expect(saved.window).toEqual({ start: START + 60_000, counts: [{ key: 'c', count: 1 }] });
    expect(saved.states.map((s) => s.key).sort()).toEqual(['a', 'b', 'c']);
  });
});
