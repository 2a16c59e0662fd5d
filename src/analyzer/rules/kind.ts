/**
 * The contract every rule kind implements (telegraf's input.go, for rules): adding a kind is a
 * folder under rules/ with its schema, its code, its part of the store and its golden cases, and
 * one line in kinds.ts. The engine, the store and the web page go through this contract only.
 */
import type * as z from 'zod';
import type { SyslogEvent } from '../../common/syslog/event.js';
import type { Db } from '../store/database.js';
import type { Alert } from './alert.js';

/** What every rule's config has. */
export interface RuleConfig {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
}

/** Reports a problem found by a kind's checks across keys, at a path inside the rule. */
export type ReportIssue = (path: readonly (string | number)[], message: string) => void;

export interface RuleKind<R extends RuleConfig, Saved = never, Sink = undefined> {
  /** The rule's `kind:` in the config. */
  readonly name: string;
  /**
   * The config of one rule of this kind, validated without I/O (regexes compiled, durations
   * read). kinds.ts puts the kinds' schemas into one union on `kind`.
   */
  readonly schema: z.ZodType<R>;
  /** Checks across the rule's keys, e.g. templates against the regex's named groups. */
  check(rule: R, report: ReportIssue): void;
  /**
   * The kind's part of the SQLite store. A kind creates its own tables here (`CREATE TABLE IF
   * NOT EXISTS`), so a new kind touches only its folder; the four first kinds' tables came with
   * store/database.ts's migration 2, before this contract, and stay there for the databases
   * made then. Absent: the kind keeps nothing across a restart.
   */
  openStore?(db: Db): KindStore<Saved, Sink>;
  /** A running rule; `sink` is the store's (undefined in replay), `saved` what it kept of this rule. */
  create(rule: R, context: { readonly sink: Sink | undefined; readonly saved: Saved | undefined }): RuleInstance;
}

/** A kind's part of the store: instances report changes to `sink`; the store writes them every second. */
export interface KindStore<Saved, Sink> {
  readonly sink: Sink;
  /** Whether anything was reported since the last write (else the store skips its transaction). */
  hasChanges(): boolean;
  /** Writes what was reported since the last committed(); runs inside the store's one transaction. */
  write(): void;
  /**
   * That transaction committed, or in the daemon was handed to the background writer, which
   * retries it until it commits: what it wrote can be forgotten. Until then it is kept, so a write
   * that throws (in this kind's part or another's: the transaction is rolled back) is written
   * again whole with the next.
   */
  committed(): void;
  /** What is kept, by rule id. */
  load(): ReadonlyMap<string, Saved>;
}

/**
 * One configured rule at run time. The engine calls it on one thread: `advance` before a
 * `process` and on a tick whenever time has moved on since the last advance (once per
 * millisecond, not per event), with a time that never decreases (engine.ts). So nothing a rule
 * holds may fall due at the time it was added (timeouts and windows are at least 1 ms).
 */
export interface RuleInstance {
  readonly rule: RuleConfig;
  readonly counters: Readonly<Record<string, number>>;
  /** The alerts `event` raises (NO_ALERTS, shared, when none: this runs for every event). */
  process(event: SyslogEvent, now: number): readonly Alert[];
  /** Moves the rule's time to `now`: what is due by then (expired timers, closed windows). */
  advance(now: number): readonly Alert[];
  /** Hands state kept in memory between reports (an EPS window's counts) to the sink; every second. */
  flush?(): void;
  /** An operator acknowledged an alert's value: the rule learns it (anomaly baselines). */
  acknowledgeValue?(key: string, value: string, now: number): void;
  /** The rule's keys with their state, for the web page's rates view. */
  keyStates?(): readonly KeyStateView[];
  /** Held starts that will alert if no end comes (timers), for replay's summary at the end. */
  readonly pending?: number;
}

export interface KeyStateView {
  readonly key: string;
  readonly state: string;
  /** Events counted in the open window. */
  readonly count: number;
  /** The limits that apply to the key, in words (`below 3, above 100`). */
  readonly thresholds: string;
}

/** `instance` with what the store kept of its rule put back, for a kind's create(). */
export function withSaved<I extends { restore(saved: S): void }, S>(instance: I, saved: S | undefined): I {
  if (saved !== undefined) instance.restore(saved);
  return instance;
}

/** A kind in the registry: its rule type is whatever `kind` names (the engine dispatches by name). */
// Method parameters are bivariant in TypeScript, so each kind's own RuleKind<AnomalyRule, …> fits here.
export type AnyRuleKind = RuleKind<RuleConfig, unknown, unknown>;
