import { access, readFile } from 'node:fs/promises';
import { formatConfigIssues, loadConfigFile, parseConfigText, parseYamlText } from '../common/config-file.js';
import { agentConfigSchema } from '../agent/config/schema.js';
import { ConfigError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { systemClock } from '../common/clock.js';
import { analyzerConfigSchema, type AnalyzerConfig } from '../analyzer/config.js';
import { AnalyzerDaemon } from '../analyzer/daemon.js';
import { AlertStore, problemDuration, type StoredAlert } from '../analyzer/store/alerts.js';
import { formatDuration } from '../common/duration.js';
import { openDatabase, type Db } from '../analyzer/store/database.js';
import { flattenCounters, loadCounters } from '../analyzer/store/status.js';
import { hashPassword } from '../analyzer/web/auth.js';
import { serviceManager } from '../common/systemd-notify.js';
import { escapeForTerminal, jsonForTerminal } from './terminal-text.js';

export const DEFAULT_ANALYZER_CONFIG = '/etc/envirowatch/analyzer.yaml';

/** --config, else /etc/envirowatch/analyzer.yaml, else (no such file) every key's default. */
export async function loadAnalyzerConfig(file: string | undefined): Promise<AnalyzerConfig | number> {
  try {
    if (
      file === undefined &&
      !(await access(DEFAULT_ANALYZER_CONFIG).then(
        () => true,
        () => false,
      ))
    )
      return parseConfigText(analyzerConfigSchema, '');
    return await loadConfigFile(analyzerConfigSchema, file ?? DEFAULT_ANALYZER_CONFIG);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of formatConfigIssues(error)) process.stderr.write(`${line}\n`);
    return 2;
  }
}

export async function runAnalyzerCommand(options: { config?: string }): Promise<number> {
  const config = await loadAnalyzerConfig(options.config);
  if (typeof config === 'number') return config;
  const logger = createLogger({ namespace: 'envirowatch.analyzer', level: config.log.level });
  let daemon: AnalyzerDaemon;
  // systemd (Type=notify): ready once the receivers and the web page are bound; the daemon's
  // one-second step pings the watchdog.
  const systemd = serviceManager({ logger });
  try {
    daemon = new AnalyzerDaemon({ config, clock: systemClock, logger, onStep: () => systemd.alive() });
    await daemon.start();
  } catch (error) {
    logger.error('cannot start the analyzer', { error });
    return 1;
  }
  systemd.ready(`receiving syslog on ${daemon.receiver.addresses.join(', ')}${daemon.web ? `; web page ${daemon.web.url}` : ''}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // Ctrl-C under `envirowatch demo` brings SIGINT from the terminal and SIGTERM from the demo: stop once.
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      systemd.stopping();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await daemon.stop();
  return 0;
}

/** `alerts list` shows at most this many alerts, newest first, unless --limit says otherwise (0: all). */
const DEFAULT_ALERTS_LIMIT = 100;

const iso = (ms: number) => new Date(ms).toISOString();

/** Where the alert stands: a one-shot alert OPEN or acked; a problem OPEN (acked or not) for how long, or resolved after how long. */
function alertStatus(alert: StoredAlert, now: number): string {
  if (!alert.problem) return alert.ack ? 'acked ' : 'OPEN  ';
  const duration = formatDuration(problemDuration(alert, now)!);
  if (alert.problem.resolvedAt !== undefined) return `resolved after ${duration}${alert.ack ? ', acked' : ''}`;
  return `OPEN for ${duration}${alert.ack ? ', acked' : ''}`;
}

/** One line of `alerts list`; its text came from syslog senders, so controls are shown escaped. */
function alertLine(alert: StoredAlert, now: number): string {
  return escapeForTerminal(`${alert.id} ${iso(alert.time)} ${alert.severity.padEnd(7)} ${alertStatus(alert, now)} ${alert.summary}`);
}

/** The alert as `alerts list --json` and `alerts show` print it: times in ISO 8601 (UTC), a problem with its state and duration. */
function readableAlert(alert: StoredAlert, now: number): object {
  const { ack, problem, ...rest } = alert;
  return {
    ...rest,
    time: iso(alert.time),
    ...(ack ? { ack: { ...ack, at: iso(ack.at) } } : {}),
    ...(problem
      ? {
          problem: {
            state: problem.resolvedAt === undefined ? 'open' : 'resolved',
            openedAt: iso(alert.time),
            resolvedAt: problem.resolvedAt === undefined ? null : iso(problem.resolvedAt),
            duration: formatDuration(problemDuration(alert, now)!),
            reopened: problem.reopened,
            ...(problem.resolution ? { resolution: { ...problem.resolution, time: iso(problem.resolution.time) } } : {}),
          },
        }
      : {}),
  };
}

/** Prints up to `limit` alerts (0: all) and, on stderr so stdout stays one alert a line, how many more there are. */
function listAlerts(db: Db, options: { all?: boolean | undefined; json?: boolean | undefined; limit?: number | undefined }): void {
  const store = new AlertStore(db);
  const open = !options.all;
  const limit = options.limit ?? DEFAULT_ALERTS_LIMIT;
  // One read transaction: the count and the list see the same alerts while the daemon writes.
  const { alerts, total } = db.transaction(() => {
    const total = store.count({ open });
    return { alerts: store.list({ open, limit: limit === 0 ? total : limit }), total };
  })();
  const now = systemClock.now();
  for (const alert of alerts) process.stdout.write(`${options.json ? jsonForTerminal(readableAlert(alert, now)) : alertLine(alert, now)}\n`);
  const hidden = total - alerts.length;
  if (hidden > 0) process.stderr.write(`${hidden.toLocaleString('en-US')} more not shown; use --limit N, or --limit 0 for all\n`);
}

export async function runAlertsCommand(
  action: 'list' | 'show' | 'ack',
  options: { config?: string; id?: string; all?: boolean; json?: boolean; limit?: number; by?: string; comment?: string; baseline?: boolean },
): Promise<number> {
  const config = await loadAnalyzerConfig(options.config);
  if (typeof config === 'number') return config;
  let db;
  try {
    db = openDatabase(config.dataDir, { readonly: action !== 'ack' });
  } catch (error) {
    process.stderr.write(`cannot open the analyzer's database in ${config.dataDir}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const store = new AlertStore(db);
    if (action === 'list') {
      listAlerts(db, options);
      return 0;
    }
    if (!options.id) {
      process.stderr.write(`alerts ${action} needs an alert id\n`);
      return 2;
    }
    if (action === 'show') {
      const alert = store.get(options.id);
      if (!alert) {
        process.stderr.write(`no alert ${escapeForTerminal(options.id)}\n`);
        return 1;
      }
      process.stdout.write(`${jsonForTerminal(readableAlert(alert, systemClock.now()), 2)}\n`);
      return 0;
    }
    // A problem acknowledged stays open until its condition clears.
    const done = store.acknowledge(options.id, {
      by: options.by ?? process.env['USER'] ?? 'unknown',
      at: Date.now(),
      comment: options.comment ?? '',
      baseline: options.baseline ?? false,
    });
    if (!done) {
      process.stderr.write(`no open alert ${options.id}\n`);
      return 1;
    }
    process.stdout.write(`acknowledged ${options.id}\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** `check-config --analyzer [file]`. */
export async function runCheckAnalyzerConfigCommand(file: string | undefined): Promise<number> {
  const config = await loadAnalyzerConfig(file);
  if (typeof config === 'number') return config;
  process.stdout.write(`${file ?? DEFAULT_ANALYZER_CONFIG}: OK (${config.rules.length} rule${config.rules.length === 1 ? '' : 's'})\n`);
  return 0;
}

/**
 * For `check-config` without --analyzer, when the agent's schema refused `file`: a line saying it
 * is an analyzer config, when its top-level keys are all the analyzer's and some are not the
 * agent's (else a list of "unknown key" lines would hide the one mistake: the missing flag).
 */
export async function analyzerConfigHint(file: string): Promise<string | undefined> {
  let data: unknown;
  try {
    data = parseYamlText(await readFile(file, 'utf8'), file).data;
  } catch {
    return undefined; // unreadable or not YAML: the agent's check has said why
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  const analyzerOnly = keys.filter((key) => Object.hasOwn(analyzerConfigSchema.shape, key) && !Object.hasOwn(agentConfigSchema.shape, key));
  if (analyzerOnly.length === 0 || !keys.every((key) => Object.hasOwn(analyzerConfigSchema.shape, key))) return undefined;
  return `${file}: this is an analyzer config (it has ${analyzerOnly.join(', ')}): check it with envirowatch check-config --analyzer ${file}`;
}

/** Counters older than this mean the analyzer is not running (it writes them every second). */
const STALE_COUNTERS_MS = 10_000;

/** The running analyzer's counters, from its database (written every second). */
export async function runCountersCommand(options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadAnalyzerConfig(options.config);
  if (typeof config === 'number') return config;
  let snapshot;
  try {
    const db = openDatabase(config.dataDir, { readonly: true });
    try {
      snapshot = loadCounters(db);
    } finally {
      db.close();
    }
  } catch (error) {
    process.stderr.write(`cannot open the analyzer's database in ${config.dataDir}: ${(error as Error).message}\n`);
    return 1;
  }
  if (!snapshot) {
    process.stderr.write(`no counters in ${config.dataDir}: the analyzer has not run with this data dir\n`);
    return 1;
  }
  const age = systemClock.now() - snapshot.at;
  if (age > STALE_COUNTERS_MS)
    process.stderr.write(`these counters are ${Math.round(age / 1000)} s old: the analyzer (pid ${snapshot.pid}) is not running, or is stuck\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(snapshot)}\n`);
    return 0;
  }
  const { rules, ...rest } = snapshot.counters;
  const lines = [`analyzer pid ${snapshot.pid}, started ${new Date(snapshot.startedAt).toISOString()}; counters as of ${new Date(snapshot.at).toISOString()}`];
  const flat = flattenCounters(rest);
  const width = Math.max(...Object.keys(flat).map((key) => key.length));
  for (const [key, value] of Object.entries(flat)) lines.push(`${key.padEnd(width)}  ${value}`);
  for (const [id, { kind, counters }] of Object.entries(rules)) {
    lines.push(
      `rule ${id} (${kind}): ${Object.entries(counters)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `hash-password`: the first line of stdin (without its newline) → an scrypt hash on stdout. */
export async function runHashPasswordCommand(): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write('Password (shown as you type; or pipe it in): ');
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  const password = input.split(/\r?\n/)[0] ?? '';
  if (password.length < 8) {
    process.stderr.write('the password must have at least 8 characters\n');
    return 2;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}
