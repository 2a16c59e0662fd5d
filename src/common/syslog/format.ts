/**
 * Writing syslog messages: RFC 5424 (with structured data) and RFC 3164 for old collectors, and
 * RFC 6587 octet-counted framing for TCP/TLS. Pure. Hand-written: syslog-client 1.1.1, the usual
 * npm client, frames TCP with newlines only (a message containing one is split) and writes no
 * structured data; the formats are a few lines each.
 */
import type { StructuredData } from './event.js';

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
export type Facility = (typeof FACILITIES)[number];
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface OutgoingMessage {
  readonly facility: Facility;
  readonly severity: Severity;
  /** ms since the epoch. */
  readonly timestamp: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId?: string | undefined;
  readonly msgId?: string | undefined;
  readonly structuredData?: StructuredData | undefined;
  readonly message: string;
}

export function priority(facility: Facility, severity: Severity): number {
  return FACILITIES.indexOf(facility) * 8 + SEVERITIES.indexOf(severity);
}

/** A header field: printable US-ASCII without spaces, at most `max` characters, `-` when empty. */
function headerField(value: string | undefined, max: number): string {
  const cleaned = (value ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return cleaned === '' ? '-' : cleaned;
}

/** SD-NAME: printable ASCII except `=`, space, `]` and `"`, at most 32 characters. */
function sdName(name: string): string {
  const cleaned = name.replace(/[^\x21-\x7e]|[= \]"]/g, '_').slice(0, 32);
  return cleaned === '' ? '_' : cleaned;
}

/** PARAM-VALUE escapes `"`, `\` and `]` (RFC 5424 §6.3.3). */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export function formatStructuredData(data: StructuredData | undefined): string {
  const elements = Object.entries(data ?? {});
  if (elements.length === 0) return '-';
  return elements
    .map(
      ([id, params]) =>
        `[${sdName(id)}${Object.entries(params)
          .flatMap(([name, values]) => values.map((v) => ` ${sdName(name)}="${sdValue(v)}"`))
          .join('')}]`,
    )
    .join('');
}

/** RFC 3339 with milliseconds, in UTC. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`; the message is UTF-8 with a BOM. */
export function formatRfc5424(m: OutgoingMessage): string {
  const header = `<${priority(m.facility, m.severity)}>1 ${rfc3339(m.timestamp)} ${headerField(m.hostname, 255)} ${headerField(m.appName, 48)} ${headerField(m.procId, 128)} ${headerField(m.msgId, 32)}`;
  const text = m.message.replace(/[\r\n]+/g, ' ');
  return `${header} ${formatStructuredData(m.structuredData)}${text ? ` \ufeff${text}` : ''}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG` in local time, as BSD syslog writes it. It has no
 * structured data: key=value pairs are appended to the message instead.
 */
export function formatRfc3164(m: OutgoingMessage): string {
  const d = new Date(m.timestamp);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const tag = `${headerField(m.appName, 32)}${m.procId ? `[${headerField(m.procId, 16)}]` : ''}`;
  const pairs = Object.values(m.structuredData ?? {}).flatMap((params) =>
    Object.entries(params).flatMap(([name, values]) => values.map((v) => `${name}=${/[\s"]/.test(v) ? JSON.stringify(v) : v}`)),
  );
  const text = [m.message.replace(/[\r\n]+/g, ' '), ...pairs].filter(Boolean).join(' ');
  return `<${priority(m.facility, m.severity)}>${stamp} ${headerField(m.hostname, 255)} ${tag}: ${text}`;
}

/** RFC 6587 octet counting: `LENGTH SP MESSAGE`, LENGTH in bytes. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
