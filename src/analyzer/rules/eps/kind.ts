import { withSaved, type RuleKind } from '../kind.js';
import { checkTemplate } from '../rule-schema.js';
import { namedGroups } from '../template.js';
import { EpsMonitor } from './eps.js';
import { epsRuleSchema, type EpsRule } from './schema.js';
import { EpsStore, type EpsSink, type SavedEps } from './store.js';

export const epsKind = {
  name: 'eps',
  schema: epsRuleSchema,
  check(rule, report) {
    checkTemplate(report, ['key'], rule.key, namedGroups(rule.match.regex));
    if (rule.below === undefined && rule.above === undefined && Object.keys(rule.overrides).length === 0) report([], 'an eps rule needs below and/or above');
    if (rule.timezone !== null && rule.schedule === null)
      report(['timezone'], 'timezone applies to a schedule; this rule has none (it counts in fixed intervals)');
  },
  openStore: (db) => new EpsStore(db),
  create: (rule, { sink, saved }) => withSaved(new EpsMonitor(rule, sink), saved),
} satisfies RuleKind<EpsRule, SavedEps, EpsSink>;
