/**
 * Problems in the store: an opening makes a problem that stays open until its resolution, whatever
 * the acknowledgements; a re-opening within the flap window is the same problem, counted; a
 * database written before problems existed opens with its alerts as they were.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/analyzer/rules/alert.js';
import { AlertStore } from '../../../src/analyzer/store/alerts.js';
import { MIGRATIONS, openDatabase, type Db } from '../../../src/analyzer/store/database.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function store(): Promise<AlertStore> {
  const db = openDatabase(await mkdtemp(join(tmpdir(), 'envirowatch-problems-')));
  opened.push(db);
  return new AlertStore(db);
}

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 4, 10);
const FLAP = 15 * MINUTE;

function transition(problem: Alert['problem'], minute: number, key = 'sensor-a'): Alert {
  return {
    id: `${key}-${problem ?? 'alert'}-${minute}`,
    ruleId: 'sensor-silent',
    kind: 'eps',
    severity: 'err',
    time: T0 + minute * MINUTE,
    host: key,
    key,
    state: problem === 'resolved' ? 'recovered' : 'below',
    problem,
    summary: `sensor-silent: ${key} ${problem === 'resolved' ? 'recovered' : 'below 3'}`,
    evidence: { count: 0 },
  };
}

describe('problems', () => {
  it('open until resolved: an acknowledgement does not resolve it; the resolution is notified with its duration, then it leaves the open list', async () => {
    const alerts = await store();
    expect(alerts.record(transition('open', 0), FLAP)).toMatchObject({ id: 'sensor-a-open-0', problem: 'open' });
    expect(alerts.record({ ...transition('open', 5), state: 'above' }, FLAP)).toBeUndefined(); // already open: nothing new
    expect(alerts.acknowledge('sensor-a-open-0', { by: 'erin', at: T0 + MINUTE, comment: 'on it' })).toBe(true);
    expect(alerts.list({ open: true }).map((a) => a.id)).toEqual(['sensor-a-open-0']);
    expect(alerts.count({ open: true })).toBe(1);

    const resolution = alerts.record(transition('resolved', 7), FLAP);
    expect(resolution).toMatchObject({
      id: 'sensor-a-resolved-7',
      problem: 'resolved',
      summary: 'sensor-silent: sensor-a recovered; resolved after 7m',
      resolves: { id: 'sensor-a-open-0', openedAt: T0, durationMs: 7 * MINUTE, reopened: 0 },
    });
    expect(alerts.record(transition('resolved', 8), FLAP)).toBeUndefined(); // nothing open
    expect(alerts.list({ open: true })).toEqual([]);
    expect(alerts.list()).toHaveLength(1); // history: one problem, not two alerts
    expect(alerts.get('sensor-a-open-0')).toMatchObject({
      ack: { by: 'erin', comment: 'on it' },
      problem: {
        resolvedAt: T0 + 7 * MINUTE,
        reopened: 0,
        resolution: { time: T0 + 7 * MINUTE, summary: 'sensor-silent: sensor-a recovered', evidence: { count: 0 } },
      },
    });
  });

  it('re-opening within the flap window is the same problem, counted; after it, a new problem', async () => {
    const alerts = await store();
    alerts.record(transition('open', 0), FLAP);
    alerts.record(transition('resolved', 5), FLAP);
    expect(alerts.record(transition('open', 20), FLAP)?.summary).toBe(
      'sensor-silent: sensor-a below 3 (re-opened 1× within 15m of its resolution; opened 2026-12-04T10:00:00.000Z)',
    );
    expect(alerts.list({ open: true }).map((a) => [a.id, a.problem?.reopened, a.problem?.resolvedAt])).toEqual([['sensor-a-open-0', 1, undefined]]);
    expect(alerts.record(transition('resolved', 30), FLAP)?.resolves).toEqual({ id: 'sensor-a-open-0', openedAt: T0, durationMs: 30 * MINUTE, reopened: 1 });
    expect(alerts.record(transition('open', 46), FLAP)).toMatchObject({ id: 'sensor-a-open-46' }); // 16 minutes later: new
    expect(alerts.list().map((a) => a.id)).toEqual(['sensor-a-open-46', 'sensor-a-open-0']);
  });

  it('one-shot alerts stay open until acknowledged; purging old alerts keeps open problems', async () => {
    const alerts = await store();
    alerts.record(transition(undefined, 0, 'vpn'), FLAP);
    alerts.record(transition('open', 0), FLAP);
    alerts.record(transition('open', 1, 'sensor-b'), FLAP);
    alerts.record(transition('resolved', 2, 'sensor-b'), FLAP);
    expect(
      alerts
        .list({ open: true })
        .map((a) => a.id)
        .sort(),
    ).toEqual(['sensor-a-open-0', 'vpn-alert-0']);
    alerts.acknowledge('vpn-alert-0', { by: 'erin', at: T0, comment: 'known' });
    expect(alerts.list({ open: true }).map((a) => a.id)).toEqual(['sensor-a-open-0']);
    expect(alerts.purge(T0 + 60 * MINUTE)).toBe(2);
    expect(alerts.list().map((a) => a.id)).toEqual(['sensor-a-open-0']);
  });
});

describe('a database from before problems', () => {
  it('opens with its alerts, acknowledgements and open state as they were, and takes problems from then on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-old-db-'));
    const old = new Database(join(dir, 'analyzer.sqlite'));
    // Schema 5: the last one without problems.
    for (const migration of MIGRATIONS.slice(0, 5)) old.exec(migration);
    old.pragma('user_version = 5');
    const insert = old.prepare(
      "INSERT INTO alerts (id, rule_id, kind, severity, time, host, key, state, summary, evidence, acked_by, acked_at, ack_comment) VALUES (?, 'sensor-silent', 'eps', 'err', ?, 'sensor-a', 'sensor-a', ?, ?, '{}', ?, ?, ?)",
    );
    insert.run('old-below', T0, 'below', 'sensor-silent: sensor-a below 3', null, null, null);
    insert.run('old-recovered', T0 + 5 * MINUTE, 'recovered', 'sensor-silent: sensor-a recovered', 'erin', T0 + 6 * MINUTE, 'fine');
    old.close();

    const db = openDatabase(dir);
    opened.push(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const alerts = new AlertStore(db);
    expect(alerts.list().map((a) => [a.id, a.state, a.ack?.by, a.problem])).toEqual([
      ['old-recovered', 'recovered', 'erin', undefined],
      ['old-below', 'below', undefined, undefined],
    ]);
    expect(alerts.list({ open: true }).map((a) => a.id)).toEqual(['old-below']); // old alerts: open until acknowledged, as before
    expect(alerts.record(transition('open', 10), FLAP)).toMatchObject({ problem: 'open' });
    expect(alerts.record(transition('resolved', 12), FLAP)?.resolves?.durationMs).toBe(2 * MINUTE);
  });
});
