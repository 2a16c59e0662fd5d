/**
 * A held timer start, kept small (#19): a start that is still held a second on (written to the
 * store, or the tracker's own compaction) keeps its event as one string, the event's fields in a
 * fixed order as a JSON array (what the `timers` table stores), instead of the parsed object with
 * a string per field (about 0.9 KB); it is parsed again only for its alert. The alert's evidence
 * is the same event.
 */
import { parseJsonRecords } from '../../../common/records.js';
import type { SyslogEvent } from '../../../common/syslog/event.js';
import { ownCopy } from '../../store/rule-keys.js';

export interface Held {
  readonly started: number;
  /** The start event: as parsed while young, its encoding (encodeEvent) once compacted. */
  event: SyslogEvent | string;
  /**
   * Its row in the store (store.ts): `unwritten` until the write that holds it commits, `written`
   * after (and when loaded), `dropped` when released before it was written (no row to delete).
   */
  row: 'unwritten' | 'written' | 'dropped';
}

/** Every field of a SyslogEvent, in the order of the encoding (the timers migration in store/database.ts converts old rows to the same order). */
const FIELDS = [
  'receivedAt',
  'eventTime',
  'timestamp',
  'host',
  'app',
  'procId',
  'msgId',
  'facility',
  'severity',
  'message',
  'structuredData',
  'source',
  'format',
] as const satisfies readonly (keyof SyslogEvent)[];

/** The held event's encoding, kept from now on instead of the object. */
export function compactHeld(held: Held): string {
  if (typeof held.event === 'string') return held.event;
  // Copied: JSON.stringify's result is built in parts, ~100 bytes more for a 400-byte event.
  const encoded = ownCopy(JSON.stringify(FIELDS.map((field) => (held.event as SyslogEvent)[field])));
  held.event = encoded;
  return encoded;
}

/** The held start's event, parsed back when it was compacted (structured data without a prototype, as the parser makes it). */
export function heldEvent(held: Held): SyslogEvent {
  if (typeof held.event !== 'string') return held.event;
  const values = parseJsonRecords(held.event) as unknown[];
  return Object.fromEntries(FIELDS.map((field, i) => [field, values[i]])) as unknown as SyslogEvent;
}
