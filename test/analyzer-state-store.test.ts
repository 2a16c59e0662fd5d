/**
 * What the analyzer's one-second flushes write: timer starts that end within a flush never reach
 * the database (but a release of a row already written always does), and a heartbeat flood keeps
 * the latest reading per host and quantity instead of a row per message.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSyslog } from '../src/common/syslog/parse.js';
import { openDatabase, type Db } from '../src/analyzer/store/database.js';
import { SqliteRuleState } from '../src/analyzer/store/rule-state.js';
import { latestReadings, SensorData } from '../src/analyzer/store/sensor-data.js';
import { countersSummary, type AnalyzerCounters } from '../src/analyzer/store/status.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function database(): Promise<Db> {
  const db = openDatabase(await mkdtemp(join(tmpdir(), 'envirowatch-state-')));
  opened.push(db);
  return db;
}

const event = (text: string) => parseSyslog(text, { receivedAt: Date.UTC(2026, 11, 3), source: '192.0.2.1:514' });
const changes = (db: Db) => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const heldTimers = (state: SqliteRuleState) => (state.load().get('rdp')?.timers ?? []).map(({ key, started }) => `${key}@${started}`);

describe('the rules state flush', () => {
  it('writes nothing for a start released before the flush, and deletes a written start when released', async () => {
    const db = await database();
    const state = new SqliteRuleState(db);
    const logon = event('<134>1 2026-12-03T08:00:00Z srv1 win - - - 4624 logon');
    const before = changes(db);
    state.timerHeld('rdp', 'a', 1, logon);
    state.timerReleased('rdp', 'a');
    state.flush();
    expect(changes(db)).toBe(before);
    expect(heldTimers(state)).toEqual([]);

    state.timerHeld('rdp', 'b', 2, logon);
    state.flush();
    expect(heldTimers(state)).toEqual(['b@2']);
    // Released, held again and released within one flush: the written row must still go.
    state.timerReleased('rdp', 'b');
    state.timerHeld('rdp', 'b', 3, logon);
    state.timerReleased('rdp', 'b');
    state.flush();
    expect(heldTimers(state)).toEqual([]);

    state.timerHeld('rdp', 'c', 4, logon);
    state.flush();
    state.timerReleased('rdp', 'c');
    state.timerHeld('rdp', 'c', 5, logon);
    state.flush();
    expect(heldTimers(state)).toEqual(['c@5']);
  });

  it('keeps the latest anomaly counts of a value updated after it was reported', async () => {
    const db = await database();
    const state = new SqliteRuleState(db);
    const seen = { first: 1, last: 1, count: 1 };
    state.anomalyKey('vpn', 'dave', 1);
    state.anomalyValue('vpn', 'dave', '198.51.100.1', seen);
    seen.last = 9;
    seen.count = 4;
    state.anomalyValue('vpn', 'dave', '198.51.100.1', seen);
    state.flush();
    expect(state.load().get('vpn')?.anomaly).toEqual([{ key: 'dave', firstSeen: 1, values: [{ value: '198.51.100.1', seen: { first: 1, last: 9, count: 4 } }] }]);
  });
});

describe('sensor readings', () => {
  it('a heartbeat flood writes the latest reading per host and quantity, not a row per message', async () => {
    const db = await database();
    const sensors = new SensorData(db);
    for (let i = 0; i < 1000; i++) {
      const host = `sensor-${i % 2}`;
      sensors.observe(event(`<134>1 2026-12-03T08:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="${20 + i / 1000}" humidity="40"] t`));
    }
    sensors.flush();
    expect((db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n).toBe(4);
    expect(latestReadings(db).map(({ host, readings }) => [host, readings.map((r) => `${r.quantity}=${r.value}`)])).toEqual([
      ['sensor-0', ['humidity=40', 'temperature=20.998']],
      ['sensor-1', ['humidity=40', 'temperature=20.999']],
    ]);
  });
});

describe('the minute\'s counters line', () => {
  it('is a few totals: received over transports, events, lost messages, alerts over rules, the outbox', () => {
    const counters = {
      ingest: { received: { udp: 5, tcp: 7, tls: 1 }, parsed: { rfc5424: 10, rfc3164: 2, raw: 0 }, oversize: 1, invalidUtf8: 3, truncated: 0, connections: 2, refusedConnections: { perSource: 0, maxConnections: 0 }, closedConnections: { idle: 0, partialFrame: 0, overlongFrame: 0, evicted: 0, handlerError: 0 }, parseErrors: 0, sinkErrors: 0, tlsHandshakeFailures: 0, udpKernelDrops: 2 },
      engine: { events: 12, outOfOrder: 0 },
      rules: { a: { kind: 'eps', counters: { matched: 12, alerts: 2, windows: 4 } }, b: { kind: 'timer', counters: { starts: 1, alerts: 1 } } },
      notify: { outbox: 3, delivered: 0, retried: 1, gaveUp: 0 },
    } satisfies AnalyzerCounters;
    expect(countersSummary(counters)).toEqual({ received: 13, events: 12, lost: 3, alerts: 3, outbox: 3, gaveUp: 0 });
  });
});
