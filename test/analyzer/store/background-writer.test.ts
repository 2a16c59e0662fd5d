/**
 * The one-second writes committed by a worker thread: the stores write through it exactly what
 * they write directly, a failed batch is retried with the next, a dead worker's batches go to a
 * new one, which skips those already committed. (A kill -9 of the daemon: test/analyzer/daemon.test.ts.)
 */
import { inspect } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { parseSyslog } from '../../../src/common/syslog/parse.js';
import { RuleEngine } from '../../../src/analyzer/rules/engine.js';
import { rulesFileSchema } from '../../../src/analyzer/rules/schema.js';
import { BackgroundWriter } from '../../../src/analyzer/store/background-writer.js';
import type { Db } from '../../../src/analyzer/store/database.js';
import { SqliteRuleState } from '../../../src/analyzer/store/rule-state.js';
import { SensorData } from '../../../src/analyzer/store/sensor-data.js';
import { saveCounters } from '../../../src/analyzer/store/status.js';
import { parseConfigText } from '../../../src/common/config-file.js';
import { tempDatabases } from '../../helpers/temp-database.js';

const { database } = tempDatabases();

// One rule of each kind that keeps state, over the lines below.
const rules = parseConfigText(
  rulesFileSchema,
  `rules:
  - { id: vpn, kind: anomaly, match: { regex: "user (?<user>\\\\w+) from (?<ip>[\\\\d.]+)" }, key: "\${user}", value: "\${ip}", learning: 1h }
  - { id: session, kind: timer, start: { regex: "logon (?<id>\\\\w+)" }, end: { regex: "logoff (?<id>\\\\w+)" }, key: "\${id}", timeout: 1h }
  - { id: rate, kind: eps, match: { app: "^test$" }, interval: 1m, below: 1 }
  - { id: down, kind: event, match: { regex: "link (?<port>\\\\w+) down" }, resolve: { regex: "link (?<port>\\\\w+) up" }, key: "\${port}" }
`,
).rules;

const lines = (round: number) => [
  ...Array.from({ length: 200 }, (_, i) => `user u${i % 50} from 10.0.${round}.${i % 7}`),
  ...Array.from({ length: 40 }, (_, i) => (i % 3 === 2 ? `logoff s${i - 1}` : `logon s${i}`)),
  'link ge0 down',
  `heartbeat ${round}`,
];

/** Two rounds of events through the rules, their state, readings and counters written to `writes` and flushed as the daemon does. */
function runRounds(writes: Db, flush: () => void): void {
  const state = new SqliteRuleState(writes);
  const sensors = new SensorData(writes);
  const engine = new RuleEngine(rules, { sinks: state, saved: state.load() });
  const start = Date.UTC(2026, 11, 4, 10);
  for (let round = 0; round < 2; round++) {
    lines(round).forEach((text, i) => {
      const time = start + round * 90_000 + i;
      const event = parseSyslog(`<134>1 ${new Date(time).toISOString()} host${i % 3} test - HEARTBEAT [readings@21600 temperature="${20 + round}"] ${text}`, {
        receivedAt: time,
        source: '192.0.2.1:514',
      });
      sensors.observe(event);
      engine.process(event, time);
    });
    engine.flushCounts();
    state.flush();
    sensors.flush();
    saveCounters(writes, {
      at: start + round,
      startedAt: start,
      pid: 1,
      counters: { ingest: {}, engine: engine.counters, rules: engine.ruleCounters(), notify: {} } as never,
    });
    flush();
  }
}

const TABLES = ['anomaly_keys', 'anomaly_values', 'timers', 'eps_states', 'eps_windows', 'readings', 'host_rates', 'status'];
// Not the writer's own row (the last batch it committed).
const contents = (db: Db) =>
  Object.fromEntries(
    TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} WHERE ${table === 'status' ? "name <> 'writer'" : '1'} ORDER BY 1, 2, 3`).all()]),
  );

describe('BackgroundWriter', () => {
  it('the stores write through it what they write directly: every kind with a store, readings, rates, counters', async () => {
    const direct = await database();
    runRounds(direct, () => {});
    const viaWorker = await database();
    const writer = new BackgroundWriter({ db: viaWorker, onFailure: (error) => expect.fail(error) });
    runRounds(writer.writes, () => writer.flush());
    await writer.close();
    const expected = contents(direct);
    expect(expected['anomaly_values']).toHaveLength(400); // 200 user-address pairs a round
    expect(expected['timers']!.length).toBeGreaterThan(0);
    expect(contents(viaWorker)).toEqual(expected);
    // And they read back the same: compared as printed in full, since the anomaly keys' recency queue holds closures (equal data, distinct functions).
    const printed = (db: Db) => inspect(new SqliteRuleState(db).load(), { depth: null, maxArrayLength: null, maxStringLength: null });
    expect(printed(viaWorker)).toBe(printed(direct));
    expect(printed(viaWorker)).toContain('RecencyQueue');
  });

  it('keeps a batch the database refused and commits it with the next one, in order', async () => {
    const db = await database();
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
    const failures: string[] = [];
    let failed: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const writer = new BackgroundWriter({ db, onFailure: (error) => (failures.push(error), failed()) });
    const put = writer.writes.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
    db.exec('ALTER TABLE t RENAME TO t_away');
    put.run(1, 'first');
    put.run(2, 'first');
    writer.flush();
    await firstFailure;
    expect(failures[0]).toContain('no such table: t');
    expect(writer.backlog).toBe(1);
    db.exec('ALTER TABLE t_away RENAME TO t');
    put.run(2, 'second');
    writer.flush();
    await writer.close();
    expect(writer.backlog).toBe(0);
    expect(db.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([
      { k: 1, v: 'first' },
      { k: 2, v: 'second' },
    ]);
  });

  it('sends the batches not yet committed to a new worker when its worker dies', async () => {
    const db = await database();
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
    const writer = new BackgroundWriter({ db, onFailure: () => {} });
    const put = writer.writes.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
    put.run(1, 'a');
    writer.flush();
    // Whether or not it committed the first batch, a new worker must get it and the statements.
    await (writer as unknown as { worker: Worker }).worker.terminate();
    put.run(2, 'b');
    writer.flush();
    await writer.close();
    expect(db.prepare('SELECT k, v FROM t ORDER BY k').all()).toEqual([
      { k: 1, v: 'a' },
      { k: 2, v: 'b' },
    ]);
  });

  it('a worker that dies after committing, before its report arrives: its replacement does not add the batch again', async () => {
    const db = await database();
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    db.exec('INSERT INTO t (k, n) VALUES (1, 0)');
    const writer = new BackgroundWriter({ db, onFailure: (error) => expect.fail(error) });
    // Adds, as the host rates' and anomaly values' counts do.
    const add = writer.writes.prepare('UPDATE t SET n = n + ? WHERE k = 1');
    const worker = (writer as unknown as { worker: Worker }).worker;
    worker.removeAllListeners('message'); // its report never arrives
    add.run(5);
    writer.flush();
    const n = db.prepare('SELECT n FROM t WHERE k = 1').pluck();
    await vi.waitFor(() => expect(n.get()).toBe(5));
    expect(writer.backlog).toBe(1);
    await worker.terminate();
    add.run(1);
    writer.flush();
    await writer.close();
    expect(writer.backlog).toBe(0);
    expect(n.get()).toBe(6);
  });
});
