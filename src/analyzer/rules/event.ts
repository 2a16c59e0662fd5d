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
    // Forget quiet keys so the map stays as small as the set of recently alerting sources.
    for (const [k, v] of this.last) if (now >= v.at + this.rule.suppress && v.suppressed === 0 && k !== key) this.last.delete(k);
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
}
