/**
 * What the web page charts: each sensor's readings from its HEARTBEAT messages
 * (`[readings@21600 temperature="72.1" temperatureStatus="ok" …]`) and every host's events per
 * minute. Both are gathered in memory and written in the daemon's one-second flush, one
 * transaction, so a burst of messages costs no fsync per message. A flush keeps the latest reading
 * per host and quantity: a sensor's heartbeat comes every 10-60 s, and a sender flooding
 * heartbeats must not write a row per message. A heartbeat also carries the sensor's envirowatch
 * version, kept per host.
 */
import { AGENT_SD_ID, HEARTBEAT_MSG_ID, HEARTBEAT_UNITS, READINGS_SD_ID, statusParameter, TEMPERATURE_UNIT_PARAMETER, VERSION_PARAMETER } from '../../common/sensor-messages.js';
import type { SyslogEvent } from '../../common/syslog/event.js';
import type { Db } from './database.js';

const MINUTE_MS = 60_000;
/** A longer "version" is not one of ours (ours are like 1.2.0-rc.1); it is not kept. */
const MAX_VERSION_LENGTH = 64;

export interface Reading {
  readonly quantity: string;
  readonly time: number;
  readonly value: number;
  readonly unit: string;
  readonly status: string;
}

/** The readings in an envirowatch HEARTBEAT event; empty for any other event. */
export function heartbeatReadings(event: SyslogEvent): Reading[] {
  if (event.msgId !== HEARTBEAT_MSG_ID) return [];
  const params = event.structuredData[READINGS_SD_ID];
  if (!params) return [];
  const readings: Reading[] = [];
  for (const [quantity, unit] of Object.entries(HEARTBEAT_UNITS)) {
    const text = params[quantity]?.[0];
    const value = text === undefined ? NaN : Number(text);
    if (!Number.isFinite(value)) continue;
    readings.push({ quantity, time: event.eventTime, value, unit: quantity === 'temperature' ? (params[TEMPERATURE_UNIT_PARAMETER]?.[0] ?? '') : unit, status: params[statusParameter(quantity)]?.[0] ?? '' });
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
  /** `host NUL quantity` → the latest reading since the last flush. */
  private pendingReadings = new Map<string, { host: string; reading: Reading }>();
  /** host → minute → events, since the last flush. */
  private pendingRates = new Map<string, Map<number, number>>();
  /** host → its version in its latest heartbeat since the last flush. */
  private pendingVersions = new Map<string, { version: string; time: number }>();

  constructor(private readonly db: Db) {}

  /** Called for every event. */
  observe(event: SyslogEvent): void {
    const minute = Math.floor(event.receivedAt / MINUTE_MS) * MINUTE_MS;
    let minutes = this.pendingRates.get(event.host);
    if (!minutes) this.pendingRates.set(event.host, (minutes = new Map()));
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    if (event.msgId !== HEARTBEAT_MSG_ID) return;
    for (const reading of heartbeatReadings(event)) this.pendingReadings.set(`${event.host}\0${reading.quantity}`, { host: event.host, reading });
    const version = heartbeatVersion(event);
    if (version) this.pendingVersions.set(event.host, { version, time: event.eventTime });
  }

  /** Writes what was gathered since the last call; throws (keeping it) when the database fails. */
  flush(): void {
    if (this.pendingReadings.size === 0 && this.pendingRates.size === 0 && this.pendingVersions.size === 0) return;
    const readings = this.pendingReadings;
    const rates = this.pendingRates;
    const versions = this.pendingVersions;
    this.db.transaction(() => {
      const insertReading = this.db.prepare('INSERT OR REPLACE INTO readings (host, quantity, time, value, unit, status) VALUES (?, ?, ?, ?, ?, ?)');
      for (const { host, reading } of readings.values()) insertReading.run(host, reading.quantity, reading.time, reading.value, reading.unit, reading.status);
      const addRate = this.db.prepare('INSERT INTO host_rates (host, minute, count) VALUES (?, ?, ?) ON CONFLICT (host, minute) DO UPDATE SET count = count + excluded.count');
      for (const [host, minutes] of rates) for (const [minute, count] of minutes) addRate.run(host, minute, count);
      // A heartbeat delayed in a queue must not put back the version of before an upgrade.
      const setVersion = this.db.prepare('INSERT INTO sensor_versions (host, version, time) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET version = excluded.version, time = excluded.time WHERE excluded.time >= time');
      for (const [host, { version, time }] of versions) setVersion.run(host, version, time);
    })();
    this.pendingReadings = new Map();
    this.pendingRates = new Map();
    this.pendingVersions = new Map();
  }

  /** Deletes readings and rates older than `before`; returns how many rows. */
  purge(before: number): number {
    return (
      this.db.prepare('DELETE FROM readings WHERE time < ?').run(before).changes +
      this.db.prepare('DELETE FROM host_rates WHERE minute < ?').run(before).changes +
      this.db.prepare('DELETE FROM sensor_versions WHERE time < ?').run(before).changes
    );
  }
}

/** host → the envirowatch version of its latest heartbeat. */
export function sensorVersions(db: Db): Map<string, string> {
  const rows = db.prepare('SELECT host, version FROM sensor_versions').all() as { host: string; version: string }[];
  return new Map(rows.map(({ host, version }) => [host, version]));
}

/** Each sensor's latest reading per quantity. */
export function latestReadings(db: Db): { host: string; readings: Reading[] }[] {
  const rows = db
    .prepare('SELECT r.host, r.quantity, r.time, r.value, r.unit, r.status FROM readings r JOIN (SELECT host, quantity, MAX(time) AS time FROM readings GROUP BY host, quantity) latest USING (host, quantity, time) ORDER BY r.host')
    .all() as ({ host: string } & Reading)[];
  const byHost = new Map<string, Reading[]>();
  for (const { host, ...reading } of rows) byHost.set(host, [...(byHost.get(host) ?? []), reading]);
  return [...byHost].map(([host, readings]) => ({ host, readings }));
}

/** One sensor's readings of one quantity since `since`, oldest first. */
export function readingSeries(db: Db, host: string, quantity: string, since: number): { time: number; value: number }[] {
  return db.prepare('SELECT time, value FROM readings WHERE host = ? AND quantity = ? AND time >= ? ORDER BY time').all(host, quantity, since) as { time: number; value: number }[];
}

/**
 * Events per minute since `since` of the `maxHosts` hosts with the most events in that time
 * (-1: all hosts): host → [{ minute, count }] oldest first, busiest host first. The database
 * does the limiting, so the cost stays bounded however many host names were sent.
 */
export function hostRates(db: Db, since: number, maxHosts = -1): Map<string, { minute: number; count: number }[]> {
  const rows = db
    .prepare(
      `WITH busiest AS (SELECT host, SUM(count) AS total FROM host_rates WHERE minute >= ? GROUP BY host ORDER BY total DESC, host LIMIT ?)
       SELECT host, minute, count FROM host_rates JOIN busiest USING (host) WHERE minute >= ? ORDER BY total DESC, host, minute`,
    )
    .all(since, maxHosts, since) as { host: string; minute: number; count: number }[];
  const byHost = new Map<string, { minute: number; count: number }[]>();
  for (const { host, minute, count } of rows) {
    const counted = byHost.get(host);
    if (counted) counted.push({ minute, count });
    else byHost.set(host, [{ minute, count }]);
  }
  return byHost;
}

/** How many hosts sent events since `since`. */
export function countRateHosts(db: Db, since: number): number {
  return (db.prepare('SELECT COUNT(DISTINCT host) AS hosts FROM host_rates WHERE minute >= ?').get(since) as { hosts: number }).hosts;
}
