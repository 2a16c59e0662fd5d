/**
 * Stores of a given size for `npm run bench:scale`, written through the store modules (AlertStore,
 * SensorData, SqliteRuleState with a RuleEngine), so they hold what the daemon would have written.
 */
import type { SyslogEvent } from '../src/common/syslog/event.js';
import { syslogEvent } from '../test/helpers/syslog-event.js';
import { HEARTBEAT_MSG_ID, READINGS_SD_ID } from '../src/common/sensor-messages.js';
import { alertId, type Alert } from '../src/analyzer/rules/alert.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import type { Rule } from '../src/analyzer/rules/schema.js';
import { AlertStore } from '../src/analyzer/store/alerts.js';
import { openDatabase, type Db } from '../src/analyzer/store/database.js';
import { SqliteRuleState } from '../src/analyzer/store/rule-state.js';
import { SensorData } from '../src/analyzer/store/sensor-data.js';

const MINUTE_MS = 60_000;

/**
 * The analyzer's database for building it quickly: no fsync per transaction (a bench store need
 * not survive a power cut) and a cache that holds it, so a million random ids are not a million reads.
 */
function openForBuilding(dataDir: string): Db {
  const db = openDatabase(dataDir);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1048576');
  return db;
}
const DAY_MS = 86_400_000;
const SEVERITIES = ['crit', 'err', 'warning', 'notice'] as const;

export const hostName = (i: number) => `host-${i}`;

/**
 * `alerts` alerts over the last 30 days from `hosts` hosts and 10 rules: every second one a
 * problem. One in ten stays open (an unresolved problem, an unacknowledged alert); the others are
 * resolved or acknowledged. Returns the id of one of them.
 */
export function writeAlerts(dataDir: string, hosts: number, alerts: number, now: number): string {
  const db = openForBuilding(dataDir);
  const store = new AlertStore(db);
  const spacing = (30 * DAY_MS) / alerts;
  let someId = '';
  db.transaction(() => {
    for (let i = 0; i < alerts; i++) {
      const ruleId = `rule-${i % 10}`;
      const host = hostName(i % hosts);
      const time = Math.round(now - (alerts - i) * spacing);
      const problem = i % 2 === 0;
      const alert: Alert = {
        id: alertId(ruleId, host, time),
        ruleId,
        kind: problem ? 'eps' : 'anomaly',
        severity: SEVERITIES[i % SEVERITIES.length]!,
        time,
        host,
        key: host,
        ...(problem ? { state: 'below' as const, problem: 'open' as const } : { value: `10.0.${i % 256}.1` }),
        summary: `${ruleId}: ${host} ${problem ? 'below 3 events in 5m' : `new value 10.0.${i % 256}.1`}`,
        evidence: { count: 1, threshold: 3 },
      };
      store.insert(alert);
      if (i === Math.floor(alerts / 2)) someId = alert.id;
      if (i % 10 === 0) continue;
      if (problem)
        store.record(
          {
            ...alert,
            id: alertId(ruleId, host, time + MINUTE_MS),
            time: time + MINUTE_MS,
            state: 'recovered',
            problem: 'resolved',
            summary: `${ruleId}: ${host} recovered`,
          },
          0,
        );
      else store.acknowledge(alert.id, { by: 'bench', at: time + MINUTE_MS, comment: 'seen' });
    }
  })();
  db.close();
  return someId;
}

/**
 * The last hour of `hosts` hosts sending a message every minute, and a heartbeat with readings
 * every 10 minutes, written by the daemon's SensorData as its one-second flush would.
 */
export function writeSensorData(dataDir: string, hosts: number, now: number): void {
  const db = openForBuilding(dataDir);
  const data = new SensorData(db);
  for (let minute = 59; minute >= 0; minute--) {
    const receivedAt = now - minute * MINUTE_MS;
    for (let i = 0; i < hosts; i++) {
      const heartbeat = minute % 10 === 0;
      const readings = {
        temperature: [`${70 + ((i + minute) % 7)}`],
        temperatureStatus: ['ok'],
        temperatureUnit: ['degF'],
        humidity: [`${40 + (minute % 5)}`],
        humidityStatus: ['ok'],
      };
      data.observe(
        syslogEvent({
          host: hostName(i),
          receivedAt,
          app: 'envirowatch',
          ...(heartbeat ? { msgId: HEARTBEAT_MSG_ID, structuredData: { [READINGS_SD_ID]: readings } } : {}),
        }),
      );
    }
    data.flush();
  }
  db.close();
}

/** Runs `events` through `rules` with the store's sinks and flushes: the learned state the daemon reads at start. */
export function writeLearnedState(dataDir: string, rules: readonly Rule[], events: Iterable<SyslogEvent>): void {
  const db = openForBuilding(dataDir);
  const state = new SqliteRuleState(db);
  const engine = new RuleEngine(rules, { sinks: state, saved: state.load() });
  let n = 0;
  for (const event of events) {
    engine.process(event, event.receivedAt);
    // Flushed as the daemon does, so no single transaction holds everything in memory.
    if (++n % 100_000 === 0) {
      engine.flushCounts();
      state.flush();
    }
  }
  engine.flushCounts();
  state.flush();
  db.close();
}
