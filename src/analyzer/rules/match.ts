import { NO_ENTRIES } from '../../common/records.js';
import type { SyslogEvent } from '../../common/syslog/event.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import { eventTests } from './event-tests.js';
import type { Match } from './rule-schema.js';

export type Groups = Readonly<Record<string, string | undefined>>;

// Without a prototype, like the groups object a regex match makes: a template's name finds nothing inherited.
const NO_GROUPS: Groups = NO_ENTRIES;
const SEVERITY_CODE = Object.fromEntries(SEVERITIES.map((name, code) => [name, code])) as Record<(typeof SEVERITIES)[number], number>;

/**
 * The regex's named groups when `event` matches, else undefined. Runs for every rule on every
 * event, so it allocates nothing beyond the regex's own match (the groups are not copied), and
 * the regex runs only on events that pass its host and app regexes and contain its literal texts
 * (regex.ts, messagePrefilter), each of those run once per event for all rules (event-tests.ts).
 */
export function matchEvent(match: Match, event: SyslogEvent): Groups | undefined {
  if (match.severity !== undefined && event.severity > SEVERITY_CODE[match.severity]) return undefined;
  const { tests } = match;
  for (let i = 0; i < tests.length; i++) if (!eventTests.passes(tests[i]!, event)) return undefined;
  if (match.matchesAll) return NO_GROUPS;
  const m = match.regex.exec(event.message);
  return m ? (m.groups ?? NO_GROUPS) : undefined;
}
