/**
 * The running analyzer's counters, written to the database every second so that
 * `envirowatch analyzer-counters` (another process) can show them without a control socket.
 */
import type { Db } from './database.js';

export interface AnalyzerCounters {
  readonly ingest: {
    readonly received: { readonly udp: number; readonly tcp: number; readonly tls: number };
    /** rfc5424 and rfc3164 parsed; raw: neither, kept as a raw event (malformed syslog). */
    readonly parsed: { readonly rfc5424: number; readonly rfc3164: number; readonly raw: number };
    /** Dropped: longer than limits.maxMessageBytes. */
    readonly oversize: number;
    /** Kept with replacement characters. */
    readonly invalidUtf8: number;
    /** TCP connections closed with a partial message pending. */
    readonly truncated: number;
    readonly connections: number;
    /** TCP/TLS connections refused on arrival: over limits.maxConnectionsPerSource, or at limits.maxConnections. */
    readonly refusedConnections: { readonly perSource: number; readonly maxConnections: number };
    /** TCP/TLS connections the analyzer closed, by reason (see ingest/receiver.ts). */
    readonly closedConnections: {
      readonly idle: number;
      readonly partialFrame: number;
      readonly overlongFrame: number;
      readonly evicted: number;
      readonly handlerError: number;
    };
    /** Messages lost to a parser failure (a bug). */
    readonly parseErrors: number;
    /** Events lost to a failure in the rules (a bug). */
    readonly sinkErrors: number;
    readonly tlsHandshakeFailures: number;
    /** UDP datagrams the kernel dropped, its receive buffer full (limits.udpReceiveBuffer, capped by net.core.rmem_max). */
    readonly udpKernelDrops: number;
    /** UDP datagrams dropped with limits.udpQueueBytes read and waiting for the receiving thread. */
    readonly udpQueueDrops: number;
  };
  readonly engine: { readonly events: number; readonly outOfOrder: number };
  /** Per rule id: its kind and its own counters (matched or starts/ends, alerts, and what the kind adds). */
  readonly rules: Readonly<Record<string, { readonly kind: string; readonly counters: Readonly<Record<string, number>> }>>;
  readonly notify: { readonly outbox: number; readonly delivered: number; readonly retried: number; readonly gaveUp: number };
  /** Full garbage collections the receiving thread asked for (daemon.ts, common/heap-garbage.ts): after a flood's garbage, and when it ends. */
  readonly memory: { readonly collections: number };
  /**
   * The web page (absent when it is off): requests node could parse, and refusals by HTTP status
   * ("400", "421", "429", ...), which also counts requests refused before they were parsed.
   */
  readonly web?: WebCounters;
}

export interface WebCounters {
  readonly requests: number;
  readonly refused: Readonly<Record<string, number>>;
}

export interface CountersSnapshot {
  /** When written (ms since the epoch). */
  readonly at: number;
  readonly startedAt: number;
  readonly pid: number;
  readonly counters: AnalyzerCounters;
}

const NAME = 'counters';

export function saveCounters(db: Db, snapshot: CountersSnapshot): void {
  db.prepare(
    'INSERT INTO status (name, value, updated) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated = excluded.updated',
  ).run(NAME, JSON.stringify(snapshot), snapshot.at);
}

/** The last snapshot written; undefined when the analyzer never ran with this database. */
export function loadCounters(db: Db): CountersSnapshot | undefined {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'status'").get();
  if (!table) return undefined;
  const row = db.prepare('SELECT value FROM status WHERE name = ?').get(NAME) as { value: string } | undefined;
  return row && (JSON.parse(row.value) as CountersSnapshot);
}

/**
 * The minute's log line: what tells at a glance that the analyzer works (received, events, lost,
 * alerts, outbox). All counters are `envirowatch counters`, or the debug-level line.
 */
export function countersSummary(counters: AnalyzerCounters): Record<string, number> {
  const { ingest, engine, rules, notify } = counters;
  const sum = (values: object) => Object.values(values).reduce((total: number, n: unknown) => total + (typeof n === 'number' ? n : 0), 0);
  return {
    received: sum(ingest.received),
    events: engine.events,
    lost: ingest.oversize + ingest.parseErrors + ingest.sinkErrors + ingest.udpKernelDrops + ingest.udpQueueDrops,
    alerts: Object.values(rules).reduce((total, rule) => total + (rule.counters['alerts'] ?? 0), 0),
    outbox: notify.outbox,
    gaveUp: notify.gaveUp,
  };
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`, for log lines and the text listing. */
export function flattenCounters(value: object, prefix = ''): Record<string, number | string> {
  const flat: Record<string, number | string> = {};
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object') Object.assign(flat, flattenCounters(inner as object, path));
    else flat[path] = inner as number | string;
  }
  return flat;
}
