import { withSaved, type RuleKind } from '../kind.js';
import { checkTemplate } from '../rule-schema.js';
import { namedGroups } from '../template.js';
import { AnomalyDetector } from './anomaly.js';
import { anomalyRuleSchema, type AnomalyRule } from './schema.js';
import type { LearnedKeys } from './learned.js';
import { AnomalyStore, type AnomalySink } from './store.js';

export const anomalyKind = {
  name: 'anomaly',
  schema: anomalyRuleSchema,
  check(rule, report) {
    const groups = namedGroups(rule.match.regex);
    checkTemplate(report, ['key'], rule.key, groups);
    checkTemplate(report, ['value'], rule.value, groups);
  },
  openStore: (db) => new AnomalyStore(db),
  create: (rule, { sink, saved }) => withSaved(new AnomalyDetector(rule, sink), saved),
} satisfies RuleKind<AnomalyRule, LearnedKeys, AnomalySink>;
