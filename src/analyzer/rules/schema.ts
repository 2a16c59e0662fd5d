/**
 * The rules file (rules.yaml): a list of rules, each with an id, a match and one kind (kinds.ts).
 * Regexes are compiled and templates checked against the regex's named groups at load, so a typo
 * is an error naming the rule's key and line, not a silent non-match.
 */
import * as z from 'zod';
import { RULE_KINDS, ruleSchema } from './kinds.js';

export type Rule = z.output<typeof ruleSchema>;

/** A list of rules, with the checks that span keys: each kind's own, and duplicate ids. */
export const rulesSchema = z
  .array(ruleSchema)
  .default([])
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id ${rule.id}` });
      seen.add(rule.id);
      RULE_KINDS.get(rule.kind)!.check(rule, (path, message) => ctx.addIssue({ code: 'custom', path: [i, ...path], message }));
    });
  });

/** A rules file for `envirowatch analyze --rules`: the `rules:` list of analyzer.yaml on its own. */
export const rulesFileSchema = z.strictObject({ rules: rulesSchema });

export type RulesFile = z.output<typeof rulesFileSchema>;
