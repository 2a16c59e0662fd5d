/**
 * The varbinds of the analyzer's `analyzerAlert` notification (mibs/ENVIROWATCH-MIB.txt): pure,
 * from one alert and sysUpTime. Keep in step with the MIB's analyzerObjects.
 */
import type { Varbind } from '../../snmp/message/message.js';
import { notificationHeader } from '../../snmp/notification/varbinds.js';
import { parseOid } from '../../snmp/oid.js';
import { SEVERITIES } from '../../common/syslog/format.js';
import type { Alert } from '../rules/alert.js';

/** envirowatchNotificationPrefix.2 */
export const ANALYZER_ALERT_OID = parseOid('1.3.6.1.4.1.21600.1.5.2.0.2');
/** analyzerObjects: alertId is .1 … alertTime .10, each sent with instance .0. */
export const ANALYZER_OBJECTS_OID = parseOid('1.3.6.1.4.1.21600.1.5.4');

export const ALERT_KIND_CODE: Readonly<Record<Alert['kind'], number>> = { anomaly: 1, timer: 2, eps: 3, event: 4, digest: 5 };
/** alertState: a problem's opening (below, above, or open when the rule has no threshold) or resolution (recovered); none for one-shot alerts. */
export const ALERT_STATE_CODE: Readonly<Record<NonNullable<Alert['state']> | 'open' | 'none', number>> = { none: 1, below: 2, above: 3, recovered: 4, open: 5 };

function alertState(alert: Alert): keyof typeof ALERT_STATE_CODE {
  if (alert.problem === 'resolved') return 'recovered';
  if (alert.problem === 'open') return alert.state === 'below' || alert.state === 'above' ? alert.state : 'open';
  return 'none';
}
/** DisplayString (SIZE (0..255)) in the MIB. */
const MAX_TEXT_OCTETS = 255;

/** `text` cut to at most `max` UTF-8 octets, never inside a character. */
export function truncateUtf8(text: string, max = MAX_TEXT_OCTETS): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back to the first byte of the cut character
  return bytes.subarray(0, end).toString('utf8');
}

/** SNMPv2-TC DateAndTime, 11 octets in UTC: year, month, day, hour, minutes, seconds, deci-seconds, '+', 0, 0. */
export function dateAndTime(ms: number): Buffer {
  const date = new Date(ms);
  const octets = Buffer.alloc(11);
  octets.writeUInt16BE(date.getUTCFullYear(), 0);
  octets[2] = date.getUTCMonth() + 1;
  octets[3] = date.getUTCDate();
  octets[4] = date.getUTCHours();
  octets[5] = date.getUTCMinutes();
  octets[6] = date.getUTCSeconds();
  octets[7] = Math.floor(date.getUTCMilliseconds() / 100);
  octets[8] = 0x2b; // '+'
  return octets;
}

/** sysUpTime.0, snmpTrapOID.0 = analyzerAlert, then alertId … alertTime (the NOTIFICATION-TYPE's OBJECTS, in order). */
export function alertVarbinds(alert: Alert, sysUpTime: number): Varbind[] {
  const text = (value: string) => ({ type: 'string', value: truncateUtf8(value) }) as const;
  const objects: Varbind['value'][] = [
    text(alert.id),
    text(alert.ruleId),
    { type: 'integer', value: ALERT_KIND_CODE[alert.kind] },
    { type: 'integer', value: SEVERITIES.indexOf(alert.severity) + 1 },
    text(alert.host),
    text(alert.key),
    text(alert.value ?? ''),
    { type: 'integer', value: ALERT_STATE_CODE[alertState(alert)] },
    text(alert.summary),
    { type: 'octets', value: dateAndTime(alert.time) },
  ];
  return [...notificationHeader(sysUpTime, ANALYZER_ALERT_OID), ...objects.map((value, i) => ({ oid: [...ANALYZER_OBJECTS_OID, i + 1, 0], value }))];
}
