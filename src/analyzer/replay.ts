/**
 * Replay: log lines through the rule engine with the events' own times as the clock, so a week
 * of learning can be tested on last month's logs. RFC 3164 lines have no year: the first is read
 * nearest the given reference (`--year` or the file's modification time), each later one nearest
 * the line before, so a log crossing New Year moves on into the next year; and none later than
 * `notAfter` (the file's time plus CLOCK_SKEW_MS), since a file holds no line from after it was written.
 */
import { parseSyslog } from '../common/syslog/parse.js';
import type { Alert } from './rules/alert.js';
import { RuleEngine } from './rules/engine.js';
import type { Rule } from './rules/schema.js';

export interface ReplayResult {
  readonly alerts: Alert[];
  readonly engine: RuleEngine;
  readonly lines: number;
  /** Lines the parser or a rule failed on (a bug, not bad input): skipped, and the first one's place and error. */
  readonly failed: { readonly count: number; readonly first?: { readonly source: string; readonly error: string } };
}

/** `lines`: one by one, or as arrays (a chunk's lines, log-lines.ts) from an async source. */
export async function replay(
  lines: AsyncIterable<readonly string[]> | Iterable<string>,
  options: { rules: readonly Rule[]; reference: number; notAfter?: number; name: string; onAlert?: (alert: Alert) => void },
): Promise<ReplayResult> {
  const engine = new RuleEngine(options.rules);
  const alerts: Alert[] = [];
  let reference = options.reference;
  let n = 0;
  let failed: ReplayResult['failed'] = { count: 0 };
  const sourcePrefix = `${options.name}:`;
  const take = (line: string) => {
    n++;
    if (line.trim() === '') return;
    // One line that breaks the parser or a rule must not end the replay of the rest of the file.
    try {
      const event = parseSyslog(line, {
        receivedAt: reference,
        source: `${sourcePrefix}${n}`,
        reference,
        notAfter: options.notAfter ?? Infinity,
        senderHost: '',
      });
      reference = event.eventTime;
      for (const alert of engine.process(event, event.eventTime)) {
        alerts.push(alert);
        options.onAlert?.(alert);
      }
    } catch (error) {
      failed = { count: failed.count + 1, first: failed.first ?? { source: `${sourcePrefix}${n}`, error: String(error) } };
    }
  };
  if (Symbol.asyncIterator in lines) {
    for await (const batch of lines) for (const line of batch) take(line);
  } else for (const line of lines) take(line);
  return { alerts, engine, lines: n, failed };
}

/** A reference time in the middle of `year`, so every month of it is read as that year. */
export function referenceForYear(year: number): number {
  return new Date(year, 6, 1).getTime();
}
