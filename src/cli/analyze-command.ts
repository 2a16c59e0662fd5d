import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { formatConfigIssues, parseConfigText } from '../common/config-file.js';
import { ConfigError } from '../common/errors.js';
import type { Alert } from '../analyzer/rules/alert.js';
import { rulesFileSchema } from '../analyzer/rules/schema.js';
import { logLines } from '../analyzer/log-lines.js';
import { referenceForYear, replay } from '../analyzer/replay.js';
import { CLOCK_SKEW_MS } from '../common/syslog/year.js';
import { escapeForTerminal, jsonForTerminal } from './terminal-text.js';

function formatAlert(alert: Alert, json: boolean): string {
  if (json) {
    const { evidence, ...rest } = alert;
    return jsonForTerminal({
      ...rest,
      time: new Date(alert.time).toISOString(),
      evidence: {
        ...evidence,
        events: evidence.events?.map((e) => ({ time: new Date(e.eventTime).toISOString(), host: e.host, app: e.app, message: e.message, source: e.source })),
      },
    });
  }
  // Host and summary are the sender's words: escaped so a message cannot repaint or forge terminal lines.
  return `${new Date(alert.time).toISOString()} ${alert.severity.padEnd(7)} ${alert.ruleId}${alert.problem ? ` [${alert.problem}]` : ''} ${escapeForTerminal(alert.host)}: ${escapeForTerminal(alert.summary)}`;
}

/**
 * `envirowatch analyze --rules FILE --input FILE|-`: replays a log through the rules, prints the
 * alerts, a problem's opening and resolution each marked (`problem` in JSON). No store: a problem
 * re-opened within the analyzer's flap window is printed as another opening.
 */
export async function runAnalyzeCommand(options: { rules: string; input: string; json?: boolean; year?: string }): Promise<number> {
  let rules;
  try {
    rules = parseConfigText(rulesFileSchema, await readFile(options.rules, 'utf8'), options.rules).rules;
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of formatConfigIssues(error)) process.stderr.write(`${line}\n`);
      return 2;
    }
    process.stderr.write(`cannot read ${options.rules}: ${(error as Error).message}\n`);
    return 2;
  }
  const fromStdin = options.input === '-';
  const file = fromStdin ? undefined : await stat(options.input).catch((error: Error) => error);
  if (file instanceof Error) {
    process.stderr.write(`cannot read ${options.input}: ${file.message}\n`);
    return 1;
  }
  let reference = file?.mtimeMs ?? Date.now();
  // No line of a file is later than the file (stdin: than now); with --year the user says which year.
  let notAfter = reference + CLOCK_SKEW_MS;
  if (options.year !== undefined) {
    if (!/^\d{4}$/.test(options.year)) {
      process.stderr.write(`--year must be a year such as 2026, not ${options.year}\n`);
      return 2;
    }
    reference = referenceForYear(Number(options.year));
    notAfter = Infinity;
  }
  // 256 KiB chunks: node makes the text of a 1 MiB one a string outside V8's heap, and that
  // memory brought 9 full collections a million lines, not 2.
  const stream: AsyncIterable<Buffer> = fromStdin ? process.stdin : createReadStream(options.input, { highWaterMark: 1 << 18 });
  let result;
  try {
    result = await replay(logLines(stream), {
      rules,
      reference,
      notAfter,
      name: fromStdin ? 'stdin' : options.input,
      onAlert: (alert) => process.stdout.write(`${formatAlert(alert, options.json ?? false)}\n`),
    });
  } catch (error) {
    process.stderr.write(`cannot read ${options.input}: ${(error as Error).message}\n`);
    return 1;
  }
  const { engine, lines, failed } = result;
  if (failed.first)
    process.stderr.write(
      `${failed.count} line${failed.count === 1 ? '' : 's'} skipped because processing failed (a bug; please report it), the first at ${failed.first.source}: ${failed.first.error}\n`,
    );
  const pending = engine.pending();
  process.stderr.write(
    `${lines} lines, ${engine.counters.events} events${engine.counters.outOfOrder ? `, ${engine.counters.outOfOrder} out of order` : ''}${pending ? `, ${pending} timers still open at the end` : ''}\n`,
  );
  return 0;
}
