import { NO_ENTRIES } from '../records.js';
import type { SyslogEvent } from './event.js';
import { CLOCK_SKEW_MS } from './year.js';
import { parseRfc3164 } from './rfc3164.js';
import { parseRfc5424 } from './rfc5424.js';

/**
 * Any received text as an event: RFC 5424 if it is, else RFC 3164, else a raw event (never
 * dropped) whose host is the sender's address and whose time is the receive time.
 */
export interface ParseContext {
  readonly receivedAt: number;
  /** "address:port", or "file:line" in replay. */
  readonly source: string;
  /** The time an RFC 3164 stamp's year is chosen near; receivedAt by default. */
  readonly reference?: number | undefined;
  /** No RFC 3164 stamp is read as later than this; receivedAt plus CLOCK_SKEW_MS by default. */
  readonly notAfter?: number | undefined;
  /** The host for a message that names none; the source's address by default. */
  readonly senderHost?: string | undefined;
}

export function parseSyslog(text: string, context: ParseContext): SyslogEvent {
  const { receivedAt, source } = context;
  // Replay has no sender: it passes senderHost ''.
  const senderHost = context.senderHost ?? source.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const line = withoutLineEnd(text);
  const r5424 = parseRfc5424(line);
  if (r5424) {
    return {
      receivedAt,
      eventTime: r5424.time ?? receivedAt,
      timestamp: r5424.timestamp,
      host: r5424.host || senderHost,
      app: r5424.app,
      procId: r5424.procId,
      msgId: r5424.msgId,
      facility: r5424.facility,
      severity: r5424.severity,
      message: r5424.message,
      structuredData: r5424.structuredData,
      source,
      format: 'rfc5424',
    };
  }
  const r3164 = parseRfc3164(line, context.reference ?? receivedAt, context.notAfter ?? receivedAt + CLOCK_SKEW_MS);
  if (r3164) {
    return {
      receivedAt,
      eventTime: r3164.time ?? receivedAt,
      timestamp: r3164.timestamp,
      host: r3164.host || senderHost,
      app: r3164.app,
      procId: r3164.procId,
      msgId: '',
      facility: r3164.facility,
      severity: r3164.severity,
      message: r3164.message,
      structuredData: NO_ENTRIES,
      source,
      format: 'rfc3164',
    };
  }
  const match = /^<(\d{1,3})>/.exec(line);
  const pri = match && Number(match[1]) <= 191 ? match : undefined;
  const priority = pri ? Number(pri[1]) : 13;
  return {
    receivedAt,
    eventTime: receivedAt,
    timestamp: '',
    host: senderHost,
    app: '',
    procId: '',
    msgId: '',
    facility: priority >> 3,
    severity: priority & 7,
    message: pri ? line.slice(pri[0].length) : line,
    structuredData: NO_ENTRIES,
    source,
    format: 'raw',
  };
}

/**
 * The text without trailing CR, LF and NUL. A loop from the end, not `/[\r\n\0]+$/`: that regex
 * retries from every position of a run that is not at the end, so 65,000 CRs followed by an `x`
 * cost seconds (quadratic backtracking; test/security/redos.test.ts).
 */
function withoutLineEnd(text: string): string {
  let end = text.length;
  for (let c = text.charCodeAt(end - 1); c === 0x0d || c === 0x0a || c === 0; c = text.charCodeAt(end - 1)) end--;
  return end === text.length ? text : text.slice(0, end);
}
