/**
 * RFC 5424 parser. Strict where the grammar is (PRI, VERSION, header fields, structured data
 * with its escapes), lenient where senders differ (a missing BOM, a message with no MSG part).
 * Returns undefined when the text is not RFC 5424, so the caller can try RFC 3164.
 * Where parsers differ: the BOM that marks a UTF-8 MSG (§6.4) is removed, not kept as rsyslog's
 * %msg% keeps it, because rules match the message text and an invisible U+FEFF would defeat a
 * regex anchored with `^`; an RFC 3164 line has no BOM rule and keeps one. Escapes in PARAM-VALUE
 * and over-long header fields: see quotedValue and HEADER below.
 * Hand-written: of the npm parsers read, syslog-parse 2.0 is one regex for RFC 3164 only, and
 * glossy 0.1.7 splits messages on spaces, needs a PRI on RFC 3164 lines and takes pfSense's
 * `openvpn[53530]:` for a host name.
 */
import { emptyRecord, NO_ENTRIES } from '../records.js';
import { isDigit } from './digits.js';
import type { StructuredData } from './event.js';

export interface Parsed5424 {
  readonly facility: number;
  readonly severity: number;
  /** ms since the epoch; undefined for the NILVALUE. */
  readonly time: number | undefined;
  /** TIMESTAMP as sent, fraction and offset included; '' for the NILVALUE. */
  readonly timestamp: string;
  readonly host: string;
  readonly app: string;
  readonly procId: string;
  readonly msgId: string;
  readonly structuredData: StructuredData;
  readonly message: string;
}

// Field lengths are not enforced (RFC 5424 §6 caps HOSTNAME at 255, APP-NAME 48, PROCID 128, MSGID
// 32): a sender that writes longer ones still sent a 5424 message, and rsyslog keeps it too;
// dropping the whole line to a raw event would lose its host and time.
const HEADER = /^<(\d{1,3})>([1-9]\d{0,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;

const nil = (field: string) => (field === '-' ? '' : field);

/**
 * The time of a TIMESTAMP (`YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`, RFC 5424 §6.2.3), read digit by
 * digit: Date.parse and a regex with eight groups were a fifth of a replay's time. null when it is
 * no date, as Date.parse says NaN: it accepts any day 1-31 in every month (`02-30` is March 2) and
 * offsets up to 23:59; the rare hour 24 and years below 100 are left to it.
 */
function parseTimestamp(text: string): number | undefined | null {
  if (text === '-') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hours = digits(text, 11, 2);
  const minutes = digits(text, 14, 2);
  const seconds = digits(text, 17, 2);
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hours < 0 ||
    minutes < 0 ||
    seconds < 0 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  )
    return null;
  let at = 19;
  // The fraction's first three digits are the milliseconds (`.5` is 500, `.123456` 123), as Date.parse reads them.
  let ms = 0;
  if (text[at] === '.') {
    let count = 0;
    for (at++; count < 7 && isDigit(text.charCodeAt(at)); at++, count++) if (count < 3) ms = ms * 10 + text.charCodeAt(at) - 0x30;
    if (count === 0 || count > 6) return null;
    if (count < 3) ms *= count === 1 ? 100 : 10;
  }
  let offsetMinutes = 0;
  if (text[at] === 'Z') at++;
  else {
    const sign = text[at] === '+' ? 1 : text[at] === '-' ? -1 : 0;
    const zoneHours = digits(text, at + 1, 2);
    const zoneMinutes = digits(text, at + 4, 2);
    if (sign === 0 || zoneHours < 0 || zoneMinutes < 0 || text[at + 3] !== ':') return null;
    if (zoneHours > 23 || zoneMinutes > 59) return null;
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
    at += 6;
  }
  if (at !== text.length) return null;
  if (hours === 24 || year < 100) {
    const time = Date.parse(text);
    return Number.isNaN(time) ? null : time;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) return null;
  // Date.UTC (no local-time conversion) lets a day past the month's end run into the next, as Date.parse does.
  // It is called once per day, not per line (a fifth of the parse): a UTC day has no jumps.
  if (year !== lastDay.year || month !== lastDay.month || day !== lastDay.day) lastDay = { year, month, day, start: Date.UTC(year, month - 1, day) };
  return lastDay.start + ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms - offsetMinutes * 60_000;
}

/** The day of the last TIMESTAMP and its start (ms since the epoch). */
let lastDay = { year: -1, month: -1, day: -1, start: 0 };

/** The number `count` digits at `at` spell, or -1. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    n = n * 10 + code - 0x30;
  }
  return n;
}

/** A PARAM-NAME has no space, `]` or `"` (RFC 5424 §6.3.3). */
const SD_NAME_STOP = /[ \]"]/;
/** An SD-ID ends at the first space or `]`. */
const SD_ID_END = /[ \]]/g;

/**
 * Structured data from `text[at]`; returns the data and where it ended, or null when malformed.
 * SD-IDs and parameter names are the sender's words, so they key prototype-less records
 * (records.ts): `toString` or `__proto__` is just a name here.
 */
function parseStructuredData(text: string, at: number): { data: StructuredData; end: number } | null {
  if (text[at] === '-') return { data: NO_ENTRIES, end: at + 1 };
  const data = emptyRecord<Record<string, string[]>>();
  let i = at;
  while (text[i] === '[') {
    i++;
    SD_ID_END.lastIndex = i;
    const idEnd = SD_ID_END.exec(text)?.index ?? -1;
    if (idEnd <= i) return null;
    const id = text.slice(i, idEnd);
    if (id.includes('=') || id.includes('"')) return null; // SD-NAME excludes them (RFC 5424 §6.3.2)
    i = idEnd;
    const params = data[id] ?? emptyRecord<string[]>();
    while (text[i] === ' ') {
      i++;
      const eq = text.indexOf('=', i);
      if (eq <= i) return null;
      const name = text.slice(i, eq);
      if (SD_NAME_STOP.test(name)) return null;
      // Spaces between `=` and the quote are not RFC 5424, but rsyslog reads them (its parse1 test case 19).
      let quote = eq + 1;
      while (text.charCodeAt(quote) === 0x20) quote++;
      const value = text[quote] === '"' ? quotedValue(text, quote + 1) : unquotedValue(text, eq + 1);
      if (!value) return null;
      i = value.end;
      (params[name] ??= []).push(value.text);
    }
    if (text[i] !== ']') return null;
    i++;
    data[id] = params;
  }
  return i === at ? null : { data, end: i };
}

/**
 * PARAM-VALUE from after its opening quote to its closing one. Only `\"`, `\\` and `\]` are escapes
 * (RFC 5424 §6.3.3); any other backslash is kept as it is, as the RFC says and rsyslog does.
 */
function quotedValue(text: string, from: number): { text: string; end: number } | null {
  let value = '';
  let chunk = from;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) return { text: value + text.slice(chunk, i), end: i + 1 };
    if (c === 0x5c /* \ */) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x22 || next === 0x5c || next === 0x5d) {
        value += text.slice(chunk, i);
        chunk = i + 1;
        i++;
      }
    }
  }
  return null;
}

/**
 * A value without quotes, up to a space or `]`: VMware ESXi writes `[Originator@6876
 * sub=Vimsvc.ha-eventmgr user=root]`. Not RFC 5424, but the rest of the message is, and reading it
 * keeps the host, app and time that a raw event would lose.
 */
function unquotedValue(text: string, from: number): { text: string; end: number } | null {
  let end = from;
  while (end < text.length && text.charCodeAt(end) !== 0x20 && text.charCodeAt(end) !== 0x5d) end++;
  return end === text.length || end === from ? null : { text: text.slice(from, end), end };
}

export function parseRfc5424(text: string): Parsed5424 | undefined {
  const header = HEADER.exec(text);
  if (!header) return undefined;
  const pri = Number(header[1]);
  if (pri > 191) return undefined;
  const time = parseTimestamp(header[3]!);
  if (time === null) return undefined;
  const sd = parseStructuredData(text, header[0].length);
  if (!sd) return undefined;
  if (sd.end < text.length && text.charCodeAt(sd.end) !== 0x20) return undefined;
  // The message after its space, without a BOM (RFC 5424 §6.4).
  const messageStart = sd.end + (text.charCodeAt(sd.end + 1) === 0xfeff ? 2 : 1);
  return {
    facility: pri >> 3,
    severity: pri & 7,
    time,
    timestamp: nil(header[3]!),
    host: nil(header[4]!),
    app: nil(header[5]!),
    procId: nil(header[6]!),
    msgId: nil(header[7]!),
    structuredData: sd.data,
    message: messageStart >= text.length ? '' : text.slice(messageStart),
  };
}
