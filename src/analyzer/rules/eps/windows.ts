/**
 * Where an EPS rule's counting windows start and end: fixed `interval`s aligned to the epoch, or
 * the fire times of a cron `schedule`. Pure functions of time, so a replay on the events' own
 * clock gets the same windows as the daemon on the wall clock. cron-parser computes the fire
 * times; node-cron was not used because it only runs jobs on real timers and cannot say when an
 * expression fires relative to an arbitrary (replayed) time.
 */
import { CronExpressionParser } from 'cron-parser';

export interface EpsWindows {
  /** Start of the window that contains `time`. */
  startOf(time: number): number;
  /** End of the window that starts at `start` (the next window's start). */
  endOf(start: number): number;
}

export function intervalWindows(interval: number): EpsWindows {
  return { startOf: (time) => Math.floor(time / interval) * interval, endOf: (start) => start + interval };
}

/** `timezone` null: the machine's. Throws (with cron-parser's reason) for an invalid expression. */
export function cronWindows(expression: string, timezone: string | null): EpsWindows {
  const at = (time: number) => CronExpressionParser.parse(expression, { currentDate: new Date(time), ...(timezone ? { tz: timezone } : {}) });
  at(0); // validates now, not at the first event
  return {
    // prev() is strictly before currentDate: one millisecond on makes a fire time its own window's start.
    startOf: (time) =>
      at(time + 1)
        .prev()
        .getTime(),
    endOf: (start) => at(start).next().getTime(),
  };
}
