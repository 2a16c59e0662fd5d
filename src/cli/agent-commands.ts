import { systemClock } from '../common/clock.js';
import { formatConfigIssues } from '../common/config-file.js';
import { ConfigError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logger.js';
import type { SensorAgent } from '../agent/agent.js';
import { loadAgentConfig } from '../agent/config/load.js';
import { resolveAgentConfig, type ResolvedAgentConfig } from '../agent/config/resolve.js';
import { formatReportLine, reportSnapshot } from '../agent/report.js';
import { createAgentRuntime } from '../agent/runtime.js';
import { QUANTITY_NAME } from '../agent/readings/quantities.js';
import { displayUnit, toDisplay } from '../agent/readings/units.js';

/** Exit codes: 0 fine, 1 runtime failure (no bus, sensor), 2 bad configuration. */
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

async function loadResolved(file: string | undefined, logger: Logger): Promise<ResolvedAgentConfig | undefined> {
  try {
    const loaded = await loadAgentConfig(file);
    logger.debug(() => (loaded.file ? `config from ${loaded.file}` : 'no config file; using defaults'));
    return resolveAgentConfig(loaded.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of formatConfigIssues(error)) process.stderr.write(`${line}\n`);
    return undefined;
  }
}

export async function runCheckConfigCommand(file: string | undefined): Promise<number> {
  try {
    const loaded = await loadAgentConfig(file);
    process.stdout.write(loaded.file ? `${loaded.file}: OK\n` : 'no config file found; the built-in defaults apply: OK\n');
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of formatConfigIssues(error)) process.stderr.write(`${line}\n`);
    return EXIT_CONFIG;
  }
}

export async function runReadCommand(options: { config?: string; json?: boolean; simulate?: boolean }): Promise<number> {
  const logger = createLogger({ namespace: 'envirowatch', level: 'warn' });
  const config = await loadResolved(options.config, logger);
  if (!config) return EXIT_CONFIG;
  let runtime;
  try {
    runtime = await createAgentRuntime({ config, simulate: options.simulate ?? false, clock: systemClock, logger });
  } catch (error) {
    logger.error('cannot start', { error });
    return EXIT_FAILURE;
  }
  try {
    const report = reportSnapshot(await runtime.agent.pollOnce(), config.units);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReportLine(report)}\n`);
    // A sensor that could not be read makes the command fail, so scripts notice.
    return Object.values(report.sensors).every((sensor) => sensor.ok) ? 0 : EXIT_FAILURE;
  } finally {
    await runtime.close();
  }
}

function logAgentEvents(agent: SensorAgent, config: ResolvedAgentConfig, logger: Logger): void {
  agent.on('statusChange', (change) => {
    const value = change.value === undefined ? undefined : Number(toDisplay(change.quantity, change.value, config.units).toFixed(1));
    const limit = change.limit ? `${change.limit.side} ${Number(toDisplay(change.quantity, change.limit.limit, config.units).toFixed(1))}` : undefined;
    const level = change.to === 'ok' ? 'info' : 'warn';
    logger[level](`${QUANTITY_NAME[change.quantity]} ${change.from} → ${change.to}`, {
      value, unit: displayUnit(change.quantity, config.units), limit, reason: change.reason,
    });
  });
}

export async function runAgentCommand(options: { config?: string; simulate?: boolean; printReadings?: boolean }): Promise<number> {
  const bootstrap = createLogger({ namespace: 'envirowatch' });
  const config = await loadResolved(options.config, bootstrap);
  if (!config) return EXIT_CONFIG;
  const logger = createLogger({ namespace: 'envirowatch.agent', level: config.config.log.level });
  let runtime;
  try {
    runtime = await createAgentRuntime({ config, simulate: options.simulate ?? false, clock: systemClock, logger });
  } catch (error) {
    logger.error('cannot start', { error });
    return EXIT_FAILURE;
  }
  const { agent, board } = runtime;
  logAgentEvents(agent, config, logger);
  if (options.printReadings) agent.on('reading', (snapshot) => process.stdout.write(`${formatReportLine(reportSnapshot(snapshot, config.units))}\n`));

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info('stopping', { signal });
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const scenario = board ? setInterval(() => board.update(), 250) : undefined;
  logger.info('agent started', { simulate: Boolean(board), interval: `${config.config.poll.interval}ms`, units: config.units.temperature });
  try {
    await agent.run(stop.signal);
  } finally {
    clearInterval(scenario);
    await runtime.close();
  }
  logger.info('agent stopped');
  return 0;
}
