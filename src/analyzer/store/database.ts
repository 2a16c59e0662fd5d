/**
 * The analyzer's SQLite database (better-sqlite3) in dataDir: WAL journal so readers (the
 * `alerts` command, later the web page) never block the daemon; synchronous=FULL because an
 * acknowledgement or an alert, once written, must survive a power cut, and they are few.
 * Schema changes are numbered migrations recorded in user_version.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE alerts (
     id TEXT PRIMARY KEY,
     rule_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     time INTEGER NOT NULL,
     host TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT,
     state TEXT,
     summary TEXT NOT NULL,
     evidence TEXT NOT NULL,
     acked_by TEXT,
     acked_at INTEGER,
     ack_comment TEXT
   );
   CREATE INDEX alerts_open ON alerts (acked_at, time);`,
  `CREATE TABLE anomaly_keys (rule_id TEXT NOT NULL, key TEXT NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY (rule_id, key)) WITHOUT ROWID;
   CREATE TABLE anomaly_values (rule_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (rule_id, key, value)) WITHOUT ROWID;
   CREATE TABLE timers (rule_id TEXT NOT NULL, key TEXT NOT NULL, started INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (rule_id, key)) WITHOUT ROWID;
   CREATE TABLE eps_states (rule_id TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (rule_id, key)) WITHOUT ROWID;
   CREATE TABLE eps_windows (rule_id TEXT NOT NULL, key TEXT NOT NULL, window_start INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (rule_id, key)) WITHOUT ROWID;`,
  `CREATE TABLE outbox (
     id INTEGER PRIMARY KEY,
     channel TEXT NOT NULL,
     alert_id TEXT NOT NULL,
     alert TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     next_attempt INTEGER NOT NULL,
     created INTEGER NOT NULL,
     delivered INTEGER,
     gave_up INTEGER,
     last_error TEXT,
     UNIQUE (channel, alert_id)
   );
   CREATE INDEX outbox_due ON outbox (next_attempt) WHERE delivered IS NULL AND gave_up IS NULL;`,
  `CREATE TABLE status (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID;`,
  // ack_baseline: the acknowledgement asked for the anomaly's value to join the baseline;
  // baseline_applied: the daemon has done it (acks come from other processes too).
  `ALTER TABLE alerts ADD COLUMN ack_baseline INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE alerts ADD COLUMN baseline_applied INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX alerts_baseline_pending ON alerts (ack_baseline) WHERE ack_baseline = 1 AND baseline_applied = 0;
   CREATE TABLE readings (host TEXT NOT NULL, quantity TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (host, quantity, time)) WITHOUT ROWID;
   CREATE INDEX readings_time ON readings (time);
   CREATE TABLE host_rates (host TEXT NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (host, minute)) WITHOUT ROWID;
   CREATE INDEX host_rates_minute ON host_rates (minute);`,
  // Problems (issue #17): an alert with problem = 1 opened by a rule with a state, open until
  // resolved_at; resolution holds what closed it; reopened counts re-openings within the flap window.
  `ALTER TABLE alerts ADD COLUMN problem INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE alerts ADD COLUMN resolved_at INTEGER;
   ALTER TABLE alerts ADD COLUMN resolution TEXT;
   ALTER TABLE alerts ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX alerts_problems ON alerts (rule_id, key, time) WHERE problem = 1;`,
  // Held timer starts (#19): the event as a JSON array of its fields in a fixed order
  // (rules/timer/held.ts, which keeps the same string in memory) instead of an object.
  `UPDATE timers SET event = json_array(event -> '$.receivedAt', event -> '$.eventTime', event -> '$.timestamp', event -> '$.host', event -> '$.app', event -> '$.procId', event -> '$.msgId', event -> '$.facility', event -> '$.severity', event -> '$.message', event -> '$.structuredData', event -> '$.source', event -> '$.format');`,
  // The web page at 1M alerts and 100k hosts (#19): its lists page by (time, id) over an index,
  // the open ones (the WHERE is store/alerts.ts's OPEN, written the same so that SQLite uses it)
  // also by host and rule, with the severity in the index for the filter. latest_readings: each
  // sensor's latest reading per quantity, kept by the flush, so the sensors page reads a page of
  // them instead of grouping every reading. host_activity: a host's events with weights halving
  // every 10 minutes, as log2 of their sum (score, so that the ranking never overflows or needs
  // updating as time passes), so the rates page takes its busiest hosts from an index.
  `CREATE INDEX alerts_time ON alerts (time, id);
   CREATE INDEX alerts_open_time ON alerts (time, id, severity) WHERE ((problem = 1 AND resolved_at IS NULL) OR (problem = 0 AND acked_at IS NULL));
   CREATE INDEX alerts_open_host ON alerts (host, time, id, severity) WHERE ((problem = 1 AND resolved_at IS NULL) OR (problem = 0 AND acked_at IS NULL));
   CREATE INDEX alerts_open_rule ON alerts (rule_id, time, id, severity) WHERE ((problem = 1 AND resolved_at IS NULL) OR (problem = 0 AND acked_at IS NULL));
   CREATE TABLE latest_readings (host TEXT NOT NULL, quantity TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (host, quantity)) WITHOUT ROWID;
   INSERT INTO latest_readings SELECT host, quantity, MAX(time), value, unit, status FROM readings GROUP BY host, quantity;
   CREATE TABLE host_activity (host TEXT NOT NULL PRIMARY KEY, score REAL NOT NULL, last_minute INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX host_activity_score ON host_activity (score);
   CREATE INDEX host_activity_last_minute ON host_activity (last_minute);
   INSERT INTO host_activity SELECT host, log2(max(SUM(count * pow(2, (minute - newest) / 600000.0)), 1e-300)) + newest / 600000.0, MAX(minute)
     FROM host_rates, (SELECT MAX(minute) AS newest FROM host_rates) GROUP BY host;`,
  // Each sensor's envirowatch version from its latest heartbeat (issue #20: which sensors are behind).
  `CREATE TABLE sensor_versions (host TEXT PRIMARY KEY, version TEXT NOT NULL, time INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX sensor_versions_version ON sensor_versions (version);`,
];

export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'analyzer.sqlite'), { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (options.readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new Error(`${join(dataDir, 'analyzer.sqlite')} was written by a newer envirowatch (schema ${version}, this one knows ${MIGRATIONS.length})`);
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
  return db;
}
