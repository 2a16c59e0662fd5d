/**
 * The rule engine: every event goes to every rule; time moves with the caller's clock (the
 * receive time live, each event's own time in replay). Time never goes backwards inside the
 * engine: an event older than the engine's time (out of order in a file, or a sender's clock
 * behind) is processed at the engine's time, so windows and timers stay consistent.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import { NO_ALERTS, type Alert } from './alert.js';
import { AnomalyDetector } from './anomaly.js';
import { EpsMonitor } from './eps.js';
import { EventAlerter } from './event.js';
import type { Rule } from './schema.js';
import type { RestoredRuleState, RuleStateSink } from './state.js';
import { TimerTracker } from './timer.js';

export class RuleEngine {
  readonly anomalies: AnomalyDetector[] = [];
  readonly timers: TimerTracker[] = [];
  readonly eps: EpsMonitor[] = [];
  readonly events: EventAlerter[] = [];
  private now = -Infinity;
  readonly counters = { events: 0, outOfOrder: 0 };

  constructor(rules: readonly Rule[], options: { sink?: RuleStateSink; restored?: ReadonlyMap<string, RestoredRuleState> } = {}) {
    const { sink, restored } = options;
    for (const rule of rules) {
      const state = restored?.get(rule.id);
      if (rule.kind === 'anomaly') {
        const detector = new AnomalyDetector(rule, sink);
        if (state?.anomaly) detector.restore(state.anomaly);
        this.anomalies.push(detector);
      } else if (rule.kind === 'timer') {
        const tracker = new TimerTracker(rule, sink);
        if (state?.timers) tracker.restore(state.timers);
        this.timers.push(tracker);
      } else if (rule.kind === 'event') {
        const alerter = new EventAlerter(rule);
        if (state?.event) alerter.restore(state.event);
        this.events.push(alerter);
      } else {
        const monitor = new EpsMonitor(rule, sink);
        if (state?.eps) monitor.restore(state.eps);
        this.eps.push(monitor);
      }
    }
  }

  /** An operator acknowledged an anomaly alert's value: it joins the key's baseline. False when no such anomaly rule. */
  acknowledgeValue(ruleId: string, key: string, value: string, now: number): boolean {
    const detector = this.anomalies.find((candidate) => candidate.rule.id === ruleId);
    detector?.acknowledge(key, value, now);
    return detector !== undefined;
  }

  /** Each rule's kind and counters by rule id. */
  ruleCounters(): Record<string, { kind: Rule['kind']; counters: Record<string, number> }> {
    const all = [...this.anomalies, ...this.timers, ...this.eps, ...this.events];
    return Object.fromEntries(all.map(({ rule, counters }) => [rule.id, { kind: rule.kind, counters: { ...counters } }]));
  }

  /** Hands the open EPS windows' counts to the sink (the daemon calls this every second). */
  flushCounts(): void {
    for (const monitor of this.eps) monitor.flush();
  }

  /** Moves time to `time` (never back) and returns the alerts due by then. */
  tick(time: number): readonly Alert[] {
    if (time > this.now) this.now = time;
    // Runs for every event: loops, not flatMap, and no array unless something is due.
    let alerts: Alert[] | undefined;
    for (const tracker of this.timers) for (const alert of tracker.expire(this.now)) (alerts ??= []).push(alert);
    for (const monitor of this.eps) for (const alert of monitor.advance(this.now)) (alerts ??= []).push(alert);
    if (!alerts) return NO_ALERTS;
    return alerts.length > 1 ? alerts.sort((a, b) => a.time - b.time) : alerts;
  }

  process(event: SyslogEvent, time: number): readonly Alert[] {
    this.counters.events++;
    if (time < this.now) this.counters.outOfOrder++;
    const due = this.tick(time);
    let alerts: Alert[] | undefined;
    for (const detector of this.anomalies) {
      const alert = detector.process(event, this.now);
      if (alert) (alerts ??= [...due]).push(alert);
    }
    for (const tracker of this.timers) tracker.process(event, this.now);
    for (const monitor of this.eps) for (const alert of monitor.process(event, this.now)) (alerts ??= [...due]).push(alert);
    for (const alerter of this.events) {
      const alert = alerter.process(event, this.now);
      if (alert) (alerts ??= [...due]).push(alert);
    }
    return alerts ?? due;
  }
}
