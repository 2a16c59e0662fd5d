import { SEVERITIES } from '../../common/syslog/format.js';
import type { Alert } from '../rules/alert.js';
import { parseJsonRecords } from '../../common/records.js';
import type { Db } from './database.js';

export interface StoredAlert extends Omit<Alert, 'evidence'> {
  readonly evidence: unknown;
  readonly ack?: Acknowledgement | undefined;
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: number;
  readonly comment: string;
  /** Anomaly alerts: the value joins the key's baseline (applied by the running daemon). */
  readonly baseline?: boolean | undefined;
}

export interface AlertFilter {
  /** Only unacknowledged alerts. */
  readonly open?: boolean | undefined;
  readonly ruleId?: string | undefined;
  readonly host?: string | undefined;
  /** This severity or more severe. */
  readonly minSeverity?: Alert['severity'] | undefined;
  /** Older than this time (paging back through history). */
  readonly before?: number | undefined;
  readonly limit?: number | undefined;
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
  ack_baseline: number;
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
  evidence: parseJsonRecords(row.evidence),
  ack: row.acked_at === null ? undefined : { by: row.acked_by ?? '', at: row.acked_at, comment: row.ack_comment ?? '', baseline: row.ack_baseline === 1 },
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

  /** Newest first. */
  list(filter: AlertFilter = {}): StoredAlert[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const condition = (sql: string, ...values: (string | number)[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.open) condition('acked_at IS NULL');
    if (filter.ruleId) condition('rule_id = ?', filter.ruleId);
    if (filter.host) condition('host = ?', filter.host);
    if (filter.minSeverity) {
      const allowed = SEVERITIES.slice(0, SEVERITIES.indexOf(filter.minSeverity) + 1);
      condition(`severity IN (${allowed.map(() => '?').join(', ')})`, ...allowed);
    }
    if (filter.before !== undefined) condition('time < ?', filter.before);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? 100) as Row[]).map(fromRow);
  }

  count(filter: { open?: boolean } = {}): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM alerts ${filter.open ? 'WHERE acked_at IS NULL' : ''}`).get() as { n: number }).n;
  }

  /** Distinct rule ids and hosts of the stored alerts, for filters. */
  facets(): { ruleIds: string[]; hosts: string[] } {
    const column = (name: 'rule_id' | 'host') => (this.db.prepare(`SELECT DISTINCT ${name} AS v FROM alerts ORDER BY v`).all() as { v: string }[]).map((row) => row.v);
    return { ruleIds: column('rule_id'), hosts: column('host') };
  }

  get(id: string): StoredAlert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** Deletes alerts older than `before` (ms since the epoch); returns how many. */
  purge(before: number): number {
    return this.db.prepare('DELETE FROM alerts WHERE time < ?').run(before).changes;
  }

  /**
   * Marks the alert acknowledged; false when there is no such alert or it already was.
   * `baseline` is kept only for anomaly alerts (the others have no value to learn).
   */
  acknowledge(id: string, ack: Acknowledgement): boolean {
    return (
      this.db
        .prepare("UPDATE alerts SET acked_by = ?, acked_at = ?, ack_comment = ?, ack_baseline = (kind = 'anomaly' AND ?) WHERE id = ? AND acked_at IS NULL")
        .run(ack.by, ack.at, ack.comment, ack.baseline ? 1 : 0, id).changes === 1
    );
  }

  /** Acknowledged anomaly alerts whose value should join the baseline and has not yet. */
  pendingBaselines(): { id: string; ruleId: string; key: string; value: string }[] {
    return this.db.prepare("SELECT id, rule_id AS ruleId, key, value FROM alerts WHERE ack_baseline = 1 AND baseline_applied = 0 AND value IS NOT NULL").all() as { id: string; ruleId: string; key: string; value: string }[];
  }

  baselineApplied(id: string): void {
    this.db.prepare('UPDATE alerts SET baseline_applied = 1 WHERE id = ?').run(id);
  }
}
