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

export function inferYear(t: YearlessTime, reference: number): number {
  const year = new Date(reference).getFullYear();
  let best = NaN;
  for (const candidate of [year - 1, year, year + 1]) {
    const time = new Date(candidate, t.month, t.day, t.hours, t.minutes, t.seconds).getTime();
    if (Number.isNaN(best) || Math.abs(time - reference) < Math.abs(best - reference)) best = time;
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
