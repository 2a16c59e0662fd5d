import type { Alert } from '../rules/alert.js';
import type { Db } from './database.js';

export interface StoredAlert extends Omit<Alert, 'evidence'> {
  readonly evidence: unknown;
  readonly ack?: { by: string; at: number; comment: string } | undefined;
}

interface Row {
  id: string;
  rule_id: string;
  kind: Alert['kind'];
  severity: Alert['severity'];
  time: number;
  host: string;
  key: string;
  value: string | null;
  state: Alert['state'] | null;
  summary: string;
  evidence: string;
  acked_by: string | null;
  acked_at: number | null;
  ack_comment: string | null;
}

const fromRow = (row: Row): StoredAlert => ({
  id: row.id,
  ruleId: row.rule_id,
  kind: row.kind,
  severity: row.severity,
  time: row.time,
  host: row.host,
  key: row.key,
  value: row.value ?? undefined,
  state: row.state ?? undefined,
  summary: row.summary,
  evidence: JSON.parse(row.evidence) as unknown,
  ack: row.acked_at === null ? undefined : { by: row.acked_by ?? '', at: row.acked_at, comment: row.ack_comment ?? '' },
});

/** Alerts with their acknowledgement. An alert's id is stable, so storing one twice is a no-op. */
export class AlertStore {
  private readonly insertStatement;

  constructor(private readonly db: Db) {
    this.insertStatement = db.prepare(
      'INSERT OR IGNORE INTO alerts (id, rule_id, kind, severity, time, host, key, value, state, summary, evidence) VALUES (@id, @ruleId, @kind, @severity, @time, @host, @key, @value, @state, @summary, @evidence)',
    );
  }

  insert(alert: Alert): void {
    this.insertStatement.run({ ...alert, value: alert.value ?? null, state: alert.state ?? null, evidence: JSON.stringify(alert.evidence) });
  }

  list(options: { open?: boolean; limit?: number } = {}): StoredAlert[] {
    const rows = this.db.prepare(`SELECT * FROM alerts ${options.open ? 'WHERE acked_at IS NULL' : ''} ORDER BY time DESC, id LIMIT ?`).all(options.limit ?? 100) as Row[];
    return rows.map(fromRow);
  }

  get(id: string): StoredAlert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** Deletes alerts older than `before` (ms since the epoch); returns how many. */
  purge(before: number): number {
    return this.db.prepare('DELETE FROM alerts WHERE time < ?').run(before).changes;
  }

  /** Marks the alert acknowledged; false when there is no such alert or it already was. */
  acknowledge(id: string, ack: { by: string; at: number; comment: string }): boolean {
    return this.db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ?, ack_comment = ? WHERE id = ? AND acked_at IS NULL').run(ack.by, ack.at, ack.comment, id).changes === 1;
  }
}
