/**
 * RFC 3164 (BSD syslog) as real devices send it: `<PRI>TIMESTAMP HOSTNAME TAG[PID]: MSG`, where in
 * practice every part may differ. What is read, and where the references (rsyslog's parser tests,
 * leodido/go-syslog, syslog-ng) disagree, the choice made here (golden cases in test/golden/syslog/):
 *
 * - PRI: optional (lines from a log file: user.notice, RFC 3164 §4.3.3); spaces after it are skipped
 *   (`<38> Mar  7 ...`, rsyslog date1).
 * - Cisco IOS / NX-OS / ASA prefixes before the time: a message counter and a sequence number
 *   (`530470:`, `105: 000104:`, or a bare `:`), an origin host name (`router1:`), and `*` or `.` for
 *   a clock not in sync; after the time a zone name (`UTC:`) and a colon. They are read only when a
 *   timestamp follows, so a message that merely starts with digits and a colon stays a message.
 * - Timestamp: `Mmm dd hh:mm:ss` with the month in any case or in full (`AUG`, `January`), one or
 *   two spaces or a single digit before the day, fractional seconds (`.098`), a year before or after
 *   the time (`Oct 16 2009 23:47:31`, `Apr 15 21:28:13 2007`; rsyslog reads a year after the time as
 *   the host name: we read it as the year, which is what Cisco and Juniper mean), or an RFC 3339 stamp
 *   (`2019-02-13T21:53:30.605850+00:00`, rsyslog's forwarding format and VMware ESXi). A stamp with
 *   no zone is local time; a zone name is read with zones.ts (unambiguous names only; IST is three
 *   zones and stays local time). Its text is kept as sent (`timestamp`). No timestamp at all
 *   (`<15> openvpn[2499]: ...`): `time` is undefined and the caller uses the receive time.
 * - HOSTNAME: the first word unless that word is itself a TAG (pfSense and OpenBSD send no host:
 *   `openvpn[53530]: ...`). An IPv6 address is a host, though it has colons.
 * - TAG: up to 48 characters without space, `[`, `]` or `:`, then an optional `[PID]`, then `:`; a
 *   `[PID]` alone also ends it. A word with neither is message text, not a tag (go-syslog's reading;
 *   rsyslog takes any first word as the tag, which would make "Some" the app of "Some message
 *   here"). A tag with spaces (macOS "Google Chrome Helper[12]:") is therefore not a tag: the whole
 *   text is the message.
 */
import { isDigit } from './digits.js';
import { inferYear, localTime, localYear } from './year.js';
import { ZONE_OFFSET_MINUTES } from './zones.js';

export interface Parsed3164 {
  readonly facility: number;
  readonly severity: number;
  /** ms since the epoch; undefined when the line has no timestamp. */
  readonly time: number | undefined;
  /** The timestamp as sent, Cisco's `*` and zone name included; '' when none. */
  readonly timestamp: string;
  /** '' when the message has no HOSTNAME. */
  readonly host: string;
  readonly app: string;
  readonly procId: string;
  readonly message: string;
}

/** Month names, abbreviated and in full, lower case, and `Jan` as nearly every sender writes it. */
const MONTHS = new Map(
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].flatMap((name, index) => [
    [name, index],
    [name.slice(0, 3), index],
    [`${name[0]!.toUpperCase()}${name.slice(1, 3)}`, index],
  ]),
);
/** `[yyyy ]Mmm dd [yyyy ]hh:mm:ss[.frac]` (NX-OS puts the year first), sticky; the rest (year after, zone, colon) is read by hand. */
const BSD_TIME = /(?:(\d{4}) )?([A-Za-z]{3,9}) {1,2}(\d{1,2})(?: (\d{4}))? (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?/y;
const ISO_TIME = /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/y;
/** Cisco's counter / sequence number (`530470: `) or the bare colon left when both are off. */
const CISCO_NUMBER = /(?:\d{1,20})?: /y;
/** Cisco's origin-id host name before the timestamp (`router1: `). */
const CISCO_HOST = /([^\s:]{1,255}): /y;
/** Cisco's `show-timezone` name: only before the `: %FAC-SEV-MNEMONIC` it always precedes, so a host or tag is never taken for a zone. */
const ZONE_NAME = / ([A-Z]{2,5})(?=: %)/y;

/** Where readTag found the parts of the tag it read last (a name, and a PID or none): one object, reused, so a line costs no match array and no strings it does not keep. */
export const lastTag = { nameEnd: 0, pidStart: -1, pidEnd: -1 };

/**
 * The TAG at `at`: up to 48 characters that are not whitespace, `[`, `]` or `:`, then `:` or a
 * `[PID]` (1-128 characters neither whitespace nor `]`) with an optional `:`. Returns where it
 * ends (-1 when there is none) and leaves its parts in `lastTag`. Read by hand as the regex
 * `([^\s[\]:]{1,48})(?:\[([^\]\s]{1,128})\]:?|:)` (sticky) would read it (the test checks them
 * against each other): its match array and strings, for every line and twice for most, were a
 * fifth of the parse's allocation. No backtracking can help that regex: `[` and `:` cannot be in
 * the name, nor `]` in the PID, so each part ends at its first such character or not at all.
 */
export function readTag(text: string, at: number): number {
  let i = at;
  while (i < text.length && isTagNameChar(text.charCodeAt(i))) i++;
  if (i === at || i - at > 48) return -1;
  lastTag.nameEnd = i;
  lastTag.pidStart = -1;
  const next = text.charCodeAt(i);
  if (next === 0x3a /* : */) return i + 1;
  if (next !== 0x5b /* [ */) return -1;
  let j = i + 1;
  while (j < text.length && text.charCodeAt(j) !== 0x5d && !isRegexSpace(text.charCodeAt(j))) j++;
  if (j === i + 1 || j - (i + 1) > 128 || text.charCodeAt(j) !== 0x5d /* ] */) return -1;
  lastTag.pidStart = i + 1;
  lastTag.pidEnd = j;
  return text.charCodeAt(j + 1) === 0x3a ? j + 2 : j + 1;
}

const isTagNameChar = (code: number) => code !== 0x5b && code !== 0x5d && code !== 0x3a && !isRegexSpace(code);

/** What a regex's `\s` matches: ECMAScript's WhiteSpace and LineTerminator code units (ECMA-262 §12.2, §12.3). */
function isRegexSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

export function parseRfc3164(text: string, reference: number, notAfter = Infinity): Parsed3164 | undefined {
  let at = 0;
  let pri = 13; // no PRI: user.notice, as RFC 3164 §4.3.3 says
  if (text.charCodeAt(0) === 0x3c /* < */) {
    const close = text.indexOf('>', 1);
    if (close < 2 || close > 4) return undefined;
    pri = 0;
    for (let d = 1; d < close; d++) {
      const digit = text.charCodeAt(d) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      pri = pri * 10 + digit;
    }
    if (pri > 191) return undefined;
    at = skipSpaces(text, close + 1);
  }
  const stamp = readTimestamp(text, at, reference, notAfter);
  let ciscoCounters = false;
  if (stamp) at = skipSpaces(text, stamp.end);
  // No timestamp: a PRI and a tag right away (`<15> openvpn[2499]: ...`), or this is not RFC 3164.
  else if (at === 0) return undefined;
  else {
    // Cisco with `no service timestamps`: counters, then the `%FAC-SEV-MNEMONIC:` tag (0x25 is %) or nothing.
    const afterCounters = skipCiscoNumbers(text, at);
    ciscoCounters = afterCounters !== at && (afterCounters === text.length || text.charCodeAt(afterCounters) === 0x25);
    if (ciscoCounters) at = afterCounters;
  }
  let tagEnd = readTag(text, at);
  if (!stamp && tagEnd < 0 && !ciscoCounters) return undefined;
  let host = stamp?.host ?? '';
  if (stamp && host === '') {
    const space = text.indexOf(' ', at);
    const wordEnd = space < 0 ? text.length : space;
    // The first word is a tag when the tag pattern reads it: `su:`, `openvpn[53530]:`, `app:text`;
    // but a colon further in the word makes it an IPv6 address (`2001:db8::1`), a host.
    const colonAfterTag = tagEnd >= 0 ? text.indexOf(':', tagEnd) : -1;
    const isTag = tagEnd >= 0 && (colonAfterTag < 0 || colonAfterTag >= wordEnd);
    if (wordEnd > at && !isTag) {
      host = text.slice(at, wordEnd);
      at = skipSpaces(text, wordEnd);
      tagEnd = readTag(text, at);
    }
  }
  let messageStart = at;
  if (tagEnd >= 0) messageStart = tagEnd + (text.charCodeAt(tagEnd) === 0x20 ? 1 : 0);
  return {
    facility: pri >> 3,
    severity: pri & 7,
    time: stamp?.time,
    timestamp: stamp ? text.slice(stamp.start, stamp.timeEnd) : '',
    host,
    app: tagEnd >= 0 ? text.slice(at, lastTag.nameEnd) : '',
    procId: tagEnd >= 0 && lastTag.pidStart >= 0 ? text.slice(lastTag.pidStart, lastTag.pidEnd) : '',
    message: messageStart === 0 ? text : text.slice(messageStart),
  };
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === 0x20) at++;
  return at;
}

interface Stamp {
  readonly time: number;
  /** Where the timestamp's text starts and ends (Cisco's marker and zone name included). */
  readonly start: number;
  readonly timeEnd: number;
  /** Where the text after the timestamp (and its colon) starts. */
  readonly end: number;
  /** Cisco's origin-id host name before the timestamp; '' when none. */
  readonly host: string;
}

/** The timestamp at `at`, after any Cisco prefixes; undefined when there is none. */
function readTimestamp(text: string, at: number, reference: number, notAfter: number): Stamp | undefined {
  // Cisco: up to two numbers (counter, sequence), then maybe an origin host name, then the time.
  const i = skipCiscoNumbers(text, at);
  const direct = readTime(text, i, reference, notAfter, '');
  if (direct) return direct;
  CISCO_HOST.lastIndex = i;
  const origin = CISCO_HOST.exec(text);
  if (origin && !MONTHS.has(origin[1]!.toLowerCase())) {
    const afterHost = readTime(text, CISCO_HOST.lastIndex, reference, notAfter, origin[1]!);
    if (afterHost) return afterHost;
  }
  // Without Cisco prefixes, the line itself may start with the time.
  return i === at ? undefined : readTime(text, at, reference, notAfter, '');
}

/** After Cisco's message counter and sequence number (`105: 000104: `, or the bare `: `), if any. */
function skipCiscoNumbers(text: string, at: number): number {
  let i = at;
  for (let n = 0; n < 2 && (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 0x3a); n++) {
    CISCO_NUMBER.lastIndex = i;
    if (!CISCO_NUMBER.test(text)) break;
    i = CISCO_NUMBER.lastIndex;
  }
  return i;
}

function readTime(text: string, start: number, reference: number, notAfter: number, host: string): Stamp | undefined {
  const marker = text.charCodeAt(start);
  const at = marker === 0x2a /* * */ || marker === 0x2e /* . */ ? start + 1 : start;
  // An RFC 3339 stamp starts with four digits and a dash; anything else can only be BSD's.
  return text.charCodeAt(at + 4) === 0x2d ? readIsoTime(text, at, start, host) : readBsdTime(text, at, start, reference, notAfter, host);
}

function readIsoTime(text: string, at: number, start: number, host: string): Stamp | undefined {
  ISO_TIME.lastIndex = at;
  const m = ISO_TIME.exec(text);
  if (!m || !endsWord(text, ISO_TIME.lastIndex)) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  const day = Number(m[3]);
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = Number(m[6]);
  if (!validClock(month, day, hours, minutes, seconds)) return undefined;
  const ms = fractionMs(m[7]);
  const zone = m[8];
  let time: number;
  if (zone === undefined) time = localTime(year, month, day, hours, minutes, seconds) + ms;
  else {
    const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    time = Date.UTC(year, month, day, hours, minutes, seconds, ms) - offset * 60_000;
  }
  return { time, start, timeEnd: ISO_TIME.lastIndex, end: afterColon(text, ISO_TIME.lastIndex), host };
}

/** What BSD_TIME reads: the groups' text (years, month name, fraction) and numbers, and where the match ends. */
interface BsdFields {
  readonly yearBefore: string | undefined;
  readonly monthName: string;
  readonly day: number;
  readonly yearAfterDay: string | undefined;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly fraction: string | undefined;
  readonly end: number;
}

/**
 * BSD_TIME's reading of the text at `at`. `Mmm dd hh:mm:ss` (and `Mmm  d`), which nearly every
 * line has, is read by hand: the regex's match array and its eight strings were a tenth of the parse.
 */
function readBsdFields(text: string, at: number): BsdFields | undefined {
  if (text.charCodeAt(at + 3) === 0x20) {
    let i = at + 4;
    if (text.charCodeAt(i) === 0x20) i++;
    const dayDigits = isDigit(text.charCodeAt(i + 1)) ? 2 : 1;
    const day = digitsAt(text, i, dayDigits);
    i += dayDigits;
    const hours = text.charCodeAt(i) === 0x20 ? digitsAt(text, i + 1, 2) : -1;
    const minutes = text.charCodeAt(i + 3) === 0x3a ? digitsAt(text, i + 4, 2) : -1;
    const seconds = text.charCodeAt(i + 6) === 0x3a ? digitsAt(text, i + 7, 2) : -1;
    if (day >= 0 && hours >= 0 && minutes >= 0 && seconds >= 0 && text.charCodeAt(i + 9) !== 0x2e /* . */)
      return {
        yearBefore: undefined,
        monthName: text.slice(at, at + 3),
        day,
        yearAfterDay: undefined,
        hours,
        minutes,
        seconds,
        fraction: undefined,
        end: i + 9,
      };
  }
  BSD_TIME.lastIndex = at;
  const m = BSD_TIME.exec(text);
  if (!m) return undefined;
  return {
    yearBefore: m[1],
    monthName: m[2]!,
    day: Number(m[3]),
    yearAfterDay: m[4],
    hours: Number(m[5]),
    minutes: Number(m[6]),
    seconds: Number(m[7]),
    fraction: m[8],
    end: BSD_TIME.lastIndex,
  };
}

/** The number `count` (1 or 2) digits at `at` spell, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  const first = text.charCodeAt(at);
  if (!isDigit(first)) return -1;
  if (count === 1) return first - 0x30;
  const second = text.charCodeAt(at + 1);
  return isDigit(second) ? (first - 0x30) * 10 + second - 0x30 : -1;
}

function readBsdTime(text: string, at: number, start: number, reference: number, notAfter: number, host: string): Stamp | undefined {
  const m = readBsdFields(text, at);
  if (!m) return undefined;
  const { day, hours, minutes, seconds } = m;
  const month = MONTHS.get(m.monthName) ?? MONTHS.get(m.monthName.toLowerCase());
  if (month === undefined || !validClock(month, day, hours, minutes, seconds)) return undefined;
  let end = m.end;
  const yearText = m.yearBefore ?? m.yearAfterDay;
  let year = yearText === undefined ? undefined : Number(yearText);
  // A year after the time (`Apr 15 21:28:13 2007`), when it is a whole word.
  if (
    year === undefined &&
    text.charCodeAt(end) === 0x20 &&
    isDigit(text.charCodeAt(end + 1)) &&
    isDigit(text.charCodeAt(end + 2)) &&
    isDigit(text.charCodeAt(end + 3)) &&
    isDigit(text.charCodeAt(end + 4)) &&
    endsAtSpace(text, end + 5)
  ) {
    year = Number(text.slice(end + 1, end + 5));
    end += 5;
  }
  if (!endsWord(text, end)) return undefined;
  /** Minutes east of UTC of a zone name after the time; undefined: local time. */
  let offset: number | undefined;
  if (text.charCodeAt(end) === 0x20) {
    ZONE_NAME.lastIndex = end;
    const zone = ZONE_NAME.exec(text);
    if (zone) {
      offset = ZONE_OFFSET_MINUTES.get(zone[1]!);
      end = ZONE_NAME.lastIndex;
    }
  }
  // A year first is NX-OS's form, which always ends with a colon; without one it is RFC 3164 §5.4's
  // example of a line with no valid TIMESTAMP (`1990 Oct 22 10:52:01 TZ-6 ...`), kept as text.
  if (m.yearBefore !== undefined && text.charCodeAt(end) !== 0x3a) return undefined;
  const ms = fractionMs(m.fraction);
  let time: number;
  if (offset === undefined)
    time =
      year !== undefined
        ? localTime(year, month, day, hours, minutes, seconds) + ms
        : inferYear({ month, day, hours, minutes, seconds }, reference, notAfter) + ms;
  else {
    // The year as for a local stamp, then the wall-clock reading in the named zone.
    const inYear = year ?? localYear(inferYear({ month, day, hours, minutes, seconds }, reference, notAfter));
    time = Date.UTC(inYear, month, day, hours, minutes, seconds, ms) - offset * 60_000;
  }
  return { time, start, timeEnd: end, end: afterColon(text, end), host };
}

/** The position after a colon at `at` (Cisco and ASA end the time with one), else `at`. */
function afterColon(text: string, at: number): number {
  return text.charCodeAt(at) === 0x3a ? at + 1 : at;
}

/** A year after the time is a word of its own (not the start of an IPv6 host such as 2607:f8b0::1). */
function endsAtSpace(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return Number.isNaN(c) || c === 0x20;
}

/** A timestamp ends at a space, a colon or the end of the text. */
function endsWord(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return Number.isNaN(c) || c === 0x20 || c === 0x3a;
}

function validClock(month: number, day: number, hours: number, minutes: number, seconds: number): boolean {
  return month >= 0 && month <= 11 && day >= 1 && day <= 31 && hours <= 23 && minutes <= 59 && seconds <= 60;
}

/** Milliseconds of a fraction of a second (`098` → 98, `605850` → 605); the digits beyond stay in the timestamp text. */
function fractionMs(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(`${digits}00`.slice(0, 3));
}
