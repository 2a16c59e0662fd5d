import * as z from 'zod';
import { durationSchema as duration } from '../../../common/duration-schema.js';
import { emptyRecord } from '../../../common/records.js';
import { alertSeverity, matchSchema, ruleBase, template } from '../rule-schema.js';
import { compileTemplate } from '../template.js';
import { cronWindows } from './windows.js';

const limits = z.strictObject({ below: z.number().int().nonnegative().optional(), above: z.number().int().nonnegative().optional() });

const cronExpression = z.string().superRefine((expression, ctx) => {
  try {
    cronWindows(expression, 'UTC');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a cron expression (${(error as Error).message}); e.g. "*/5 * * * *"` });
  }
});

const timeZone = z.string().refine(
  (name) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone, e.g. UTC or Europe/Berlin' },
);

/** An eps rule (README.md beside this file). */
export const epsRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('eps'),
  match: matchSchema.prefault({}),
  /** What is counted separately: the sender by default. */
  key: template.default(compileTemplate('${host}')),
  /** Fixed windows of this length, aligned to the epoch (with 5m: :00, :05, … UTC). */
  interval: duration('5m', { ms: 86_400_000, label: '24h' }),
  /**
   * Instead of `interval`: a cron expression (5 fields, or 6 with seconds first) whose fire times
   * bound the windows; each window is judged when the next one starts. E.g. `0 * * * *` hourly on
   * the hour, `0 8-18 * * 1-5` hourly in office hours (the 18:00–08:00 and weekend windows are
   * judged too, so give them overrides or expect quiet nights to count).
   */
  schedule: cronExpression.nullable().default(null),
  /** IANA time zone of `schedule`, e.g. Europe/Berlin; null = the machine's. */
  timezone: timeZone.nullable().default(null),
  below: z.number().int().nonnegative().optional(),
  above: z.number().int().nonnegative().optional(),
  /** Per-key thresholds replacing `below`/`above` (the AlienVault script's per-sensor list). */
  // Looked up by keys from the network (host names): no inherited `constructor` may answer.
  overrides: z
    .record(z.string(), limits)
    .default({})
    .transform((overrides) => Object.assign(emptyRecord<z.output<typeof limits>>(), overrides)),
  /** Keys that must send: below-threshold alerts even for one never heard from. */
  expected: z.array(z.string()).default([]),
  severity: alertSeverity,
});

export type EpsRule = z.output<typeof epsRuleSchema>;
