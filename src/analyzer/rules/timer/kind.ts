import { withSaved, type RuleKind } from '../kind.js';
import { checkTemplate } from '../rule-schema.js';
import { namedGroups } from '../template.js';
import { timerRuleSchema, type TimerRule } from './schema.js';
import { TimerStore, type SavedTimers, type TimerSink } from './store.js';
import { TimerTracker } from './timer.js';

export const timerKind = {
  name: 'timer',
  schema: timerRuleSchema,
  check(rule, report) {
    // The key must be computable from both the start and the end event.
    const endGroups = namedGroups(rule.end.regex);
    checkTemplate(
      report,
      ['key'],
      rule.key,
      namedGroups(rule.start.regex).filter((g) => endGroups.includes(g)),
    );
  },
  openStore: (db) => new TimerStore(db),
  create: (rule, { sink, saved }) => withSaved(new TimerTracker(rule, sink), saved),
} satisfies RuleKind<TimerRule, SavedTimers, TimerSink>;
