/**
 * The rule engine: every event goes to every rule; time moves with the caller's clock (the
 * receive time live, each event's own time in replay). Time never goes backwards inside the
 * engine: an event older than the engine's time (out of order in a file, or a sender's clock
 * behind) is processed at the engine's time, so windows and timers stay consistent.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import type { Alert } from './alert.js';
import { AnomalyDetector } from './anomaly.js';
import { EpsMonitor } from './eps.js';
import type { Rule } from './schema.js';
import { TimerTracker } from './timer.js';

export class RuleEngine {
  readonly anomalies: AnomalyDetector[] = [];
  readonly timers: TimerTracker[] = [];
  readonly eps: EpsMonitor[] = [];
  private now = -Infinity;
  readonly counters = { events: 0, outOfOrder: 0 };

  constructor(rules: readonly Rule[]) {
    for (const rule of rules) {
      if (rule.kind === 'anomaly') this.anomalies.push(new AnomalyDetector(rule));
      else if (rule.kind === 'timer') this.timers.push(new TimerTracker(rule));
      else this.eps.push(new EpsMonitor(rule));
    }
  }

  /** Moves time to `time` (never back) and returns the alerts due by then. */
  tick(time: number): Alert[] {
    if (time > this.now) this.now = time;
    const alerts = [...this.timers.flatMap((t) => t.expire(this.now)), ...this.eps.flatMap((e) => e.advance(this.now))];
    return alerts.sort((a, b) => a.time - b.time);
  }

  process(event: SyslogEvent, time: number): Alert[] {
    this.counters.events++;
    if (time < this.now) this.counters.outOfOrder++;
    const alerts = this.tick(time);
    for (const detector of this.anomalies) {
      const alert = detector.process(event, this.now);
      if (alert) alerts.push(alert);
    }
    for (const tracker of this.timers) tracker.process(event, this.now);
    for (const monitor of this.eps) alerts.push(...monitor.process(event, this.now));
    return alerts;
  }
}
