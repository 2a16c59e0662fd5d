/**
 * An event's timestamp as ISO 8601 with what the sender said: its fraction digits (all of them,
 * not only the milliseconds eventTime keeps) and its UTC offset. RFC 5424 and RFC 3339 stamps are
 * that already; an RFC 3164 stamp is written with its inferred year and the offset it was read in
 * (UTC for Cisco's `UTC`/`GMT`, else this machine's local time).
 */
import type { SyslogEvent } from './event.js';

const ISO_WITH_ZONE = /^[*.]?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?)(Z|[+-]\d\d:?\d\d)$/;
const FRACTION = /:\d\d\.(\d{1,9})/;
const UTC_ZONE = / (?:UTC|GMT|UT|Z)$/i;

const two = (n: number) => String(n).padStart(2, '0');

/** null when the event carries no timestamp of its own. */
export function isoTimestamp(event: Pick<SyslogEvent, 'timestamp' | 'eventTime'>): string | null {
  const { timestamp } = event;
  if (timestamp === '') return null;
  const iso = ISO_WITH_ZONE.exec(timestamp);
  if (iso) return `${iso[1]}${iso[2]!.length === 5 ? `${iso[2]!.slice(0, 3)}:${iso[2]!.slice(3)}` : iso[2]}`;
  const fraction = FRACTION.exec(timestamp)?.[1];
  const utc = UTC_ZONE.test(timestamp);
  const date = new Date(event.eventTime);
  const [year, month, day, hours, minutes, seconds] = utc
    ? [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth(), date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const offsetMinutes = utc ? 0 : -date.getTimezoneOffset();
  const offset = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offsetMinutes) / 60))}:${two(Math.abs(offsetMinutes) % 60)}`;
  return `${String(year).padStart(4, '0')}-${two(month + 1)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}${fraction ? `.${fraction}` : ''}${offset}`;
}
