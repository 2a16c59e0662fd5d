/**
 * EPS rules (the per-sensor events-per-interval monitor): events are counted per key in
 * windows (fixed `interval`s aligned to the epoch, or between a cron `schedule`'s fire times,
 * windows.ts); when a window ends each key's count is
 * compared with its thresholds (per-key overrides, else the rule's). Expected keys are judged
 * even when they sent nothing. Entering a bad state (below or above) opens a problem and recovery
 * resolves it (`problem` on the alert), not an alert every interval. A key seen once stays tracked, so a sender that stops
 * entirely is noticed. `below` is judged only for a window watched whole: not the one in which
 * the monitor started (the analyzer started, or restarted after missing events), nor for a key
 * in the window where it was first seen, so a start mid-window raises no false "below".
 */
import { formatDuration } from '../../../common/duration.js';
import type { SyslogEvent } from '../../../common/syslog/event.js';
import { alertId, NO_ALERTS, type Alert } from '../alert.js';
import type { KeyStateView, RuleInstance } from '../kind.js';
import { ownCopy } from '../../store/rule-keys.js';
import { matchEvent } from '../match.js';
import type { EpsRule } from './schema.js';
import type { EpsSink, EpsState as State, SavedEps } from './store.js';
import { cronWindows, intervalWindows, type EpsWindows } from './windows.js';

/** Keys judged a second at least while a closed window's judging goes on (with storing and logging their alerts, about 0.2 s a second in the daemon on the bench machine). */
const JUDGE_PER_SECOND = 5_000;

export class EpsMonitor implements RuleInstance {
  readonly counters = { matched: 0, alerts: 0, windows: 0 };
  private windowStart: number | undefined;
  /** End of the open window: events before it need no window arithmetic (a cron lookup is slow). */
  private windowEnd = -Infinity;
  private readonly windows: EpsWindows;
  private counts = new Map<string, number>();
  private readonly states = new Map<string, State>();
  /** When this monitor began counting (its first advance); windows starting earlier were not watched whole. */
  private watchingSince: number | undefined;
  /** Keys first seen in the open window. */
  private newKeys = new Set<string>();
  /**
   * A closed window whose keys are still being judged: with a store (the daemon), JUDGE_PER_SECOND
   * keys a second, or more if that would not finish before the open window ends, shared among
   * the advance() calls (every event and every second) by the time since the last one, since
   * 200,000 keys judged at once held the event loop for seconds, and so did 20,000 per event with
   * an event every 10 ms; without a store (replay) a window is judged whole, so a replay's output
   * is complete when its file ends.
   */
  private judging:
    | {
        start: number;
        end: number;
        counts: Map<string, number>;
        newKeys: Set<string>;
        watchedWhole: boolean;
        keys: Iterator<[string, State]>;
        left: number;
        /** Judged up to this time: the next advance() judges the keys due since. */
        judgedAt: number;
      }
    | undefined;
  /** The counts changed since the last flush(): only these are handed to the sink (which keeps the map). */
  private counted = new Map<string, number>();
  /** The window the last flush() was about. */
  private flushedWindow: number | undefined;

  constructor(
    readonly rule: EpsRule,
    private readonly sink?: EpsSink,
  ) {
    for (const key of rule.expected) this.states.set(key, 'ok');
    this.windows = rule.schedule ? cronWindows(rule.schedule, rule.timezone) : intervalWindows(rule.interval);
  }

  /** Puts back the states and the open window's counts a store kept. */
  restore(eps: SavedEps): void {
    for (const { key, state } of eps.states) this.states.set(key, state);
    if (eps.window) {
      this.windowStart = eps.window.start;
      this.windowEnd = this.windows.endOf(eps.window.start);
      for (const { key, count } of eps.window.counts) this.counts.set(key, count);
    }
  }

  /**
   * The open window's counts that changed since the last call, for a store to keep (a restart
   * loses no more than since the last call). Not all of them: with 200,000 keys that was 200,000
   * rows written every second.
   */
  flush(): void {
    if (this.windowStart === undefined || !this.sink) return;
    if (this.counted.size === 0 && this.flushedWindow === this.windowStart) return;
    this.flushedWindow = this.windowStart;
    this.sink.epsWindow(this.rule.id, this.windowStart, this.counted);
    this.counted = new Map();
  }

  process(event: SyslogEvent, now: number): readonly Alert[] {
    const alerts = this.advance(now);
    const groups = matchEvent(this.rule.match, event);
    if (!groups) return alerts;
    this.counters.matched++;
    let key = this.rule.key.apply(groups, event);
    if (!this.states.has(key)) {
      key = ownCopy(key);
      this.states.set(key, 'ok');
      this.newKeys.add(key);
      // Stored at once: a restart must remember a key that then goes silent, or its `below` is never raised.
      this.sink?.epsState(this.rule.id, key, 'ok');
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    // A key first counted in this window: kept as a copy, not the view into the event's line.
    if (count === 1 && !this.newKeys.has(key)) key = ownCopy(key);
    this.counts.set(key, count);
    if (this.sink) this.counted.set(key, count);
    return alerts;
  }

  /** Every tracked key: its state, its count in the open window and its limits. */
  keyStates(): KeyStateView[] {
    return [...this.states].map(([key, state]) => ({ key, state, count: this.counts.get(key) ?? 0, thresholds: this.thresholds(key) }));
  }

  private thresholds(key: string): string {
    const { rule } = this;
    const limits = Object.hasOwn(rule.overrides, key) ? rule.overrides[key]! : { below: rule.below, above: rule.above };
    return [limits.below !== undefined ? `below ${limits.below}` : '', limits.above !== undefined ? `above ${limits.above}` : ''].filter(Boolean).join(', ');
  }

  /** Closes every window that ended by `now` and judges it. */
  advance(now: number): readonly Alert[] {
    if (now < this.windowEnd && !this.judging) return NO_ALERTS;
    const alerts: Alert[] = [];
    if (now >= this.windowEnd) {
      this.watchingSince ??= now;
      const { windows } = this;
      const current = windows.startOf(now);
      if (this.windowStart !== undefined) {
        while (this.windowStart < current) {
          const end = windows.endOf(this.windowStart);
          this.close(this.windowStart, end, alerts);
          this.windowStart = end;
          // A gap of many empty windows: judge one more (all zero) and jump, rather than loop for each.
          const next = windows.endOf(end);
          if (next < current) {
            this.close(end, next, alerts);
            this.windowStart = current;
          }
        }
      }
      this.windowStart = current;
      this.windowEnd = windows.endOf(current);
    }
    if (this.judging) this.judge(this.sink ? this.dueToJudge(now) : Infinity, alerts);
    return alerts;
  }

  /**
   * How many keys to judge by `now`: the time since the last judging (a second's worth at most)
   * at the rate that finishes before the open window ends, with one advance() a second at least.
   */
  private dueToJudge(now: number): number {
    const judging = this.judging!;
    const perSecond = Math.max(JUDGE_PER_SECOND, judging.left / Math.max(1, (this.windowEnd - now) / 1000));
    const due = Math.ceil((perSecond * Math.min(1000, now - judging.judgedAt)) / 1000);
    if (due > 0) judging.judgedAt = now;
    return due;
  }

  /** Ends the open window: its keys are judged from now on (one closed before is judged to its end first). */
  private close(windowStart: number, windowEnd: number, alerts: Alert[]): void {
    if (this.judging) this.judge(Infinity, alerts);
    this.counters.windows++;
    // The keys tracked now are the first `left` of the map (keys are never removed); those added later are the next window's.
    this.judging = {
      start: windowStart,
      end: windowEnd,
      counts: this.counts,
      newKeys: this.newKeys,
      watchedWhole: windowStart >= (this.watchingSince ?? Infinity),
      keys: this.states.entries(),
      left: this.states.size,
      // A second's share at once, at the window's end.
      judgedAt: windowEnd - 1000,
    };
    this.counts = new Map();
    this.newKeys = new Set();
    this.counted.clear();
  }

  /** Judges up to `most` keys of the closed window, adding their alerts to `alerts` (not a spread of them: 125,000 keys going silent at once overflowed the call stack). */
  private judge(most: number, alerts: Alert[]): void {
    const judging = this.judging!;
    const { start, end, counts, newKeys, watchedWhole } = judging;
    const length = end - start;
    for (let judged = 0; judged < most && judging.left > 0; judged++, judging.left--) {
      const [key, previous] = judging.keys.next().value!;
      const count = counts.get(key) ?? 0;
      const limits = this.rule.overrides[key] ?? { below: this.rule.below, above: this.rule.above };
      const state: State = limits.below !== undefined && count < limits.below ? 'below' : limits.above !== undefined && count > limits.above ? 'above' : 'ok';
      if (state === previous) continue;
      if (state === 'below' && (!watchedWhole || newKeys.has(key))) continue;
      this.states.set(key, state);
      this.sink?.epsState(this.rule.id, key, state);
      const threshold = state === 'below' ? limits.below : state === 'above' ? limits.above : undefined;
      const perInterval = `${count} events in ${formatDuration(length)}`;
      this.counters.alerts++;
      alerts.push({
        id: alertId(this.rule.id, key, end, state),
        ruleId: this.rule.id,
        kind: 'eps',
        // A recovery carries the problem's severity, so the channels that were told of it hear of its end.
        severity: this.rule.severity,
        time: end,
        host: key,
        key,
        state: state === 'ok' ? 'recovered' : state,
        problem: state === 'ok' ? 'resolved' : 'open',
        summary: state === 'ok' ? `${this.rule.id}: ${key} recovered (${perInterval})` : `${this.rule.id}: ${key} ${state} ${threshold} (${perInterval})`,
        evidence: { count, threshold, intervalMs: length },
      });
    }
    if (judging.left === 0) this.judging = undefined;
  }
}
