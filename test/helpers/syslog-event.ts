import type { SyslogEvent } from '../../src/common/syslog/event.js';

/** An RFC 5424 event with `fields` and empty defaults for the rest (its own time the receive time), for tests and benches. */
export function syslogEvent(fields: Partial<SyslogEvent> & { host: string; receivedAt: number }): SyslogEvent {
  return {
    eventTime: fields.receivedAt,
    timestamp: '',
    app: '',
    procId: '',
    msgId: '',
    facility: 1,
    severity: 5,
    message: '',
    structuredData: {},
    source: 'test',
    format: 'rfc5424',
    ...fields,
  };
}
