/**
 * Alerts with their acknowledgement, and problems: an alert a rule with a state opened
 * (`problem: 'open'`), which stays open until the rule reports it resolved, whether acknowledged
 * or not. An opening within `flapWindow` after the same rule and key's last resolution re-opens
 * that problem (counted) instead of making a new one. "Open" means an unresolved problem or an
 * unacknowledged one-shot alert.
 */
import { formatDuration } from '../../common/duration.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import type { Alert } from '../rules/alert.js';
import { parseJsonRecords } from '../../common/records.js';
import type { Db } from './database.js';

export interface StoredAlert extends Omit<Alert, 'evidence' | 'problem' | 'resolves'> {
  readonly evidence: unknown;
  readonly ack?: Acknowledgement | undefined;
  /** Set when the alert is a problem. */
  readonly problem?: StoredProblem | undefined;
}

export interface StoredProblem {
  /** Undefined while open. */
  readonly resolvedAt?: number | undefined;
  /** How many times it re-opened within the flap window. */
  readonly reopened: number;
  /** What resolved it, when resolved. */
  readonly resolution?: { readonly time: number; readonly summary: string; readonly evidence: unknown } | undefined;
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: number;
  readonly comment: string;
  /** Anomaly alerts: the value joins the key's baseline (applied by the running daemon). */
  readonly baseline?: boolean | undefined;
}

export interface AlertFilter {
  /** Only unresolved problems and unacknowledged alerts. */
  readonly open?: boolean | undefined;
  readonly ruleId?: string | undefined;
  readonly host?: string | undefined;
  /** This severity or more severe. */
  readonly minSeverity?: Alert['severity'] | undefined;
  readonly limit?: number | undefined;
}

/** A place in a list of alerts, newest first (time, then id, both descending): the keyset a page starts or ends at. */
export interface AlertCursor {
  readonly time: number;
  readonly id: string;
}

/** One page of a list: `older`/`newer` say whether there are alerts past its ends. */
export interface AlertPage {
  readonly alerts: StoredAlert[];
  readonly newer: boolean;
  readonly older: boolean;
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
  problem: number;
  resolved_at: number | null;
  resolution: string | null;
  reopened: number;
}

/** An unresolved problem, or a one-shot alert not acknowledged. */
const OPEN = '((problem = 1 AND resolved_at IS NULL) OR (problem = 0 AND acked_at IS NULL))';

/** How long a problem was open (resolved) or has been open (at `now`); undefined for a one-shot alert. */
export function problemDuration(alert: StoredAlert, now: number): number | undefined {
  return alert.problem && (alert.problem.resolvedAt ?? now) - alert.time;
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
  problem:
    row.problem === 1
      ? {
          resolvedAt: row.resolved_at ?? undefined,
          reopened: row.reopened,
          resolution: row.resolution === null ? undefined : (parseJsonRecords(row.resolution) as StoredProblem['resolution']),
        }
      : undefined,
});

/** Alerts with their acknowledgement. An alert's id is stable, so storing one twice is a no-op. */
export class AlertStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO alerts (id, rule_id, kind, severity, time, host, key, value, state, summary, evidence, problem) VALUES (@id, @ruleId, @kind, @severity, @time, @host, @key, @value, @state, @summary, @evidence, @problem)',
      ),
      latestProblem: db.prepare('SELECT * FROM alerts WHERE problem = 1 AND rule_id = ? AND key = ? ORDER BY time DESC LIMIT 1'),
      reopen: db.prepare('UPDATE alerts SET resolved_at = NULL, resolution = NULL, reopened = reopened + 1 WHERE id = ?'),
      resolve: db.prepare('UPDATE alerts SET resolved_at = ?, resolution = ? WHERE id = ?'),
      // Read every second by the daemon.
      pendingBaselines: db.prepare(
        'SELECT id, rule_id AS ruleId, key, value FROM alerts WHERE ack_baseline = 1 AND baseline_applied = 0 AND value IS NOT NULL',
      ),
      baselineApplied: db.prepare('UPDATE alerts SET baseline_applied = 1 WHERE id = ?'),
    };
  }

  /**
   * Stores what a rule raised and returns what to notify: a one-shot alert as it is; an opening
   * that makes a new problem or re-opens one within `flapWindow`; a resolution of the open problem
   * (with `resolves`: its id, opening time and duration). Undefined when it changes nothing: an
   * opening while the problem is open (EPS below → above), a resolution with no open problem.
   */
  record(alert: Alert, flapWindow: number): Alert | undefined {
    if (alert.problem === undefined) {
      this.insert(alert);
      return alert;
    }
    const latest = this.statements.latestProblem.get(alert.ruleId, alert.key) as Row | undefined;
    const open = latest !== undefined && latest.resolved_at === null;
    if (alert.problem === 'open') {
      if (open) return undefined;
      if (latest && latest.resolved_at !== null && alert.time - latest.resolved_at <= flapWindow) {
        this.statements.reopen.run(latest.id);
        return {
          ...alert,
          summary: `${alert.summary} (re-opened ${latest.reopened + 1}× within ${formatDuration(flapWindow)} of its resolution; opened ${new Date(latest.time).toISOString()})`,
        };
      }
      this.insert(alert);
      return alert;
    }
    if (!open) return undefined;
    this.statements.resolve.run(alert.time, JSON.stringify({ time: alert.time, summary: alert.summary, evidence: alert.evidence }), latest.id);
    const durationMs = alert.time - latest.time;
    return {
      ...alert,
      summary: `${alert.summary}; resolved after ${formatDuration(durationMs)}`,
      resolves: { id: latest.id, openedAt: latest.time, durationMs, reopened: latest.reopened },
    };
  }

  /** Stores the alert as raised (a problem when it opens one), without the checks of record(). */
  insert(alert: Alert): void {
    this.statements.insert.run({
      ...alert,
      value: alert.value ?? null,
      state: alert.state ?? null,
      evidence: JSON.stringify(alert.evidence),
      problem: alert.problem === 'open' ? 1 : 0,
    });
  }

  /** The WHERE clause of a filter, with its parameters. */
  private where(filter: AlertFilter, extra?: { sql: string; params: (string | number)[] }): { sql: string; params: (string | number)[] } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const condition = (sql: string, ...values: (string | number)[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.open) condition(OPEN);
    if (filter.ruleId) condition('rule_id = ?', filter.ruleId);
    if (filter.host) condition('host = ?', filter.host);
    if (filter.minSeverity) {
      const allowed = SEVERITIES.slice(0, SEVERITIES.indexOf(filter.minSeverity) + 1);
      condition(`severity IN (${allowed.map(() => '?').join(', ')})`, ...allowed);
    }
    if (extra) condition(extra.sql, ...extra.params);
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  /** Newest first. */
  list(filter: AlertFilter = {}): StoredAlert[] {
    return this.select(filter, undefined, 'older', filter.limit ?? 100);
  }

  /** `limit` alerts from the filter's `direction` side of `cursor` (all when none), newest first. */
  private select(filter: AlertFilter, cursor: AlertCursor | undefined, direction: 'older' | 'newer', limit: number): StoredAlert[] {
    const older = direction === 'older';
    const where = this.where(filter, cursor && { sql: `(time, id) ${older ? '<' : '>'} (?, ?)`, params: [cursor.time, cursor.id] });
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${where.sql} ORDER BY time ${older ? 'DESC' : 'ASC'}, id ${older ? 'DESC' : 'ASC'} LIMIT ?`)
      .all(...where.params, limit) as Row[];
    return (older ? rows : rows.reverse()).map(fromRow);
  }

  private exists(filter: AlertFilter, cursor: AlertCursor, direction: 'older' | 'newer'): boolean {
    const where = this.where(filter, { sql: `(time, id) ${direction === 'older' ? '<' : '>'} (?, ?)`, params: [cursor.time, cursor.id] });
    return (
      this.db
        .prepare(`SELECT EXISTS (SELECT 1 FROM alerts ${where.sql}) AS found`)
        .pluck()
        .get(...where.params) === 1
    );
  }

  /**
   * A page of `limit` alerts, newest first: the newest, or those just older than `from.before`, or
   * just newer than `from.after` (the newest page when fewer than `limit` are newer). Keyset paging
   * over the (time, id) indexes: no page costs more for being deep in a million alerts.
   */
  page(filter: AlertFilter, from: { before?: AlertCursor | undefined; after?: AlertCursor | undefined }, limit: number): AlertPage {
    let alerts = from.after ? this.select(filter, from.after, 'newer', limit) : this.select(filter, from.before, 'older', limit);
    if (from.after && alerts.length < limit) alerts = this.select(filter, undefined, 'older', limit);
    const [first, last] = [alerts[0], alerts.at(-1)];
    return { alerts, newer: first !== undefined && this.exists(filter, first, 'newer'), older: last !== undefined && this.exists(filter, last, 'older') };
  }

  /** How many alerts the filter selects; counting stops past `max` (a bound on the cost, for a count shown on every page). */
  count(filter: AlertFilter = {}, max?: number): number {
    const where = this.where(filter);
    const rows = `SELECT 1 FROM alerts ${where.sql}${max === undefined ? '' : ' LIMIT ?'}`;
    return this.db
      .prepare(`SELECT COUNT(*) FROM (${rows})`)
      .pluck()
      .get(...where.params, ...(max === undefined ? [] : [max + 1])) as number;
  }

  /**
   * Rule ids and hosts of the open alerts, for filters: at most `max` of each, from the indexes by
   * rule and host, skipping from one value to the next (a seek per value, not a scan of the alerts).
   */
  facets(max: number): { ruleIds: string[]; hosts: string[] } {
    const column = (name: 'rule_id' | 'host') =>
      this.db
        .prepare(
          `WITH RECURSIVE facet(name) AS (SELECT MIN(${name}) FROM alerts WHERE ${OPEN} UNION ALL SELECT (SELECT MIN(${name}) FROM alerts WHERE ${OPEN} AND ${name} > facet.name) FROM facet WHERE facet.name IS NOT NULL LIMIT ?)
           SELECT name FROM facet WHERE name IS NOT NULL`,
        )
        .pluck()
        .all(max + 1) as string[];
    return { ruleIds: column('rule_id'), hosts: column('host') };
  }

  get(id: string): StoredAlert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** Deletes alerts older than `before` (ms since the epoch), but never an open problem; returns how many. */
  purge(before: number): number {
    return this.db.prepare('DELETE FROM alerts WHERE time < ? AND NOT (problem = 1 AND resolved_at IS NULL)').run(before).changes;
  }

  /**
   * Marks the alert acknowledged; false when there is no such alert or it already was. A problem
   * stays open until resolved. `baseline` is kept only for anomaly alerts (the others have no
   * value to learn).
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
    return this.statements.pendingBaselines.all() as { id: string; ruleId: string; key: string; value: string }[];
  }

  baselineApplied(id: string): void {
    this.statements.baselineApplied.run(id);
  }
}
