/**
 * Event rules: a matching event is itself the alert (e.g. a sensor's critical threshold
 * message). Repeats for the same key within `suppress` are counted on the next alert instead of
 * raised, so a flapping or flooding source cannot flood the alerts.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import { alertId, type Alert } from './alert.js';
import { matchEvent } from './match.js';
import type { EventRule } from './schema.js';

export class EventAlerter {
  readonly counters = { matched: 0, alerts: 0, suppressed: 0 };
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  /** When quiet keys are next forgotten. */
  private nextSweep = -Infinity;

  constructor(readonly rule: EventRule) {}

  process(event: SyslogEvent, now: number): Alert | undefined {
    const groups = matchEvent(this.rule.match, event);
    if (!groups) return undefined;
    this.counters.matched++;
    const key = this.rule.key.apply(groups, event);
    const previous = this.last.get(key);
    if (previous && now < previous.at + this.rule.suppress) {
      previous.suppressed++;
      this.counters.suppressed++;
      return undefined;
    }
    const suppressed = previous?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.forgetQuietKeys(now);
    this.counters.alerts++;
    return {
      id: alertId(this.rule.id, key, now, event.message),
      ruleId: this.rule.id,
      kind: 'event',
      severity: this.rule.severity,
      time: now,
      host: event.host,
      key,
      summary: `${this.rule.id}: ${event.host}${event.app ? ` ${event.app}` : ''}: ${event.message}${suppressed ? ` (${suppressed} more suppressed before)` : ''}`,
      evidence: { events: [event], count: suppressed },
    };
  }

  /**
   * Forgets keys whose suppression has passed with nothing suppressed, so the map stays as small
   * as the set of recently alerting sources. At most once per `suppress`: a key cannot expire
   * sooner, and a scan per alert made a flood of spoofed hosts quadratic.
   */
  private forgetQuietKeys(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + this.rule.suppress;
    for (const [key, entry] of this.last) if (now >= entry.at + this.rule.suppress && entry.suppressed === 0) this.last.delete(key);
  }

  /** Keys remembered for suppression. */
  get rememberedKeys(): number {
    return this.last.size;
  }
}
