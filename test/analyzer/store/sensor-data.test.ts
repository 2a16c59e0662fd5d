/**
 * What the analyzer's one-second flushes write: a heartbeat flood keeps the latest reading per
 * host and quantity instead of a row per message (the rules' parts: test/analyzer/rules/<kind>/store.test.ts);
 * what the web page reads back: sensors a page at a time, the hosts most active lately.
 */
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/common/syslog/parse.js';
import { tempDatabases } from '../../helpers/temp-database.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, openDatabase } from '../../../src/analyzer/store/database.js';
import { activityScore, busiestHosts, countRateHosts, countSensors, SensorData, sensorsPage } from '../../../src/analyzer/store/sensor-data.js';

const { database } = tempDatabases();

const event = (text: string) => parseSyslog(text, { receivedAt: Date.UTC(2026, 11, 3), source: '192.0.2.1:514' });
describe('sensor readings', () => {
  it('a heartbeat flood writes the latest reading per host and quantity, not a row per message', async () => {
    const db = await database();
    const sensors = new SensorData(db);
    for (let i = 0; i < 1000; i++) {
      const host = `sensor-${i % 2}`;
      sensors.observe(
        event(
          `<134>1 2026-12-03T08:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="${20 + i / 1000}" humidity="40"] t`,
        ),
      );
    }
    sensors.flush();
    expect((db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n).toBe(4);
    expect(sensorsPage(db, {}, 10).sensors.map(({ host, readings }) => [host, readings.map((r) => `${r.quantity}=${r.value}`)])).toEqual([
      ['sensor-0', ['humidity=40', 'temperature=20.998']],
      ['sensor-1', ['humidity=40', 'temperature=20.999']],
    ]);
  });
});

describe('what the web page reads', () => {
  const MINUTE = 60_000;
  const now = Date.UTC(2026, 11, 3, 12);
  const heartbeat = (host: string, at: number, temperature: number) =>
    parseSyslog(`<134>1 ${new Date(at).toISOString()} ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="${temperature}" humidity="40"] t`, {
      receivedAt: at,
      source: '192.0.2.1:514',
    });

  it('sensors a page at a time by name, each with its latest readings; pages forward and back', async () => {
    const db = await database();
    const sensors = new SensorData(db);
    for (let i = 0; i < 25; i++) for (const minute of [2, 1]) sensors.observe(heartbeat(`s${String(i).padStart(2, '0')}`, now - minute * MINUTE, i + minute));
    sensors.flush();
    sensors.observe(heartbeat('s00', now - 5 * MINUTE, 99)); // older than what is kept: not the latest
    sensors.flush();
    const hosts = (page: ReturnType<typeof sensorsPage>) => page.sensors.map((sensor) => sensor.host);
    const first = sensorsPage(db, {}, 10);
    expect(hosts(first)).toEqual(Array.from({ length: 10 }, (_, i) => `s${String(i).padStart(2, '0')}`));
    expect(first.sensors[0]!.readings.map((r) => `${r.quantity}=${r.value}`)).toEqual(['humidity=40', 'temperature=1']);
    expect([first.earlier, first.later]).toEqual([false, true]);
    const third = sensorsPage(db, { after: 's19' }, 10);
    expect(hosts(third)).toEqual(['s20', 's21', 's22', 's23', 's24']);
    expect([third.earlier, third.later]).toEqual([true, false]);
    expect(hosts(sensorsPage(db, { before: 's20' }, 10))).toEqual(hosts(sensorsPage(db, { after: 's09' }, 10)));
    expect(hosts(sensorsPage(db, { before: 's05' }, 10))).toEqual(hosts(first)); // fewer than a page before: the first page
    expect(countSensors(db)).toBe(25);
  });

  it('the hosts most active lately come first, each with its events per minute; hosts silent for the last hour are left out', async () => {
    const db = await database();
    const sensors = new SensorData(db);
    const send = (host: string, at: number, count: number) => {
      for (let i = 0; i < count; i++) sensors.observe(parseSyslog(`<134>1 - ${host} app - - - m`, { receivedAt: at, source: '192.0.2.1:514' }));
    };
    send('burst-long-ago', now - 59 * MINUTE, 100); // 100 events weighing 2^-5.9 each now: about 1.7
    send('steady', now - 30 * MINUTE, 3);
    sensors.flush();
    send('steady', now - 10 * MINUTE, 3);
    send('steady', now, 3); // split over flushes: summed in the database
    send('recent', now, 4);
    send('gone', now - 61 * MINUTE, 1000);
    sensors.flush();
    const busiest = busiestHosts(db, now - 60 * MINUTE, 10);
    expect(busiest.map(({ host, perMinute }) => [host, perMinute.reduce((sum, { count }) => sum + count, 0)])).toEqual([
      ['steady', 9],
      ['recent', 4],
      ['burst-long-ago', 100],
    ]);
    expect(busiest[0]!.perMinute.map(({ minute }) => (now - minute) / MINUTE)).toEqual([30, 10, 0]);
    expect(busiestHosts(db, now - 60 * MINUTE, 2)).toHaveLength(2);
    expect(countRateHosts(db, now - 60 * MINUTE)).toBe(3);
    // The score of events flushed in parts is that of all of them at once.
    const score = db.prepare("SELECT score FROM host_activity WHERE host = 'steady'").pluck().get() as number;
    expect(score).toBeCloseTo(
      activityScore(
        new Map([
          [now - 30 * MINUTE, 3],
          [now - 10 * MINUTE, 3],
          [now, 3],
        ]),
      ).score,
      9,
    );
  });

  it("the migration fills the latest readings and the hosts' activity from what a database already holds", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-state-'));
    const old = new Database(join(dir, 'analyzer.sqlite'));
    for (const migration of MIGRATIONS.slice(0, MIGRATIONS.indexOf(MIGRATIONS.find((sql) => sql.includes('CREATE TABLE latest_readings'))!)))
      old.exec(migration);
    old.pragma(`user_version = ${MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE latest_readings'))}`);
    const insert = old.prepare("INSERT INTO readings VALUES (?, 'temperature', ?, ?, 'degF', 'ok')");
    insert.run('s1', now - MINUTE, 70);
    insert.run('s1', now, 71);
    insert.run('s2', now, 60);
    const rate = old.prepare('INSERT INTO host_rates VALUES (?, ?, ?)');
    rate.run('a', now - 30 * MINUTE, 5);
    rate.run('a', now, 1);
    rate.run('b', now, 2);
    old.close();
    const db = openDatabase(dir);
    expect(sensorsPage(db, {}, 10).sensors.map(({ host, readings }) => [host, readings.map((r) => r.value)])).toEqual([
      ['s1', [71]],
      ['s2', [60]],
    ]);
    const score = (host: string) => db.prepare('SELECT score FROM host_activity WHERE host = ?').pluck().get(host) as number;
    expect(score('a')).toBeCloseTo(
      activityScore(
        new Map([
          [now - 30 * MINUTE, 5],
          [now, 1],
        ]),
      ).score,
      9,
    );
    expect(score('b')).toBeCloseTo(activityScore(new Map([[now, 2]])).score, 9);
    db.close();
  });
});
