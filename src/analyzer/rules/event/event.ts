/**
 * Event rules: a matching event is itself the alert (e.g. a sensor's critical threshold
 * message). Without `resolve`, repeats for the same key within `suppress` are counted on the next
 * alert instead of raised, so a flapping or flooding source cannot flood the alerts. With
 * `resolve`, the match opens a problem for its key and a `resolve` match with the same key
 * resolves it (e.g. the STATUS message leaving critical); matches while it is open are counted,
 * not raised, and `suppress` does not apply (a problem re-opened soon after is the store's flap).
 */
import type { SyslogEvent } from '../../../common/syslog/event.js';
import { alertId, NO_ALERTS, type Alert, type ProblemTransition } from '../alert.js';
import type { RuleInstance } from '../kind.js';
import { ownCopy } from '../../store/rule-keys.js';
import { matchEvent } from '../match.js';
import type { EventRule } from './schema.js';
import type { SavedOpenKeys } from './store.js';

export class EventAlerter implements RuleInstance {
  readonly counters = { matched: 0, alerts: 0, suppressed: 0, resolved: 0, resolvesWithoutOpen: 0 };
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  /** With `resolve`: keys whose problem is open. */
  private readonly open = new Set<string>();
  /** When quiet keys are next forgotten. */
  private nextSweep = -Infinity;

  constructor(readonly rule: EventRule) {}

  /** Puts back the keys whose problem a store has open. */
  restore(openKeys: SavedOpenKeys): void {
    for (const key of openKeys) this.open.add(key);
  }

  process(event: SyslogEvent, now: number): readonly Alert[] {
    const alert = this.alertFor(event, now);
    return alert ? [alert] : NO_ALERTS;
  }

  /** Event rules have nothing due with time. */
  advance(): readonly Alert[] {
    return NO_ALERTS;
  }

  private alertFor(event: SyslogEvent, now: number): Alert | undefined {
    const groups = matchEvent(this.rule.match, event);
    if (groups) return this.matched(this.rule.key.apply(groups, event), event, now);
    const resolving = this.rule.resolve && matchEvent(this.rule.resolve, event);
    if (!resolving) return undefined;
    const key = this.rule.key.apply(resolving, event);
    if (!this.open.delete(key)) {
      this.counters.resolvesWithoutOpen++;
      return undefined;
    }
    this.counters.resolved++;
    return this.alert(key, event, now, 'resolved', '');
  }

  private matched(key: string, event: SyslogEvent, now: number): Alert | undefined {
    this.counters.matched++;
    if (this.rule.resolve) {
      if (this.open.has(key)) {
        this.counters.suppressed++;
        return undefined;
      }
      this.open.add(ownCopy(key));
      this.counters.alerts++;
      return this.alert(key, event, now, 'open', '');
    }
    const previous = this.last.get(key);
    if (previous && now < previous.at + this.rule.suppress) {
      previous.suppressed++;
      this.counters.suppressed++;
      return undefined;
    }
    const suppressed = previous?.suppressed ?? 0;
    this.last.set(previous ? key : ownCopy(key), { at: now, suppressed: 0 });
    this.forgetQuietKeys(now);
    this.counters.alerts++;
    return this.alert(key, event, now, undefined, suppressed ? ` (${suppressed} more suppressed before)` : '', suppressed);
  }

  /** `suppressed`: repeats counted since the key's last alert (rules without `resolve`). */
  private alert(key: string, event: SyslogEvent, now: number, problem: ProblemTransition | undefined, note: string, suppressed?: number): Alert {
    return {
      id: alertId(this.rule.id, key, now, problem === 'resolved' ? `resolved\0${event.message}` : event.message),
      ruleId: this.rule.id,
      kind: 'event',
      severity: this.rule.severity,
      time: now,
      host: event.host,
      key,
      ...(problem ? { problem } : {}),
      summary: `${this.rule.id}: ${event.host}${event.app ? ` ${event.app}` : ''}: ${event.message}${note}`,
      evidence: suppressed === undefined ? { events: [event] } : { events: [event], count: suppressed },
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

  /** Keys remembered for suppression, and with `resolve` those whose problem is open. */
  get rememberedKeys(): number {
    return this.last.size + this.open.size;
  }
}
