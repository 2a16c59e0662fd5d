/**
 * Delivers the outbox: every step takes the due rows, hands each to its channel, and records
 * the outcome (delivered; retry after first × 2^attempts up to max; given up after giveUpAfter).
 * When more than `digestAbove` rows are due for one channel, they go as one digest whose outcome
 * is recorded for all of them. One step at a time, channels in parallel; a channel that throws never stops the others.
 */
import type { Logger } from '../../common/logger.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import { alertId, type Alert } from '../rules/alert.js';
import type { Channel } from './channels.js';
import type { NotifyConfig } from './config.js';
import type { Outbox, OutboxEntry } from './outbox.js';

const BATCH = 100;

export class Dispatcher {
  readonly counters = { delivered: 0, retried: 0, gaveUp: 0 };
  private running: Promise<void> | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly channels: ReadonlyMap<string, Channel>,
    private readonly settings: Pick<NotifyConfig, 'retry' | 'digestAbove'>,
    private readonly logger: Logger,
  ) {}

  /** Delivers what is due at `now`; a step already running is waited for, not doubled. */
  step(now: number): Promise<void> {
    this.running ??= this.deliverDue(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async deliverDue(now: number): Promise<void> {
    const byChannel = new Map<string, OutboxEntry[]>();
    for (const entry of this.outbox.due(now, BATCH)) byChannel.set(entry.channel, [...(byChannel.get(entry.channel) ?? []), entry]);
    // Channels in parallel: an inform waiting for its acknowledgement must not hold up the mail.
    await Promise.all([...byChannel].map(([channelId, entries]) => this.deliverToChannel(channelId, entries, now)));
  }

  private async deliverToChannel(channelId: string, entries: readonly OutboxEntry[], now: number): Promise<void> {
    const channel = this.channels.get(channelId);
    const batches = entries.length > this.settings.digestAbove ? [entries] : entries.map((entry) => [entry]);
    for (const batch of batches) {
      try {
        if (!channel) throw new Error(`no channel ${channelId} in notify.channels`);
        await channel.deliver(batch.length === 1 ? batch[0]!.alert : digest(batch, now));
        for (const entry of batch) this.outbox.delivered(entry.id, now);
        this.counters.delivered += batch.length;
      } catch (error) {
        for (const entry of batch) this.failed(entry, now, error);
      }
    }
  }

  private failed(entry: OutboxEntry, now: number, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const { retry } = this.settings;
    if (now - entry.created >= retry.giveUpAfter) {
      this.outbox.giveUp(entry.id, now, reason);
      this.counters.gaveUp++;
      this.logger.error('gave up delivering an alert', { channel: entry.channel, alert: entry.alert.id, attempts: entry.attempts + 1, error: reason });
      return;
    }
    const delay = Math.min(retry.max, retry.first * 2 ** entry.attempts);
    this.outbox.retry(entry.id, now + delay, reason);
    this.counters.retried++;
    if (entry.attempts === 0)
      this.logger.warn('alert not delivered; retrying', { channel: entry.channel, alert: entry.alert.id, error: reason, retryInMs: delay });
  }
}

/** Many due alerts as one: the most severe severity, a count per rule (resolutions apart), and the list. */
function digest(entries: readonly OutboxEntry[], now: number): Alert {
  const alerts = entries.map((e) => e.alert);
  const severity = alerts.reduce((worst, a) => (SEVERITIES.indexOf(a.severity) < SEVERITIES.indexOf(worst) ? a.severity : worst), alerts[0]!.severity);
  const perRule = new Map<string, number>();
  for (const a of alerts) {
    const group = a.problem === 'resolved' ? `${a.ruleId} resolved` : a.ruleId;
    perRule.set(group, (perRule.get(group) ?? 0) + 1);
  }
  const rules = [...perRule].map(([rule, n]) => `${n} ${rule}`).join(', ');
  return {
    id: alertId('digest', alerts.map((a) => a.id).join(','), now),
    ruleId: 'digest',
    kind: 'digest',
    severity,
    time: now,
    host: [...new Set(alerts.map((a) => a.host))].slice(0, 5).join(', '),
    key: '',
    summary: `${alerts.length} alerts (${rules}); first: ${alerts[0]!.summary}`,
    evidence: {
      alerts: alerts.map((a) => ({
        id: a.id,
        ruleId: a.ruleId,
        host: a.host,
        summary: a.summary,
        ...(a.problem ? { problem: a.problem } : {}),
        ...(a.resolves ? { durationMs: a.resolves.durationMs } : {}),
      })),
    },
  };
}
