/**
 * Time as the rest of the code sees it. Injected so that tests and the emulators can run
 * learning periods, conversion times and poll intervals in simulated time.
 */
export interface Clock {
  /** Milliseconds since the epoch: for timestamps only, since NTP may step it either way. */
  now(): number;
  /**
   * Milliseconds on a clock that never steps (arbitrary origin): for intervals, ages and
   * deadlines. A Pi has no RTC, so its wall clock jumps at boot when NTP syncs.
   */
  monotonic(): number;
  /** Resolves after `ms` milliseconds of this clock's time, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * A clock that only moves when told to; `sleep` advances it at once. Used by tests, the
 * benchmark and fast simulations so that waiting costs no wall time.
 */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
}
