/**
 * RFC 3164 (BSD syslog) parser: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, where in practice
 * the PRI may be missing (lines from a log file), the HOSTNAME may be missing (pfSense's openvpn
 * lines: `Jan 13 20:36:00 openvpn[53530]: ...`), and the timestamp carries no year: the caller
 * gives a reference time and inferYear picks the year (see year.ts).
 */
import { inferYear } from './year.js';

export interface Parsed3164 {
  readonly facility: number;
  readonly severity: number;
  readonly time: number;
  /** '' when the message has no HOSTNAME. */
  readonly host: string;
  readonly app: string;
  readonly procId: string;
  readonly message: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const LINE = /^(?:<(\d{1,3})>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (.*)$/s;
/** TAG[PID]: — the tag is up to 48 printable characters without `[`, `:` or space. */
const TAG = /^([^\s[\]:]{1,48})(?:\[([^\]\s]{1,128})\])?: ?/;

export function parseRfc3164(text: string, reference: number): Parsed3164 | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const pri = m[1] === undefined ? 13 : Number(m[1]); // no PRI: user.notice, as RFC 3164 §4.3.3 says
  if (pri > 191) return undefined;
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6])];
  const day = Number(m[3]!.trim());
  if (day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const time = inferYear({ month: MONTHS[m[2]!]!, day, hours, minutes, seconds }, reference);
  let rest = m[7]!;
  let host = '';
  // A first word that is not itself a TAG: is the HOSTNAME.
  if (!TAG.test(rest)) {
    const space = rest.indexOf(' ');
    if (space > 0 && !rest.slice(0, space).endsWith(':')) {
      host = rest.slice(0, space);
      rest = rest.slice(space + 1);
    }
  }
  const tag = TAG.exec(rest);
  return {
    facility: pri >> 3,
    severity: pri & 7,
    time,
    host,
    app: tag ? tag[1]! : '',
    procId: tag?.[2] ?? '',
    message: tag ? rest.slice(tag[0].length) : rest,
  };
}
