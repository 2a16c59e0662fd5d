import { systemClock } from '../common/clock.js';
import { formatConfigIssues } from '../common/config-file.js';
import { ConfigError } from '../common/errors.js';
import { createLogger, type LogLevel, type Logger } from '../common/logger.js';
import type { AgentSnapshot, SensorAgent } from '../agent/agent.js';
import { loadAgentConfig } from '../agent/config/load.js';
import { describeAdapters, listI2cAdapters } from '../agent/i2c/header-bus.js';
import { resolveAgentConfig, type ResolvedAgentConfig } from '../agent/config/resolve.js';
import { formatReportLine, reportSnapshot } from '../agent/report.js';
import { createAgentRuntime, type AgentRuntime } from '../agent/runtime.js';
import { QUANTITY_NAME } from '../agent/readings/quantities.js';
import { displayUnit, toDisplay } from '../agent/readings/units.js';
import { startSnmpService, type SnmpService } from '../agent/snmp/service.js';
import { SyslogForwarder } from '../agent/syslog/forwarder.js';
import { serviceManager } from '../common/systemd-notify.js';

/** Exit codes: 0 fine, 1 runtime failure (no bus, sensor), 2 bad configuration. */
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

/** Prints a config error as `file:line: key.path: message` lines; rethrows anything else. */
export function reportConfigError(error: unknown): number {
  if (!(error instanceof ConfigError)) throw error;
  for (const line of formatConfigIssues(error)) process.stderr.write(`${line}\n`);
  return EXIT_CONFIG;
}

export async function runCheckConfigCommand(file: string | undefined): Promise<number> {
  try {
    const loaded = await loadAgentConfig(file);
    process.stdout.write(loaded.file ? `${loaded.file}: OK\n` : 'no config file found; the built-in defaults apply: OK\n');
    return 0;
  } catch (error) {
    if (error instanceof ConfigError && error.file !== undefined) {
      const { analyzerConfigHint } = await import('./analyzer-commands.js');
      const hint = await analyzerConfigHint(error.file);
      if (hint) {
        process.stderr.write(`${hint}\n`);
        return EXIT_CONFIG;
      }
    }
    return reportConfigError(error);
  }
}

interface Started {
  readonly config: ResolvedAgentConfig;
  readonly runtime: AgentRuntime;
  readonly logger: Logger;
}

/**
 * Loads the config and wires the runtime. Returns the exit code instead when either fails:
 * the reason is already on stderr.
 */
async function start(
  options: { config?: string; simulate?: boolean; retryMissingBus?: boolean },
  logLevel: (config: ResolvedAgentConfig) => LogLevel,
): Promise<Started | number> {
  let config: ResolvedAgentConfig;
  try {
    config = resolveAgentConfig((await loadAgentConfig(options.config)).config);
  } catch (error) {
    return reportConfigError(error);
  }
  const logger = createLogger({ namespace: 'envirowatch.agent', level: logLevel(config) });
  try {
    const runtime = await createAgentRuntime({
      config,
      simulate: options.simulate ?? false,
      clock: systemClock,
      logger,
      retryMissingBus: options.retryMissingBus ?? false,
    });
    return { config, runtime, logger };
  } catch (error) {
    logger.error('cannot start', { error });
    return EXIT_FAILURE;
  }
}

export async function runReadCommand(options: { config?: string; json?: boolean; simulate?: boolean }): Promise<number> {
  // One-shot: only problems go to stderr; the reading itself says which sensor failed and why.
  const started = await start(options, () => 'error');
  if (typeof started === 'number') {
    // Most often a first try on a machine without the sensor board.
    if (started === EXIT_FAILURE && !options.simulate) process.stderr.write('no sensor board here? envirowatch read --simulate reads the emulated one\n');
    return started;
  }
  const { config, runtime } = started;
  try {
    const report = reportSnapshot(await runtime.agent.pollOnce(), config.units);
    // Which bus was read, so "wrong bus" can be told from "no board".
    const i2c = runtime.i2c ? { device: `/dev/i2c-${runtime.i2c.number}`, reason: runtime.i2c.reason } : 'simulated';
    const i2cLine = `I²C bus: ${typeof i2c === 'string' ? i2c : `${i2c.device}, ${i2c.reason}`}`;
    process.stdout.write(options.json ? `${JSON.stringify({ ...report, i2c }, null, 2)}\n` : `${i2cLine}\n${formatReportLine(report)}\n`);
    // A sensor that could not be read makes the command fail, so scripts notice, and says why.
    const failed = Object.entries(report.sensors).filter(([, sensor]) => !sensor.ok);
    for (const [name, sensor] of failed) process.stderr.write(`${name}: ${sensor.error ?? 'failed'}\n`);
    // No sensor answering: wrong bus, or no board? The buses and their controllers tell.
    if (runtime.i2c && failed.length === Object.keys(report.sensors).length) {
      process.stderr.write(`I²C buses seen: ${describeAdapters(await listI2cAdapters('/sys'))}\n`);
    }
    return failed.length === 0 ? 0 : EXIT_FAILURE;
  } finally {
    await runtime.close();
  }
}

function logStatusChanges(agent: SensorAgent, config: ResolvedAgentConfig, logger: Logger): void {
  const shown = (quantity: Parameters<typeof toDisplay>[0], value: number) => Number(toDisplay(quantity, value, config.units).toFixed(1));
  agent.on('statusChange', (change) => {
    logger[change.to === 'ok' ? 'info' : 'warn'](`${QUANTITY_NAME[change.quantity]} ${change.from} → ${change.to}`, {
      value: change.value === undefined ? undefined : shown(change.quantity, change.value),
      unit: displayUnit(change.quantity, config.units),
      limit: change.limit ? `${change.limit.side} ${shown(change.quantity, change.limit.limit)}` : undefined,
      reason: change.reason,
    });
  });
}

export async function runAgentCommand(options: {
  config?: string;
  simulate?: boolean;
  printReadings?: boolean;
  displaySnapshot?: string;
  version: string;
}): Promise<number> {
  const started = await start({ ...options, retryMissingBus: true }, (config) => config.config.log.level);
  if (typeof started === 'number') return started;
  const { config, runtime, logger } = started;
  const { agent, board } = runtime;
  let snmp: SnmpService;
  try {
    snmp = await startSnmpService({
      config: config.config.snmp,
      snapshot: () => agent.snapshot(),
      resolved: config,
      logger,
      sysDescr: `envirowatch ${options.version} environment sensor${board ? ' (simulated sensors)' : ''}`,
    });
  } catch (error) {
    logger.error('cannot start the SNMP agent', { error });
    await runtime.close();
    return EXIT_FAILURE;
  }
  let metrics: { stop(): Promise<void> } | undefined;
  if (config.config.metrics.enabled) {
    try {
      metrics = await startMetrics(config, () => agent.snapshot(), logger);
    } catch (error) {
      logger.error('cannot start the metrics endpoint', { error });
      await snmp.stop();
      await runtime.close();
      return EXIT_FAILURE;
    }
  }
  const syslog =
    config.config.syslog.destinations.length > 0
      ? new SyslogForwarder({ config: config.config.syslog, units: config.units, clock: systemClock, logger: logger.child('syslog'), version: options.version })
      : undefined;
  syslog?.attach(agent);
  const display = await startDisplayIfConfigured(config, started, options, syslog);
  agent.on('statusChange', (change) => snmp.notify(change, agent.snapshot()));
  logStatusChanges(agent, config, logger);
  if (options.printReadings) agent.on('reading', (snapshot) => process.stdout.write(`${formatReportLine(reportSnapshot(snapshot, config.units))}\n`));
  // systemd (Type=notify): ready after the first reading, with SNMP already bound; every turn of
  // the reading loop pings the watchdog, so a loop that hangs gets the agent restarted.
  const systemd = serviceManager({ logger });
  const snmpConfig = config.config.snmp;
  const serving = snmpConfig.mode === 'agentx' ? 'SNMP through snmpd (AgentX)' : `SNMP on ${snmpConfig.addresses.join(', ')} port ${snmpConfig.port}`;
  agent.once('reading', () => systemd.ready(`reading the sensors every ${config.config.poll.interval} ms; ${serving}`));
  agent.on('reading', () => systemd.alive());

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl-C under `envirowatch demo` brings SIGINT from the terminal and SIGTERM from the demo: stop once.
    if (stop.signal.aborted) return;
    logger.info('stopping', { signal });
    systemd.stopping();
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The scripted room moves with wall time, independently of the poll rate.
  const scenario = board ? setInterval(() => board.update(), 250) : undefined;
  logger.info('agent started', { simulate: Boolean(board), interval: `${config.config.poll.interval}ms`, units: config.units.temperature });
  try {
    await agent.run(stop.signal);
  } finally {
    clearInterval(scenario);
    await display?.stop();
    await metrics?.stop();
    await syslog?.stop();
    await snmp.stop();
    await runtime.close();
  }
  logger.info('agent stopped');
  return 0;
}

/** The optional Prometheus endpoint; imported only when enabled, so prom-client is not loaded otherwise. */
async function startMetrics(config: ResolvedAgentConfig, snapshot: () => AgentSnapshot, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const [{ createSensorMetrics }, { startMetricsServer }] = await Promise.all([import('../agent/metrics/exposition.js'), import('../agent/metrics/server.js')]);
  const metrics = createSensorMetrics(() => ({ snapshot: snapshot(), units: config.units, thresholds: config.thresholds, now: systemClock.now() }));
  return startMetricsServer(config.config.metrics, metrics, logger.child('metrics'));
}

/**
 * The display, when display.type is not none. It must never stop the agent: a display that cannot
 * even be set up (e.g. node-libgpiod missing) is logged and the agent runs without it.
 */
async function startDisplayIfConfigured(
  config: ResolvedAgentConfig,
  started: Started,
  options: { simulate?: boolean; displaySnapshot?: string },
  syslog: SyslogForwarder | undefined,
): Promise<{ stop(): Promise<void> } | undefined> {
  const settings = config.config.display;
  if (settings.type === 'none') {
    if (options.displaySnapshot) started.logger.warn('--display-snapshot ignored: display.type is none');
    return undefined;
  }
  const { runtime, logger } = started;
  try {
    const { startDisplay } = await import('../agent/display/start.js');
    return await startDisplay({
      config: settings,
      simulate: options.simulate ?? false,
      units: config.units,
      snapshot: () => runtime.agent.snapshot(),
      clock: systemClock,
      logger: logger.child('display'),
      sensorsI2c: { busNumber: runtime.i2c?.number, bus: runtime.bus },
      snapshotPng: options.displaySnapshot,
      onHealth: (failed, error) => (failed ? syslog?.displayFailed(error instanceof Error ? error.message : String(error)) : syslog?.displayRecovered()),
    });
  } catch (error) {
    logger.error('cannot start the display; running without it', { error });
    return undefined;
  }
}
