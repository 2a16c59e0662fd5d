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

export async function replay(lines: AsyncIterable<string> | Iterable<string>, options: { rules: readonly Rule[]; reference: number; notAfter?: number; name: string; onAlert?: (alert: Alert) => void }): Promise<ReplayResult> {
  const engine = new RuleEngine(options.rules);
  const alerts: Alert[] = [];
  const emit = (found: readonly Alert[]) => {
    for (const alert of found) {
      alerts.push(alert);
      options.onAlert?.(alert);
    }
  };
  let reference = options.reference;
  let n = 0;
  let failed: ReplayResult['failed'] = { count: 0 };
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const source = `${options.name}:${n}`;
    // One line that breaks the parser or a rule must not end the replay of the rest of the file.
    try {
      const event = parseSyslog(line, { receivedAt: reference, source, reference, notAfter: options.notAfter ?? Infinity, senderHost: '' });
      reference = event.eventTime;
      emit(engine.process(event, event.eventTime));
    } catch (error) {
      failed = { count: failed.count + 1, first: failed.first ?? { source, error: String(error) } };
    }
  }
  return { alerts, engine, lines: n, failed };
}

/** A reference time in the middle of `year`, so every month of it is read as that year. */
export function referenceForYear(year: number): number {
  return new Date(year, 6, 1).getTime();
}
