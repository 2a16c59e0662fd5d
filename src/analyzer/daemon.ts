/**
 * `envirowatch analyzer`: receives syslog, runs every event through the rules on the receive
 * time, stores and logs the alerts, and steps the clock every second so timers and EPS windows
 * fire without new events. Counters are logged every minute.
 * The rules' learned state is written to SQLite every second and read back at start, so after
 * a restart learning periods go on from their first event and timers that expired meanwhile
 * fire at the first tick; alerts and acknowledgements are written at once. The one-second writes
 * are committed by a worker thread (store/background-writer.ts), so receiving never waits for them.
 */
import { createRequire } from 'node:module';
import type { Clock } from '../common/clock.js';
import { heapGarbageCollector } from '../common/heap-garbage.js';
import type { Logger } from '../common/logger.js';
import type { AnalyzerConfig } from './config.js';
import { SyslogReceiver } from './ingest/receiver.js';
import type { Alert } from './rules/alert.js';
import { RuleEngine } from './rules/engine.js';
import { AlertStore } from './store/alerts.js';
import { BackgroundWriter } from './store/background-writer.js';
import { openDatabase, type Db } from './store/database.js';
import type { Transaction } from 'better-sqlite3';
import { SqliteRuleState } from './store/rule-state.js';
import { purgeSensorData, SensorData } from './store/sensor-data.js';
import { WebServer } from './web/server.js';
import { countersSummary, flattenCounters, saveCounters, type AnalyzerCounters } from './store/status.js';
import type { LocalEngine } from '../snmp/v3/local-engine.js';
import { openChannel, type Channel } from './notify/channels.js';
import type { ChannelConfig } from './notify/config.js';
import { openAnalyzerEngine } from './notify/snmp-engine.js';
import { Dispatcher } from './notify/dispatcher.js';
import { Outbox } from './notify/outbox.js';

const TICK_MS = 1_000;
/**
 * The receiving thread's heap is collected at a step once it grew by GARBAGE_BYTES since its least
 * (common/heap-garbage.ts), about a second of a flood's garbage (a collection then took 13-24 ms);
 * and at once at the first step with fewer than QUIET_EVENTS after one with more, so what a flood
 * left (its last write batches, live at the last collection) is collected when it ends, not tens
 * of seconds later.
 */
const GARBAGE_BYTES = 32 * 1024 * 1024;
const QUIET_EVENTS = 1_000;
const COUNTERS_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 3_600_000;
/**
 * Alerts stored per transaction when more are waiting, the event loop let go between: 200,000 EPS
 * keys going silent raise 5,000-20,000 alerts a second, which in one transaction held ingest and
 * the web page for 0.5-4 s (100-500 µs an alert on the loaded bench machine).
 */
const STORE_AT_ONCE = 500;
/** How long a backlog's next transaction waits for the writer thread to finish its commit, at most. */
const WRITER_WAIT_MS = 1_000;

export class AnalyzerDaemon {
  readonly engine: RuleEngine;
  readonly receiver: SyslogReceiver;
  readonly alerts: AlertStore;
  /** The database, for readers in this process (the web page). */
  readonly db: Db;
  private readonly sensorData: SensorData;
  /** Commits the rules' state, the readings and the counters off this thread. */
  private readonly writer: BackgroundWriter;
  /** The web page, when web.enabled. */
  readonly web: WebServer | undefined;
  private readonly state: SqliteRuleState;
  readonly outbox: Outbox;
  readonly dispatcher: Dispatcher;
  private readonly channels: Map<string, Channel>;
  /** Stores what a rule raised and queues its notifications; returns what was notified (store/alerts.ts record()), each or undefined. */
  private readonly store: Transaction<(alerts: readonly Alert[]) => (Alert | undefined)[]>;
  /** Raised and not yet stored, in order (more than STORE_AT_ONCE at once); `storing` is taking them. */
  private readonly backlog: Alert[] = [];
  private storing: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private startedAt = 0;
  private stopping: Promise<void> | undefined;
  private readonly collectGarbage = heapGarbageCollector(createRequire(import.meta.url));
  /** The engine's event count at the last step, and whether the second before it was busy (QUIET_EVENTS or more). */
  private eventsAtStep = 0;
  private busy = false;
  private collections = 0;

  constructor(
    private readonly options: {
      config: AnalyzerConfig;
      clock: Clock;
      logger: Logger;
      onAlert?: (alert: Alert) => void;
      /** After every one-second step (the systemd watchdog). */ onStep?: () => void;
    },
  ) {
    const { config, clock, logger } = options;
    this.db = openDatabase(config.dataDir);
    // The writer thread's connection copies the log into the database (its default: past 1,000 pages), not this one, whose commits hold ingest.
    this.db.pragma('wal_autocheckpoint = 0');
    this.alerts = new AlertStore(this.db);
    this.writer = new BackgroundWriter({
      db: this.db,
      onFailure: (error) => logger.error("cannot write the rules' state, readings or counters; keeping them and retrying", { error }),
    });
    this.state = new SqliteRuleState(this.writer.writes);
    this.outbox = new Outbox(this.db);
    this.sensorData = new SensorData(this.writer.writes);
    let snmpEngine: Promise<LocalEngine> | undefined;
    const context = (channel: ChannelConfig) => ({
      logger: logger.child(`notify.${channel.id}`),
      snmpEngine: () => (snmpEngine ??= openAnalyzerEngine({ engineId: config.notify.snmpEngineId, dataDir: config.dataDir })),
    });
    this.channels = new Map(config.notify.channels.map((channel) => [channel.id, openChannel(channel, context(channel))]));
    const channels = [...this.channels.values()];
    this.dispatcher = new Dispatcher(this.outbox, this.channels, config.notify, logger.child('notify'));
    // An alert and its notifications in one transaction: neither is ever stored without the other.
    // All the alerts of one event or tick in one: a tick that expires 1000 timers is one fsync, not 1000.
    this.store = this.db.transaction((alerts: readonly Alert[]) =>
      alerts.map((alert) => {
        const notice = this.alerts.record(alert, config.problems.flapWindow);
        if (notice)
          this.outbox.enqueue(
            notice,
            channels.filter((channel) => channel.wants(notice)).map((channel) => channel.id),
            clock.now(),
          );
        return notice;
      }),
    );
    this.engine = new RuleEngine(config.rules, { sinks: this.state, saved: this.state.load() });
    this.web = config.web.enabled
      ? new WebServer(config.web, { alerts: this.alerts, db: this.db, engine: this.engine, rules: config.rules, now: () => clock.now() }, logger.child('web'))
      : undefined;
    this.receiver = new SyslogReceiver({
      config,
      clock,
      logger: logger.child('ingest'),
      onEvent: (event) => {
        this.sensorData.observe(event);
        this.raise(this.engine.process(event, event.receivedAt));
      },
    });
  }

  /**
   * Stores, then logs and notifies `alerts`: at once, or behind those waiting, STORE_AT_ONCE a
   * transaction; also when the writer thread is committing, whose lock BEGIN IMMEDIATE would wait
   * for, holding the event loop (one alert waited 1.7 s for the commit of 200,000 new EPS keys).
   */
  private raise(alerts: readonly Alert[]): void {
    if (alerts.length === 0) return;
    if (this.backlog.length === 0 && alerts.length <= STORE_AT_ONCE && this.writer.backlog === 0) return this.storeAndTell(alerts);
    for (const alert of alerts) this.backlog.push(alert); // not push(...alerts): 125,000 arguments overflow the stack
    this.storing ??= this.storeBacklog();
  }

  private async storeBacklog(): Promise<void> {
    try {
      while (this.backlog.length > 0) {
        // While the writer thread commits, BEGIN IMMEDIATE would wait for it here, holding the event loop.
        await this.writer.idle(WRITER_WAIT_MS);
        this.storeAndTell(this.backlog.slice(0, STORE_AT_ONCE));
        this.backlog.splice(0, STORE_AT_ONCE); // only once stored: a failed chunk is kept for the retry
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // Kept (the transaction rolled back) and tried again at the next step.
      this.options.logger.error('cannot store alerts; keeping them and retrying', { error, waiting: this.backlog.length });
    } finally {
      this.storing = undefined;
    }
  }

  private storeAndTell(alerts: readonly Alert[]): void {
    if (alerts.length === 0) return;
    // IMMEDIATE: the write lock first (waiting while the writer's thread commits), then record()'s
    // reads; a read first could not be upgraded once the writer had committed (SQLITE_BUSY at once).
    for (const notice of this.store.immediate(alerts)) {
      if (!notice) continue; // an opening of a problem already open, a resolution of none
      const fields = {
        alert: notice.id,
        rule: notice.ruleId,
        host: notice.host,
        severity: notice.severity,
        ...(notice.resolves ? { problem: notice.resolves.id } : {}),
      };
      if (notice.problem === 'resolved') this.options.logger.info(notice.summary, fields);
      else this.options.logger.warn(notice.summary, fields);
      this.options.onAlert?.(notice);
    }
  }

  async start(): Promise<void> {
    this.startedAt = this.options.clock.now();
    await this.receiver.start();
    if (this.web) {
      try {
        await this.web.start();
      } catch (error) {
        await this.receiver.stop();
        throw error;
      }
    }
    const { logger } = this.options;
    this.timers.push(setInterval(() => this.step(), TICK_MS));
    this.timers.push(setInterval(() => this.purge(), RETENTION_EVERY_MS));
    this.step(); // timers that expired while the analyzer was down fire now
    this.purge();
    // Short at info (the demo's terminal and journald get one short line a minute); every counter at debug.
    this.timers.push(
      setInterval(() => {
        const counters = this.counters();
        logger.info('counters', countersSummary(counters));
        logger.debug('all counters', () => flattenCounters(counters));
      }, COUNTERS_EVERY_MS),
    );
    for (const timer of this.timers) timer.unref();
    logger.info('analyzer started', { rules: this.options.config.rules.length, dataDir: this.options.config.dataDir });
  }

  private step(): void {
    if (this.backlog.length > 0) this.storing ??= this.storeBacklog();
    this.raise(this.engine.tick(this.options.clock.now()));
    this.engine.flushCounts();
    this.applyBaselineAcks();
    // Recorded here, committed in one transaction by the writer's thread (a failure is logged from there).
    if (this.backlog.length === 0) this.recordLearnedState();
    this.sensorData.flush();
    this.writer.flush();
    void this.dispatcher.step(this.options.clock.now()).catch((error: unknown) => this.options.logger.error('notification step failed', { error }));
    const { events } = this.engine.counters;
    const wasBusy = this.busy;
    this.busy = events - this.eventsAtStep >= QUIET_EVENTS;
    this.eventsAtStep = events;
    if (this.collectGarbage(wasBusy && !this.busy ? 0 : GARBAGE_BYTES)) this.collections++;
    this.options.onStep?.();
  }

  /**
   * The rules' learned state and the counters that say what was processed, committed together.
   * Not while raised alerts wait to be stored: the state says they were raised (a value learned, a
   * key below), so after a kill -9 between the two they would never be raised again.
   */
  private recordLearnedState(): void {
    this.state.flush();
    saveCounters(this.writer.writes, { at: this.options.clock.now(), startedAt: this.startedAt, pid: process.pid, counters: this.counters() });
  }

  /**
   * Acknowledgements that asked for an anomaly's value to join the baseline, from the web page or
   * `envirowatch alerts ack --baseline` in another process: the engine learns them here.
   */
  private applyBaselineAcks(): void {
    try {
      for (const { id, ruleId, key, value } of this.alerts.pendingBaselines()) {
        const known = this.engine.acknowledgeValue(ruleId, key, value, this.options.clock.now());
        this.alerts.baselineApplied(id);
        this.options.logger.info(known ? 'acknowledged value joins the baseline' : 'acknowledged value not learned: its rule is no longer configured', {
          alert: id,
          rule: ruleId,
          key,
          value,
        });
      }
    } catch (error) {
      this.options.logger.error('cannot read acknowledgements for the baseline; retrying', { error });
    }
  }

  /** retention: old alerts, readings and rates go, so the database does not grow without bound. */
  private purge(): void {
    const { retention } = this.options.config;
    try {
      const purged = this.alerts.purge(this.options.clock.now() - retention.alerts);
      // On this connection, not the writer's: the count of rows deleted is logged.
      const purgedReadings = purgeSensorData(this.db, this.options.clock.now() - retention.readings);
      if (purged + purgedReadings > 0) this.options.logger.info('purged old data', { alerts: purged, readingsAndRates: purgedReadings });
    } catch (error) {
      this.options.logger.error('cannot purge old alerts', { error });
    }
  }

  counters(): AnalyzerCounters {
    this.receiver.refreshUdpDrops();
    return {
      ingest: structuredClone(this.receiver.counters),
      engine: { ...this.engine.counters },
      rules: this.engine.ruleCounters(),
      notify: { outbox: this.outbox.depth(), ...this.dispatcher.counters },
      memory: { collections: this.collections },
      ...(this.web ? { web: { requests: this.web.counters.requests, refused: { ...this.web.counters.refused } } } : {}),
    };
  }

  /** Idempotent: a second call returns the first's promise. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.web?.stop();
    await this.receiver.stop();
    this.step();
    while (this.storing) await this.storing;
    this.storeAndTell(this.backlog.splice(0)); // what a failure left (it throws if it fails again)
    this.recordLearnedState();
    await this.writer.close();
    await this.dispatcher.step(this.options.clock.now());
    await Promise.all([...this.channels.values()].map((channel) => channel.close()));
    this.options.logger.info('analyzer stopped', flattenCounters(this.counters())); // before the database closes: counters read it
    this.db.close();
  }
}
