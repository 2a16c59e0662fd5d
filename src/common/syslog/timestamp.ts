/**
 * An event's timestamp as ISO 8601 with what the sender said: its fraction digits (all of them,
 * not only the milliseconds eventTime keeps) and its UTC offset. RFC 5424 and RFC 3339 stamps are
 * that already; an RFC 3164 stamp is written with its inferred year and the offset it was read in
 * (its zone name's, e.g. Cisco's `UTC` or `CET`, else this machine's local time).
 */
import type { SyslogEvent } from './event.js';
import { ZONE_OFFSET_MINUTES } from './zones.js';

const ISO_WITH_ZONE = /^[*.]?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?)(Z|[+-]\d\d:?\d\d)$/;
const FRACTION = /:\d\d\.(\d{1,9})/;
const ZONE_NAME = / ([A-Z]{2,5})$/;

const two = (n: number) => String(n).padStart(2, '0');

/** null when the event carries no timestamp of its own. */
export function isoTimestamp(event: Pick<SyslogEvent, 'timestamp' | 'eventTime'>): string | null {
  const { timestamp } = event;
  if (timestamp === '') return null;
  const iso = ISO_WITH_ZONE.exec(timestamp);
  if (iso) return `${iso[1]}${iso[2]!.length === 5 ? `${iso[2]!.slice(0, 3)}:${iso[2]!.slice(3)}` : iso[2]}`;
  const fraction = FRACTION.exec(timestamp)?.[1];
  const zone = ZONE_NAME.exec(timestamp)?.[1];
  const zoneOffset = zone === undefined ? undefined : ZONE_OFFSET_MINUTES.get(zone);
  const offsetMinutes = zoneOffset ?? -new Date(event.eventTime).getTimezoneOffset();
  // The wall clock in that offset: shift the instant, then read it as UTC.
  const date = new Date(event.eventTime + offsetMinutes * 60_000);
  const [year, month, day, hours, minutes, seconds] = [
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  const offset =
    offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offsetMinutes) / 60))}:${two(Math.abs(offsetMinutes) % 60)}`;
  return `${String(year).padStart(4, '0')}-${two(month + 1)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}${fraction ? `.${fraction}` : ''}${offset}`;
}
