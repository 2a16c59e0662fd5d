/**
 * RFC 3164 timestamps have no year (and no zone: they are read in local time). The year is the
 * one that puts the timestamp nearest to a reference time: the receive time live, or the file's
 * time / `--year` in replay, so `Dec 31 23:59:59` received on Jan 1 is last year's.
 */
export interface YearlessTime {
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/**
 * The last two local years asked for, with their bounds: times come in order, so these rarely
 * change; two, because a receive time in December and a stamp of January are asked in turn.
 */
const recentYears = [
  { year: NaN, start: 0, end: -1 },
  { year: NaN, start: 0, end: -1 },
];
const HALF_YEAR_MS = 182 * 86_400_000;

/**
 * How far a timestamp may lie after the time it is judged against (receive time, a log file's
 * time) and still be this year's: RFC 3164 stamps are the sender's local time read in ours, and
 * local times on Earth differ by up to 26 hours (UTC-12 to UTC+14); a day more for clocks that
 * are off. Beyond it the stamp is last year's: a log copied in December has no next-March lines.
 */
export const CLOCK_SKEW_MS = 2 * 86_400_000;

/** Starts of minutes in local time, by minute: a flood's lines share their minutes (and the years either side are asked too). */
const minuteStarts = new Map<number, number>();
const MINUTES_KEPT = 4096;

/**
 * `new Date(year, month, day, hours, minutes, seconds).getTime()`, which is slow (a local-time
 * conversion), with the conversion once per minute: time zones change their offset on a whole minute.
 */
export function localTime(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): number {
  const key = (((year * 12 + month) * 32 + day) * 24 + hours) * 60 + minutes;
  let start = minuteStarts.get(key);
  if (start === undefined) {
    if (minuteStarts.size >= MINUTES_KEPT) minuteStarts.clear();
    start = new Date(year, month, day, hours, minutes).getTime();
    minuteStarts.set(key, start);
  }
  return start + seconds * 1000;
}

/** `new Date(time).getFullYear()` without a Date (a local-time conversion) per call. */
export function localYear(time: number): number {
  for (const known of recentYears) if (time >= known.start && time < known.end) return known.year;
  const year = new Date(time).getFullYear();
  recentYears.reverse();
  Object.assign(recentYears[0]!, { year, start: new Date(year, 0, 1).getTime(), end: new Date(year + 1, 0, 1).getTime() });
  return year;
}

/**
 * The time of `t` in the year that puts it nearest `reference`, but never after `notAfter`
 * (a line cannot be later than the file it is in, nor much later than its receipt).
 */
export function inferYear(t: YearlessTime, reference: number, notAfter = Infinity): number {
  let time = nearestYear(t, reference);
  if (time <= notAfter) return time;
  for (let year = localYear(time) - 1; time > notAfter; year--) time = localTime(year, t.month, t.day, t.hours, t.minutes, t.seconds);
  return time;
}

function nearestYear(t: YearlessTime, reference: number): number {
  const year = localYear(reference);
  const sameYear = localTime(year, t.month, t.day, t.hours, t.minutes, t.seconds);
  // The other candidates are a year away: within half a year, the reference's own year is nearest.
  if (Math.abs(sameYear - reference) < HALF_YEAR_MS) return sameYear;
  let best = sameYear;
  for (const candidate of [year - 1, year + 1]) {
    const time = localTime(candidate, t.month, t.day, t.hours, t.minutes, t.seconds);
    if (Math.abs(time - reference) < Math.abs(best - reference)) best = time;
  }
  return best;
}

/**
 * Replay of a log file in time order: the reference follows the stream, so a log that crosses
 * New Year (Dec → Jan) moves into the next year instead of jumping back eleven months.
 */
export class ReplayClockReference {
  constructor(private reference: number) {}

  /** The reference for the next line. */
  get current(): number {
    return this.reference;
  }

  /** After a line parsed at `time`: later lines are judged near it. */
  advance(time: number): void {
    this.reference = time;
  }
}
