/**
 * The rules file (rules.yaml): a list of rules, each with an id, a match and one kind (anomaly,
 * timer, eps, event). Regexes are compiled and templates checked against the regex's named groups at
 * load, so a typo is an error naming the rule's key and line, not a silent non-match.
 */
import { z } from 'zod';
import { emptyRecord } from '../../common/records.js';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import { compileRuleRegex } from './regex.js';
import { compileTemplate, namedGroups, unknownNames, type Template } from './template.js';
import { cronWindows } from './eps-windows.js';

const regex = z.string().transform((text, ctx) => {
  const compiled = compileRuleRegex(text);
  if (compiled instanceof RegExp) return compiled;
  ctx.addIssue({ code: 'custom', message: compiled.error });
  return z.NEVER;
});

export const matchSchema = z.strictObject({
  /** Regexes the event's host / app must match (anywhere; anchor with ^ $). */
  host: regex.optional(),
  app: regex.optional(),
  /** Only events at least this severe (emerg is the most severe). */
  severity: z.enum(SEVERITIES).optional(),
  /** Against the message; its named groups feed the templates. */
  regex: regex.prefault('.*'),
});
export type Match = z.output<typeof matchSchema>;

const template = z.string().min(1).transform(compileTemplate);
const alertSeverity = z.enum(SEVERITIES).default('warning');
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -');

const anomaly = z.strictObject({
  id,
  description: z.string().default(''),
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

const timer = z.strictObject({
  id,
  description: z.string().default(''),
  kind: z.literal('timer'),
  start: matchSchema,
  end: matchSchema,
  /** Correlates an end with its start, over each match's groups (e.g. `${logonId}`). */
  key: template,
  timeout: duration('8h', { ms: 366 * 86_400_000, label: '366d' }),
  severity: alertSeverity,
});

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

const eps = z.strictObject({
  id,
  description: z.string().default(''),
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

const event = z.strictObject({
  id,
  description: z.string().default(''),
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

const rule = z.discriminatedUnion('kind', [anomaly, timer, eps, event], { error: 'kind must be anomaly, timer, eps or event' });

export type Rule = z.output<typeof rule>;
export type AnomalyRule = Extract<Rule, { kind: 'anomaly' }>;
export type TimerRule = Extract<Rule, { kind: 'timer' }>;
export type EpsRule = Extract<Rule, { kind: 'eps' }>;
export type EventRule = Extract<Rule, { kind: 'event' }>;

function checkTemplate(ctx: z.RefinementCtx, path: (string | number)[], t: Template, groups: string[]): void {
  const unknown = unknownNames(t, groups);
  if (unknown.length) ctx.addIssue({ code: 'custom', path, message: `\${${unknown.join('}, ${')}} is not a named group of the regex (${groups.length ? groups.join(', ') : 'it has none'}) nor an event field` });
}

/** A list of rules, with the checks that span keys: templates against groups, duplicates, thresholds. */
export const rulesSchema = z
  .array(rule)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
      if (r.kind === 'anomaly') {
        const groups = namedGroups(r.match.regex);
        checkTemplate(ctx, [i, 'key'], r.key, groups);
        checkTemplate(ctx, [i, 'value'], r.value, groups);
      } else if (r.kind === 'timer') {
        // The key must be computable from both the start and the end event.
        checkTemplate(ctx, [i, 'key'], r.key, namedGroups(r.start.regex).filter((g) => namedGroups(r.end.regex).includes(g)));
      } else if (r.kind === 'event') {
        // With resolve, the key must be computable from both the opening and the resolving event.
        const { resolve } = r;
        checkTemplate(ctx, [i, 'key'], r.key, namedGroups(r.match.regex).filter((g) => !resolve || namedGroups(resolve.regex).includes(g)));
      } else {
        checkTemplate(ctx, [i, 'key'], r.key, namedGroups(r.match.regex));
        if (r.below === undefined && r.above === undefined && Object.keys(r.overrides).length === 0) ctx.addIssue({ code: 'custom', path: [i], message: 'an eps rule needs below and/or above' });
        if (r.timezone !== null && r.schedule === null) ctx.addIssue({ code: 'custom', path: [i, 'timezone'], message: 'timezone applies to a schedule; this rule has none (it counts in fixed intervals)' });
      }
    });
  });

/** A rules file for `envirowatch analyze --rules`: the `rules:` list of analyzer.yaml on its own. */
export const rulesFileSchema = z.strictObject({ rules: rulesSchema });

export type RulesFile = z.output<typeof rulesFileSchema>;
