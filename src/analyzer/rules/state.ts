/**
 * Where the rules report changes to their learned state, so a store can make it durable
 * (store/rule-state.ts) and give it back after a restart. In memory only, nothing is reported.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';

export interface ValueSeen {
  first: number;
  last: number;
  count: number;
}

export type EpsState = 'ok' | 'below' | 'above';

export interface RuleStateSink {
  anomalyKey(ruleId: string, key: string, firstSeen: number): void;
  anomalyValue(ruleId: string, key: string, value: string, seen: ValueSeen): void;
  anomalyForgetValue(ruleId: string, key: string, value: string): void;
  anomalyForgetKey(ruleId: string, key: string): void;
  timerHeld(ruleId: string, key: string, started: number, event: SyslogEvent): void;
  timerReleased(ruleId: string, key: string): void;
  epsState(ruleId: string, key: string, state: EpsState): void;
  epsWindow(ruleId: string, windowStart: number, counts: ReadonlyMap<string, number>): void;
}

/** What a store gives back at start, per rule. */
export interface RestoredRuleState {
  anomaly?: { key: string; firstSeen: number; values: { value: string; seen: ValueSeen }[] }[];
  timers?: { key: string; started: number; event: SyslogEvent }[];
  eps?: { states: { key: string; state: EpsState }[]; window?: { start: number; counts: { key: string; count: number }[] } | undefined };
  /** Event rules with `resolve`: the keys whose problem is open. */
  event?: { openKeys: string[] };
}
