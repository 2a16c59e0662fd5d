/**
 * The notification outbox: one row per alert and channel, written in the same transaction as the
 * alert, so an alert is never stored without its notifications. A row is delivered (at least
 * once: a kill between sending and recording resends), retried with backoff, or given up after
 * retry.giveUpAfter (kept, with the last error).
 */
import type { Alert } from '../rules/alert.js';
import { parseJsonRecords } from '../../common/records.js';
import type { Db } from '../store/database.js';

export interface OutboxEntry {
  readonly id: number;
  readonly channel: string;
  readonly alert: Alert;
  readonly attempts: number;
  readonly created: number;
}

export class Outbox {
  private readonly statements;

  constructor(db: Db) {
    this.statements = {
      insert: db.prepare('INSERT OR IGNORE INTO outbox (channel, alert_id, alert, attempts, next_attempt, created) VALUES (?, ?, ?, 0, ?, ?)'),
      due: db.prepare(
        'SELECT id, channel, alert, attempts, created FROM outbox WHERE delivered IS NULL AND gave_up IS NULL AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?',
      ),
      delivered: db.prepare('UPDATE outbox SET delivered = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?'),
      retry: db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?'),
      giveUp: db.prepare('UPDATE outbox SET attempts = attempts + 1, gave_up = ?, last_error = ? WHERE id = ?'),
      depth: db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered IS NULL AND gave_up IS NULL'),
    };
  }

  /** Call inside the transaction that stores the alert. */
  enqueue(alert: Alert, channels: readonly string[], now: number): void {
    for (const channel of channels) this.statements.insert.run(channel, alert.id, JSON.stringify(alert), now, now);
  }

  due(now: number, limit: number): OutboxEntry[] {
    return (this.statements.due.all(now, limit) as { id: number; channel: string; alert: string; attempts: number; created: number }[]).map((row) => ({
      ...row,
      alert: parseJsonRecords(row.alert) as Alert,
    }));
  }

  delivered(id: number, now: number): void {
    this.statements.delivered.run(now, id);
  }

  retry(id: number, nextAttempt: number, error: string): void {
    this.statements.retry.run(nextAttempt, error, id);
  }

  giveUp(id: number, now: number, error: string): void {
    this.statements.giveUp.run(now, error, id);
  }

  /** Rows still to deliver. */
  depth(): number {
    return (this.statements.depth.get() as { n: number }).n;
  }
}
