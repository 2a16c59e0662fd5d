/**
 * `envirowatch parse`: how the analyzer reads each line, for users debugging a rule (as `logger`
 * users do) and for the tests' golden cases. One result per input line, in order; the same parser
 * and the same defaults as the live receiver (year nearest the receive time, never after it).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SyslogEvent } from '../common/syslog/event.js';
import { parseSyslog } from '../common/syslog/parse.js';
import { isoTimestamp } from '../common/syslog/timestamp.js';
import { escapeForTerminal, jsonForTerminal } from './terminal-text.js';

export interface ParsedLine {
  readonly format: SyslogEvent['format'];
  /** null when the line has no PRI. */
  readonly facility: number | null;
  readonly severity: number | null;
  /** ISO 8601 with the sender's fraction and offset; null when the line has no timestamp. */
  readonly time: string | null;
  readonly host: string;
  readonly app: string;
  readonly procId: string;
  readonly msgId: string;
  /** SD-ID → name → value; a name sent more than once has the list of its values. */
  readonly structuredData: Record<string, Record<string, string | string[]>>;
  readonly message: string;
}

const PRI = /^<(\d{1,3})>/;

export function describeLine(line: string, context: { receivedAt: number; sender: string }): ParsedLine {
  const event = parseSyslog(line, { receivedAt: context.receivedAt, source: context.sender, senderHost: context.sender });
  const pri = PRI.exec(line);
  const hasPri = pri !== null && Number(pri[1]) <= 191;
  // Built with Object.fromEntries: the sender's names become own keys, never the prototype's.
  const structuredData = Object.fromEntries(
    Object.entries(event.structuredData).map(([id, params]) => [
      id,
      Object.fromEntries(Object.entries(params).map(([name, values]) => [name, values.length === 1 ? values[0]! : [...values]])),
    ]),
  );
  return {
    format: event.format,
    facility: hasPri ? event.facility : null,
    severity: hasPri ? event.severity : null,
    time: isoTimestamp(event),
    host: event.host,
    app: event.app,
    procId: event.procId,
    msgId: event.msgId,
    structuredData,
    message: event.message,
  };
}

function readable(parsed: ParsedLine): string {
  const fields = [
    parsed.format,
    parsed.time ?? '-',
    `pri=${parsed.facility === null ? '-' : `${parsed.facility}.${parsed.severity}`}`,
    `host=${parsed.host || '-'}`,
    `app=${parsed.app || '-'}`,
    `procId=${parsed.procId || '-'}`,
    `msgId=${parsed.msgId || '-'}`,
    ...(Object.keys(parsed.structuredData).length ? [`sd=${JSON.stringify(parsed.structuredData)}`] : []),
    `message=${JSON.stringify(parsed.message)}`,
  ];
  return escapeForTerminal(fields.join(' '));
}

export async function runParseCommand(options: { input: string; json?: boolean; receivedAt?: string; sender: string }): Promise<number> {
  const receivedAt = options.receivedAt === undefined ? Date.now() : Date.parse(options.receivedAt);
  if (Number.isNaN(receivedAt)) {
    process.stderr.write(`--received-at must be an ISO 8601 time such as 2026-12-04T10:00:00Z, not ${options.receivedAt}\n`);
    return 2;
  }
  const stream = options.input === '-' ? process.stdin : createReadStream(options.input, 'utf8');
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      const parsed = describeLine(line, { receivedAt, sender: options.sender });
      process.stdout.write(`${options.json ? jsonForTerminal(parsed) : readable(parsed)}\n`);
    }
  } catch (error) {
    process.stderr.write(`cannot read ${options.input}: ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
