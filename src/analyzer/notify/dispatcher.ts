/**
 * Delivers the outbox: every step takes the due rows, hands each to its channel, and records
 * the outcome (delivered; retry after first × 2^attempts up to max; given up after giveUpAfter).
 * One step at a time; a channel that throws never stops the others or the daemon.
 */
import type { Logger } from '../../common/logger.js';
import type { Channel } from './channels.js';
import type { NotifyConfig } from './config.js';
import type { Outbox } from './outbox.js';

const BATCH = 100;

export class Dispatcher {
  readonly counters = { delivered: 0, retried: 0, gaveUp: 0 };
  private running: Promise<void> | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly channels: ReadonlyMap<string, Channel>,
    private readonly retry: NotifyConfig['retry'],
    private readonly logger: Logger,
  ) {}

  /** Delivers what is due at `now`; a step already running is waited for, not doubled. */
  step(now: number): Promise<void> {
    this.running ??= this.deliverDue(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async deliverDue(now: number): Promise<void> {
    for (const entry of this.outbox.due(now, BATCH)) {
      const channel = this.channels.get(entry.channel);
      try {
        if (!channel) throw new Error(`no channel ${entry.channel} in notify.channels`);
        await channel.deliver(entry.alert);
        this.outbox.delivered(entry.id, now);
        this.counters.delivered++;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (now - entry.created >= this.retry.giveUpAfter) {
          this.outbox.giveUp(entry.id, now, reason);
          this.counters.gaveUp++;
          this.logger.error('gave up delivering an alert', { channel: entry.channel, alert: entry.alert.id, attempts: entry.attempts + 1, error: reason });
        } else {
          const delay = Math.min(this.retry.max, this.retry.first * 2 ** entry.attempts);
          this.outbox.retry(entry.id, now + delay, reason);
          this.counters.retried++;
          if (entry.attempts === 0) this.logger.warn('alert not delivered; retrying', { channel: entry.channel, alert: entry.alert.id, error: reason, retryInMs: delay });
        }
      }
    }
  }
}
