import { withSaved, type RuleKind } from '../kind.js';
import { checkTemplate } from '../rule-schema.js';
import { namedGroups } from '../template.js';
import { EventAlerter } from './event.js';
import { eventRuleSchema, type EventRule } from './schema.js';
import { EventStore, type SavedOpenKeys } from './store.js';

export const eventKind = {
  name: 'event',
  schema: eventRuleSchema,
  check(rule, report) {
    // With resolve, the key must be computable from both the opening and the resolving event.
    const { resolve } = rule;
    const resolveGroups = resolve ? namedGroups(resolve.regex) : undefined;
    checkTemplate(
      report,
      ['key'],
      rule.key,
      namedGroups(rule.match.regex).filter((g) => !resolveGroups || resolveGroups.includes(g)),
    );
  },
  openStore: (db) => new EventStore(db),
  create: (rule, { saved }) => withSaved(new EventAlerter(rule), saved),
} satisfies RuleKind<EventRule, SavedOpenKeys, undefined>;
