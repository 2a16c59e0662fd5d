/**
 * What the web page charts: each sensor's readings from its HEARTBEAT messages
 * (`[readings@21600 temperature="72.1" temperatureStatus="ok" …]`) and every host's events per
 * minute. Both are gathered in memory and written in the daemon's one-second flush, one
 * transaction, so a burst of messages costs no fsync per message. A flush keeps the latest reading
 * per host and quantity: a sensor's heartbeat comes every 10-60 s, and a sender flooding
 * heartbeats must not write a row per message. A heartbeat also carries the sensor's envirowatch
 * version, kept per host.
 */
import {
  AGENT_SD_ID,
  HEARTBEAT_MSG_ID,
  HEARTBEAT_UNITS,
  READINGS_SD_ID,
  statusParameter,
  TEMPERATURE_UNIT_PARAMETER,
  VERSION_PARAMETER,
} from '../../common/sensor-messages.js';
import type { SyslogEvent } from '../../common/syslog/event.js';
import { compareVersions } from '../../common/version.js';
import type { Db } from './database.js';

const MINUTE_MS = 60_000;
/** An event's weight in a host's activity halves in this time (the rates page's ranking); the migration that made host_activity used the same. */
export const ACTIVITY_HALF_LIFE_MS = 600_000;
/** A longer "version" is not one of ours (ours are like 1.2.0-rc.1); it is not kept. */
const MAX_VERSION_LENGTH = 64;

export interface Reading {
  readonly quantity: string;
  readonly time: number;
  readonly value: number;
  readonly unit: string;
  readonly status: string;
}

/** Each quantity with its unit and its status parameter's name, made once: every heartbeat is read with them. */
const QUANTITIES = Object.entries(HEARTBEAT_UNITS).map(([quantity, unit]) => ({ quantity, unit, status: statusParameter(quantity) }));

/** The readings in an envirowatch HEARTBEAT event; empty for any other event. */
export function heartbeatReadings(event: SyslogEvent): Reading[] {
  if (event.msgId !== HEARTBEAT_MSG_ID) return [];
  const params = event.structuredData[READINGS_SD_ID];
  if (!params) return [];
  const readings: Reading[] = [];
  for (const { quantity, unit, status } of QUANTITIES) {
    const text = params[quantity]?.[0];
    const value = text === undefined ? NaN : Number(text);
    if (!Number.isFinite(value)) continue;
    readings.push({
      quantity,
      time: event.eventTime,
      value,
      unit: quantity === 'temperature' ? (params[TEMPERATURE_UNIT_PARAMETER]?.[0] ?? '') : unit,
      status: params[status]?.[0] ?? '',
    });
  }
  return readings;
}

/** The sensor's envirowatch version in a HEARTBEAT event; undefined for any other event, or none or too long. */
export function heartbeatVersion(event: SyslogEvent): string | undefined {
  if (event.msgId !== HEARTBEAT_MSG_ID) return undefined;
  const version = event.structuredData[AGENT_SD_ID]?.[VERSION_PARAMETER]?.[0];
  return version && version.length <= MAX_VERSION_LENGTH ? version : undefined;
}

export class SensorData {
  /** host → quantity → the latest reading since the last flush (nested, not a `host quantity` key: no string built per reading). */
  private pendingReadings = new Map<string, Map<string, Reading>>();
  /** host → minute → events, since the last flush. */
  private pendingRates = new Map<string, Map<number, number>>();
  /** host → its version in its latest heartbeat since the last flush. */
  private pendingVersions = new Map<string, { version: string; time: number }>();

  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insertReading: db.prepare('INSERT OR REPLACE INTO readings (host, quantity, time, value, unit, status) VALUES (?, ?, ?, ?, ?, ?)'),
      keepLatest: db.prepare(
        'INSERT INTO latest_readings (host, quantity, time, value, unit, status) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, quantity) DO UPDATE SET time = excluded.time, value = excluded.value, unit = excluded.unit, status = excluded.status WHERE excluded.time >= latest_readings.time',
      ),
      addRate: db.prepare(
        'INSERT INTO host_rates (host, minute, count) VALUES (?, ?, ?) ON CONFLICT (host, minute) DO UPDATE SET count = count + excluded.count',
      ),
      // log2(2^a + 2^b) = max + log2(1 + 2^-(max - min)): the sum of the weights without leaving log2.
      addActivity: db.prepare(
        'INSERT INTO host_activity (host, score, last_minute) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET score = max(score, excluded.score) + log2(1 + pow(2, -abs(score - excluded.score))), last_minute = max(last_minute, excluded.last_minute)',
      ),
      // A heartbeat delayed in a queue must not put back the version of before an upgrade.
      setVersion: db.prepare(
        'INSERT INTO sensor_versions (host, version, time) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET version = excluded.version, time = excluded.time WHERE excluded.time >= time',
      ),
    };
  }

  /** Called for every event. */
  observe(event: SyslogEvent): void {
    const minute = Math.floor(event.receivedAt / MINUTE_MS) * MINUTE_MS;
    let minutes = this.pendingRates.get(event.host);
    if (!minutes) this.pendingRates.set(event.host, (minutes = new Map()));
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    if (event.msgId !== HEARTBEAT_MSG_ID) return;
    const readings = heartbeatReadings(event);
    if (readings.length > 0) {
      let latest = this.pendingReadings.get(event.host);
      if (!latest) this.pendingReadings.set(event.host, (latest = new Map()));
      for (const reading of readings) latest.set(reading.quantity, reading);
    }
    const version = heartbeatVersion(event);
    if (version) this.pendingVersions.set(event.host, { version, time: event.eventTime });
  }

  /** Writes what was gathered since the last call; throws (keeping it) when the database fails. */
  flush(): void {
    if (this.pendingReadings.size === 0 && this.pendingRates.size === 0 && this.pendingVersions.size === 0) return;
    const readings = this.pendingReadings;
    const rates = this.pendingRates;
    const versions = this.pendingVersions;
    const { insertReading, keepLatest, addRate, addActivity, setVersion } = this.statements;
    this.db.transaction(() => {
      for (const [host, latest] of readings) {
        for (const reading of latest.values()) {
          insertReading.run(host, reading.quantity, reading.time, reading.value, reading.unit, reading.status);
          keepLatest.run(host, reading.quantity, reading.time, reading.value, reading.unit, reading.status);
        }
      }
      for (const [host, minutes] of rates) {
        for (const [minute, count] of minutes) addRate.run(host, minute, count);
        const { score, last } = activityScore(minutes);
        addActivity.run(host, score, last);
      }
      for (const [host, { version, time }] of versions) setVersion.run(host, version, time);
    })();
    this.pendingReadings = new Map();
    this.pendingRates = new Map();
    this.pendingVersions = new Map();
  }
}

/** Deletes readings and rates older than `before`; returns how many rows. */
export function purgeSensorData(db: Db, before: number): number {
  return [
    'DELETE FROM readings WHERE time < ?',
    'DELETE FROM latest_readings WHERE time < ?',
    'DELETE FROM host_rates WHERE minute < ?',
    'DELETE FROM host_activity WHERE last_minute < ?',
    'DELETE FROM sensor_versions WHERE time < ?',
  ].reduce((rows, sql) => rows + db.prepare(sql).run(before).changes, 0);
}

/**
 * A host's activity score for events counted by minute: log2 of the sum of their weights, an
 * event at minute m weighing 2^(m / ACTIVITY_HALF_LIFE_MS), so a minute's events count half as
 * much as those 10 minutes later. Summed around the newest minute, so no power overflows.
 */
export function activityScore(minutes: ReadonlyMap<number, number>): { score: number; last: number } {
  let last = -Infinity;
  for (const minute of minutes.keys()) last = Math.max(last, minute);
  let sum = 0;
  for (const [minute, count] of minutes) sum += count * 2 ** ((minute - last) / ACTIVITY_HALF_LIFE_MS);
  return { score: Math.log2(sum) + last / ACTIVITY_HALF_LIFE_MS, last };
}

/** The sensors whose latest readings a page shows, by host name, and whether there are more before and after them. */
export interface SensorsPage {
  readonly sensors: { host: string; readings: Reading[] }[];
  readonly earlier: boolean;
  readonly later: boolean;
}

/**
 * `limit` sensors with their latest reading per quantity, by host name: the first, or those after
 * `from.after`, or those before `from.before` (the first page when fewer are). Read from
 * latest_readings by its key, so the cost is the page's, not the number of sensors or readings.
 */
export function sensorsPage(db: Db, from: { after?: string | undefined; before?: string | undefined }, limit: number): SensorsPage {
  const hosts = (where: string, order: 'ASC' | 'DESC', ...params: string[]) =>
    db
      .prepare(`SELECT DISTINCT host FROM latest_readings ${where} ORDER BY host ${order} LIMIT ?`)
      .pluck()
      .all(...params, limit) as string[];
  let page =
    from.before !== undefined
      ? hosts('WHERE host < ?', 'DESC', from.before).reverse()
      : hosts(from.after !== undefined ? 'WHERE host > ?' : '', 'ASC', ...(from.after !== undefined ? [from.after] : []));
  if (from.before !== undefined && page.length < limit) page = hosts('', 'ASC');
  const exists = (sql: string, host: string | undefined) =>
    host !== undefined && db.prepare(`SELECT EXISTS (SELECT 1 FROM latest_readings WHERE ${sql})`).pluck().get(host) === 1;
  const latest = db.prepare('SELECT quantity, time, value, unit, status FROM latest_readings WHERE host = ? ORDER BY quantity');
  return {
    sensors: page.map((host) => ({ host, readings: latest.all(host) as Reading[] })),
    earlier: exists('host < ?', page[0]),
    later: exists('host > ?', page.at(-1)),
  };
}

/** How many sensors have readings. */
export function countSensors(db: Db): number {
  return db.prepare('SELECT COUNT(DISTINCT host) FROM latest_readings').pluck().get() as number;
}

/** One sensor's readings of one quantity since `since`, oldest first. */
export function readingSeries(db: Db, host: string, quantity: string, since: number): { time: number; value: number }[] {
  return db.prepare('SELECT time, value FROM readings WHERE host = ? AND quantity = ? AND time >= ? ORDER BY time').all(host, quantity, since) as {
    time: number;
    value: number;
  }[];
}

/**
 * The `maxHosts` hosts most active lately that sent events since `since` (host_activity, by its
 * index: the cost does not grow with the number of hosts), each with its events per minute since
 * `since`, oldest first; the most active first.
 */
export function busiestHosts(db: Db, since: number, maxHosts: number): { host: string; perMinute: { minute: number; count: number }[] }[] {
  const hosts = db.prepare('SELECT host FROM host_activity WHERE last_minute >= ? ORDER BY score DESC LIMIT ?').pluck().all(since, maxHosts) as string[];
  const perMinute = db.prepare('SELECT minute, count FROM host_rates WHERE host = ? AND minute >= ? ORDER BY minute');
  return hosts.map((host) => ({ host, perMinute: perMinute.all(host, since) as { minute: number; count: number }[] }));
}

/** How many hosts sent events since `since`. */
export function countRateHosts(db: Db, since: number): number {
  return db.prepare('SELECT COUNT(*) FROM host_activity WHERE last_minute >= ?').pluck().get(since) as number;
}

/** host → the envirowatch version of its latest heartbeat, for these hosts (a page's). */
export function sensorVersions(db: Db, hosts: readonly string[]): Map<string, string> {
  const read = db.prepare('SELECT version FROM sensor_versions WHERE host = ?').pluck();
  return new Map(
    hosts.flatMap((host) => {
      const version = read.get(host) as string | undefined;
      return version === undefined ? [] : [[host, version] as const];
    }),
  );
}

/** The newest version any sensor runs (one row per distinct version, read through its index). */
export function newestSensorVersion(db: Db): string | undefined {
  const versions = db.prepare('SELECT DISTINCT version FROM sensor_versions').pluck().all() as string[];
  return versions.reduce<string | undefined>((newest, version) => (newest === undefined || compareVersions(version, newest) > 0 ? version : newest), undefined);
}
