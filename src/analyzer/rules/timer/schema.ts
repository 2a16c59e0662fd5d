import * as z from 'zod';
import { durationSchema as duration } from '../../../common/duration-schema.js';
import { alertSeverity, matchSchema, ruleBase, template } from '../rule-schema.js';

/** A timer rule (README.md beside this file). */
export const timerRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('timer'),
  start: matchSchema,
  end: matchSchema,
  /** Correlates an end with its start, over each match's groups (e.g. `${logonId}`). */
  key: template,
  timeout: duration('8h', { ms: 366 * 86_400_000, label: '366d' }),
  severity: alertSeverity,
});

export type TimerRule = z.output<typeof timerRuleSchema>;
