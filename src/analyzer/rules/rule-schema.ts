/**
 * The pieces every kind's schema is made of: the match, templates, the id and severity, and the
 * check of a template against a regex's named groups, so a typo is an error naming the rule's key
 * and line, not a silent non-match.
 */
import * as z from 'zod';
import { SEVERITIES } from '../../common/syslog/format.js';
import { eventTests } from './event-tests.js';
import { compileRuleRegex, messagePrefilter } from './regex.js';
import type { ReportIssue } from './kind.js';
import { compileTemplate, unknownNames, type Template } from './template.js';

const regex = z.string().transform((text, ctx) => {
  const compiled = compileRuleRegex(text);
  if (compiled instanceof RegExp) return compiled;
  ctx.addIssue({ code: 'custom', message: compiled.error });
  return z.NEVER;
});

export const matchSchema = z
  .strictObject({
    /** Regexes the event's host / app must match (anywhere; anchor with ^ $). */
    host: regex.optional(),
    app: regex.optional(),
    /** Only events at least this severe (emerg is the most severe). */
    severity: z.enum(SEVERITIES).optional(),
    /** Against the message; its named groups feed the templates. */
    regex: regex.prefault('.*'),
  })
  // What an event must pass before the regex runs on its message (match.ts): the host and app
  // regexes, then the message's prefix and suffix (checked in constant time), then the literals it
  // must contain; each interned to run once per event.
  .transform((match) => {
    const { required, prefix, suffix, matchesAll } = messagePrefilter(match.regex);
    const tests = [
      ...(match.host ? [eventTests.regex('host', match.host)] : []),
      ...(match.app ? [eventTests.regex('app', match.app)] : []),
      ...(prefix ? [eventTests.literal('startsWith', prefix)] : []),
      ...(suffix ? [eventTests.literal('endsWith', suffix)] : []),
      ...required.map((literal) => eventTests.literal('includes', literal)),
    ];
    return { ...match, tests, matchesAll };
  });
export type Match = z.output<typeof matchSchema>;

export const template = z.string().min(1).transform(compileTemplate);
export const alertSeverity = z.enum(SEVERITIES).default('warning');
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -');

/** The fields every rule has, before its kind's. */
export const ruleBase = { id, description: z.string().default('') };

/** Reports `template` at `path` when it names something that is neither one of `groups` nor an event field. */
export function checkTemplate(report: ReportIssue, path: readonly (string | number)[], t: Template, groups: readonly string[]): void {
  const unknown = unknownNames(t, groups);
  if (unknown.length)
    report(path, `\${${unknown.join('}, ${')}} is not a named group of the regex (${groups.length ? groups.join(', ') : 'it has none'}) nor an event field`);
}
