/**
 * The rule kinds, registered by name: a new kind is its folder and a line in each list below.
 * The order is the order in which the engine asks the kinds (so alerts from one event come out
 * anomaly, timer, eps, event, as before kinds had folders).
 */
import * as z from 'zod';
import { anomalyKind } from './anomaly/kind.js';
import { epsKind } from './eps/kind.js';
import { eventKind } from './event/kind.js';
import type { AnyRuleKind } from './kind.js';
import { timerKind } from './timer/kind.js';

export const RULE_KINDS: ReadonlyMap<string, AnyRuleKind> = new Map<string, AnyRuleKind>(
  [anomalyKind, timerKind, epsKind, eventKind].map((kind) => [kind.name, kind]),
);

/** One rule of any kind, told apart by `kind:`. */
export const ruleSchema = z.discriminatedUnion('kind', [anomalyKind.schema, timerKind.schema, epsKind.schema, eventKind.schema], {
  error: `kind must be ${[...RULE_KINDS.keys()].join(', ').replace(/, (?=[^,]*$)/, ' or ')}`,
});
