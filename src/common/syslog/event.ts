/**
 * One received syslog message, whatever its format: the analyzer's event model. Parsers
 * (RFC 5424, RFC 3164, raw fallback) produce it; the rule engine and the store consume it.
 */
export type SyslogFormat = 'rfc5424' | 'rfc3164' | 'raw';

/** RFC 5424 structured data: SD-ID → parameter name → values (a name may repeat). */
export type StructuredData = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface SyslogEvent {
  /** When the analyzer received it (ms since the epoch). */
  readonly receivedAt: number;
  /** The message's own timestamp (ms since the epoch); receivedAt when it has none. */
  readonly eventTime: number;
  /**
   * The timestamp as the sender wrote it ('' when none): eventTime keeps milliseconds in our
   * clock, this keeps the sub-millisecond digits and the sender's UTC offset (timestamp.ts reads it).
   */
  readonly timestamp: string;
  /** HOSTNAME field, or the sender's address when the message has none. */
  readonly host: string;
  /** APP-NAME / TAG; '' when absent. */
  readonly app: string;
  readonly procId: string;
  readonly msgId: string;
  /** 0–23; 1 (user) when the message has no PRI. */
  readonly facility: number;
  /** 0 (emergency) – 7 (debug); 5 (notice) when the message has no PRI. */
  readonly severity: number;
  readonly message: string;
  readonly structuredData: StructuredData;
  /** "address:port" of the sender, or the input's name ("file:line") in replay. */
  readonly source: string;
  readonly format: SyslogFormat;
}
