import type { Clock } from './clock.js';
import type { LogFields, Logger } from './logger.js';

/**
 * At most one log line per kind per interval, so a flood of bad packets cannot flood the
 * journal: the first occurrence is logged at once, later ones are counted and reported with
 * the next line after the interval (`suppressed=N`).
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 10_000,
  ) {}

  warn(kind: string, message: string, fields: () => LogFields): void {
    const now = this.clock.monotonic();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(kind, { at: now, suppressed: 0 });
    this.logger.warn(message, { ...fields(), ...(suppressed > 0 ? { suppressed, suppressedOverSeconds: Math.round((now - entry!.at) / 1000) } : {}) });
  }
}
