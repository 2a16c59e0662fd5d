/**
 * The alert store's pages (keyset paging over (time, id), newest first) and filter facets, which
 * the web page's lists read; the problem rules are in test/analyzer/store/problems.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { alertId, type Alert } from '../../../src/analyzer/rules/alert.js';
import { AlertStore, type AlertCursor, type AlertFilter } from '../../../src/analyzer/store/alerts.js';
import { tempDatabases } from '../../helpers/temp-database.js';

const { database } = tempDatabases();

function alert(i: number, fields: Partial<Alert> = {}): Alert {
  const host = `host-${i % 7}`;
  // Ten alerts share each time, so pages end inside a run of equal times.
  const time = Date.UTC(2026, 11, 1) + Math.floor(i / 10) * 1000;
  return {
    id: alertId('r', host, time, String(i)),
    ruleId: `rule-${i % 3}`,
    kind: 'anomaly',
    severity: i % 2 ? 'err' : 'warning',
    time,
    host,
    key: host,
    value: 'v',
    summary: `alert ${i}`,
    evidence: {},
    ...fields,
  };
}

async function storeWith(count: number): Promise<AlertStore> {
  const store = new AlertStore(await database());
  for (let i = 0; i < count; i++) store.insert(alert(i));
  return store;
}

/** Every alert the filter selects, newest first, the way the page's links walk them. */
function walk(store: AlertStore, filter: AlertFilter, limit: number, direction: 'older' | 'newer', from?: AlertCursor): string[][] {
  const pages: string[][] = [];
  let cursor = from;
  for (;;) {
    const page = store.page(filter, direction === 'older' ? { before: cursor } : { after: cursor }, limit);
    pages.push(page.alerts.map((a) => a.id));
    const edge = direction === 'older' ? page.alerts.at(-1) : page.alerts[0];
    if (!(direction === 'older' ? page.older : page.newer) || !edge) return pages;
    cursor = { time: edge.time, id: edge.id };
  }
}

describe('pages of alerts', () => {
  it('older pages list every alert once, newest first, also where a page ends among equal times; newer pages lead back', async () => {
    const store = await storeWith(250);
    const all = store.list({ limit: 1000 }).map((a) => a.id);
    expect(all).toHaveLength(250);
    const older = walk(store, {}, 33, 'older');
    expect(older.map((page) => page.length)).toEqual([33, 33, 33, 33, 33, 33, 33, 19]);
    expect(older.flat()).toEqual(all);

    const last = store.list({ limit: 1000 }).at(-1)!;
    const newer = walk(store, {}, 33, 'newer', { time: last.time, id: last.id });
    // Back from the oldest: pages of 33 until fewer than 33 are newer, then the newest page.
    expect(new Set(newer.flat())).toEqual(new Set(all.slice(0, -1)));
    expect(newer.at(-1)).toEqual(all.slice(0, 33));
    for (const page of newer.slice(0, -1)) expect(page).toEqual(all.slice(all.indexOf(page[0]!), all.indexOf(page[0]!) + 33));

    const first = store.page({}, {}, 33);
    expect([first.newer, first.older]).toEqual([false, true]);
    const end = store.page({}, { before: { time: last.time, id: last.id } }, 33);
    expect(end).toEqual({ alerts: [], newer: false, older: false });
  });

  it('filters page the same way: open, by host and rule, by severity', async () => {
    const store = await storeWith(300);
    for (let i = 0; i < 300; i += 4) store.acknowledge(alert(i).id, { by: 'erin', at: 0, comment: 'seen' });
    for (const filter of [{ open: true }, { open: true, host: 'host-3' }, { open: true, ruleId: 'rule-1', minSeverity: 'err' as const }]) {
      const expected = store.list({ ...filter, limit: 1000 }).map((a) => a.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(walk(store, filter, 20, 'older').flat()).toEqual(expected);
      expect(store.count(filter)).toBe(expected.length);
    }
    expect(store.count({ open: true })).toBe(300 - 75);
    expect([store.count({ open: true }, 100), store.count({ open: true }, 300)]).toEqual([101, 225]); // stops past the bound
  });
});

describe('facets', () => {
  it('the rule ids and hosts of open alerts, in order, one more than asked for when there are more', async () => {
    const store = await storeWith(70);
    for (let i = 0; i < 70; i++) if (alert(i).host === 'host-6') store.acknowledge(alert(i).id, { by: 'erin', at: 0, comment: 'seen' });
    expect(store.facets(10)).toEqual({ ruleIds: ['rule-0', 'rule-1', 'rule-2'], hosts: ['host-0', 'host-1', 'host-2', 'host-3', 'host-4', 'host-5'] });
    expect(store.facets(2)).toEqual({ ruleIds: ['rule-0', 'rule-1', 'rule-2'], hosts: ['host-0', 'host-1', 'host-2'] });
  });
});
