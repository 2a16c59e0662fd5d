import type { SyslogEvent } from '../../common/syslog/event.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import type { Match } from './schema.js';

/** The regex's named groups when `event` matches, else undefined. */
export function matchEvent(match: Match, event: SyslogEvent): Record<string, string | undefined> | undefined {
  if (match.severity !== undefined && event.severity > SEVERITIES.indexOf(match.severity)) return undefined;
  if (match.host && !match.host.test(event.host)) return undefined;
  if (match.app && !match.app.test(event.app)) return undefined;
  const m = match.regex.exec(event.message);
  return m ? { ...m.groups } : undefined;
}
