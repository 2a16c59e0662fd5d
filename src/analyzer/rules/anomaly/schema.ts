import * as z from 'zod';
import { durationSchema as duration } from '../../../common/duration-schema.js';
import { alertSeverity, matchSchema, ruleBase, template } from '../rule-schema.js';

/** An anomaly rule (README.md beside this file). */
export const anomalyRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('anomaly'),
  match: matchSchema,
  key: template,
  value: template,
  /** Each key learns silently for this long from its first event. */
  learning: duration('7d', { ms: 366 * 86_400_000, label: '366d' }),
  /** After an alert: learn the value (alert once) or keep alerting until acknowledged. */
  onAlert: z.enum(['learn', 'keep-alerting']).default('learn'),
  maxValuesPerKey: z.number().int().min(1).max(1_000_000).default(1000),
  maxKeys: z.number().int().min(1).max(10_000_000).default(100_000),
  severity: alertSeverity,
});

export type AnomalyRule = z.output<typeof anomalyRuleSchema>;
