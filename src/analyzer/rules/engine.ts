/**
 * The rule engine: every event goes to every rule; time moves with the caller's clock (the
 * receive time live, each event's own time in replay). Time never goes backwards inside the
 * engine: an event older than the engine's time (out of order in a file, or a sender's clock
 * behind) is processed at the engine's time, so windows and timers stay consistent. The rules
 * are reached through the kinds' contract (kind.ts) only.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';
import { NO_ALERTS, type Alert } from './alert.js';
import type { KeyStateView, RuleInstance } from './kind.js';
import { RULE_KINDS } from './kinds.js';
import type { Rule } from './schema.js';

/** Where the kinds report their changes: the store's sink for each kind (store/rule-state.ts). */
export interface RuleSinks {
  sinkFor(kind: string): unknown;
}

/** What a store kept: by kind, then rule id. */
export type SavedRuleState = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

export class RuleEngine {
  /** In the registry's order of kinds, then the config's (kinds.ts says why). */
  private readonly instances: RuleInstance[] = [];
  private readonly byId = new Map<string, RuleInstance>();
  private now = -Infinity;
  readonly counters = { events: 0, outOfOrder: 0 };

  constructor(rules: readonly Rule[], options: { sinks?: RuleSinks; saved?: SavedRuleState } = {}) {
    const { sinks, saved } = options;
    for (const [name, kind] of RULE_KINDS) {
      for (const rule of rules) {
        if (rule.kind !== name) continue;
        const instance = kind.create(rule, { sink: sinks?.sinkFor(name), saved: saved?.get(name)?.get(rule.id) });
        this.instances.push(instance);
        this.byId.set(rule.id, instance);
      }
    }
  }

  /** The running rule `id`, when it is a `type` (for tests that look inside a rule). */
  rule<T extends RuleInstance>(id: string, type: abstract new (...args: never[]) => T): T | undefined {
    const instance = this.byId.get(id);
    return instance instanceof type ? instance : undefined;
  }

  /** An operator acknowledged an alert's value: its rule learns it. False when no such rule learns values. */
  acknowledgeValue(ruleId: string, key: string, value: string, now: number): boolean {
    const instance = this.byId.get(ruleId);
    instance?.acknowledgeValue?.(key, value, now);
    return instance?.acknowledgeValue !== undefined;
  }

  /** Each rule's kind and counters by rule id. */
  ruleCounters(): Record<string, { kind: Rule['kind']; counters: Record<string, number> }> {
    return Object.fromEntries(this.instances.map(({ rule, counters }) => [rule.id, { kind: rule.kind as Rule['kind'], counters: { ...counters } }]));
  }

  /** Every rule's keys with their state, for the web page (the kinds that keep one: eps). */
  keyStates(): (KeyStateView & { ruleId: string })[] {
    return this.instances.flatMap((instance) => instance.keyStates?.().map((view) => ({ ruleId: instance.rule.id, ...view })) ?? []);
  }

  /** Timer starts still held: they alert if their end does not come in time. */
  pending(): number {
    return this.instances.reduce((sum, instance) => sum + (instance.pending ?? 0), 0);
  }

  /** Hands state kept between reports (open EPS windows' counts) to the sinks (the daemon calls this every second). */
  flushCounts(): void {
    for (const instance of this.instances) instance.flush?.();
  }

  /** Moves time to `time` (never back) and returns the alerts due by then. */
  tick(time: number): readonly Alert[] {
    // Nothing is due at a time the rules were already advanced to (timeouts and windows are at
    // least 1 ms, so what `process` added at that time is due later): the events of a flood share
    // their milliseconds, and 20 rules asked again for each cost more than the rules' work.
    if (time <= this.now) return NO_ALERTS;
    this.now = time;
    // Runs for every new millisecond: loops, not flatMap, and no array unless something is due.
    let alerts: Alert[] | undefined;
    for (let r = 0; r < this.instances.length; r++) {
      const due = this.instances[r]!.advance(this.now);
      for (let i = 0; i < due.length; i++) (alerts ??= []).push(due[i]!); // not push(...due): 200,000 EPS alerts overflow the stack
    }
    if (!alerts) return NO_ALERTS;
    return alerts.length > 1 ? alerts.sort((a, b) => a.time - b.time) : alerts;
  }

  process(event: SyslogEvent, time: number): readonly Alert[] {
    this.counters.events++;
    if (time < this.now) {
      this.counters.outOfOrder++;
      return this.processAt(event, this.now, NO_ALERTS);
    }
    return this.processAt(event, time, this.tick(time));
  }

  /**
   * `now` is the caller's number, passed on as it came, not read back from `this.now`: a number
   * read from a field is boxed anew for each call it is passed to (20 rules, 320 bytes an event,
   * an eighth of all the daemon allocated in the TCP bench).
   */
  private processAt(event: SyslogEvent, now: number, due: readonly Alert[]): readonly Alert[] {
    let alerts: Alert[] | undefined;
    for (let r = 0; r < this.instances.length; r++) {
      // Indexed loops, not `for (const alert of …)`: at this call site the results come from every
      // kind, and the iterators and their results were allocated per rule per event (810 bytes an
      // event, a sixth of all the daemon allocated in the TCP bench).
      const raised = this.instances[r]!.process(event, now);
      for (let i = 0; i < raised.length; i++) (alerts ??= [...due]).push(raised[i]!);
    }
    return alerts ?? due;
  }
}
