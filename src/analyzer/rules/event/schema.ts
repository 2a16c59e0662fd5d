import * as z from 'zod';
import { durationSchema as duration } from '../../../common/duration-schema.js';
import { alertSeverity, matchSchema, ruleBase, template } from '../rule-schema.js';
import { compileTemplate } from '../template.js';

/** An event rule (README.md beside this file). */
export const eventRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('event'),
  match: matchSchema,
  /**
   * Makes the match open a problem for its key, which an event matching this with the same key
   * resolves (e.g. the sensor's STATUS leaving critical). Without it every match is an alert that
   * stays until acknowledged.
   */
  resolve: matchSchema.optional(),
  key: template.default(compileTemplate('${host}')),
  /** Without `resolve`: alerts for the same key within this time after one are counted, not raised again. */
  suppress: duration('5m', { ms: 86_400_000, label: '24h' }),
  severity: alertSeverity,
});

export type EventRule = z.output<typeof eventRuleSchema>;
