/**
 * What the analyzer's one-second flushes write: a heartbeat flood keeps the latest reading per
 * host and quantity instead of a row per message (the rules' parts: test/analyzer/rules/<kind>/store.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../src/common/syslog/parse.js';
import { tempDatabases } from './helpers/temp-database.js';
import { latestReadings, SensorData } from '../src/analyzer/store/sensor-data.js';
import { countersSummary, type AnalyzerCounters } from '../src/analyzer/store/status.js';

const { database } = tempDatabases();

const event = (text: string) => parseSyslog(text, { receivedAt: Date.UTC(2026, 11, 3), source: '192.0.2.1:514' });
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
