import * as crypto from 'node:crypto';
import type { SyslogEvent } from '../../common/syslog/event.js';
import type { Severity } from '../../common/syslog/format.js';

/**
 * What a rule raises. `state` is set for EPS (entering the bad state, and recovering). `problem`
 * is set by rules with a state (eps, event with `resolve`): `open` when a key enters a bad state,
 * `resolved` when it leaves it; the store keeps one problem per opening and resolves it (see
 * store/alerts.ts). One-shot alerts (anomaly, timer, event without `resolve`) have none and stay
 * until acknowledged.
 */
export interface Alert {
  /** Stable: the same rule, key and time give the same id (replays are reproducible). */
  readonly id: string;
  readonly ruleId: string;
  /** `digest`: many alerts sent as one notification (evidence.alerts lists them). */
  readonly kind: 'anomaly' | 'timer' | 'eps' | 'event' | 'digest';
  readonly severity: Severity;
  /** ms since the epoch, on the engine's clock (event time in replay). */
  readonly time: number;
  readonly host: string;
  readonly key: string;
  readonly value?: string | undefined;
  readonly state?: 'below' | 'above' | 'recovered' | undefined;
  readonly problem?: ProblemTransition | undefined;
  /** A resolution as notified: the problem it resolved (its id and opening time) and how long it was open. */
  readonly resolves?: ResolvedProblem | undefined;
  readonly summary: string;
  readonly evidence: AlertEvidence;
}

export type ProblemTransition = 'open' | 'resolved';

export interface ResolvedProblem {
  readonly id: string;
  readonly openedAt: number;
  readonly durationMs: number;
  /** How many times it re-opened within the flap window before this resolution. */
  readonly reopened: number;
}

export interface AlertEvidence {
  readonly events?: readonly SyslogEvent[] | undefined;
  readonly knownValues?: number | undefined;
  readonly keyFirstSeen?: number | undefined;
  readonly openForMs?: number | undefined;
  readonly count?: number | undefined;
  readonly threshold?: number | undefined;
  readonly intervalMs?: number | undefined;
  /** digest: the alerts it stands for (id, rule, host, summary; for problems open/resolved and a resolution's duration). */
  readonly alerts?: readonly { id: string; ruleId: string; host: string; summary: string; problem?: ProblemTransition; durationMs?: number }[] | undefined;
}

/** What a rule returns when it has nothing to say (shared: the engine asks for every event). */
export const NO_ALERTS: readonly Alert[] = Object.freeze([]);

/**
 * SHA-256 in hex: node's one-shot `crypto.hash` where it has one (20.12+; 2.5× faster than a
 * `Hash` object per call, which was most of an event alert's cost at 100,000 keys), else the object.
 */
const sha256: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text) : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function alertId(ruleId: string, key: string, time: number, discriminator = ''): string {
  return sha256(`${ruleId}\0${key}\0${time}\0${discriminator}`).slice(0, 16);
}
