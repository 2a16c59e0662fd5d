/**
 * The agent → analyzer message format: what an envirowatch agent's STATUS and HEARTBEAT syslog
 * messages say, written by the agent (src/agent/syslog/messages.ts) and read by the analyzer (its
 * sensor data and the shipped rules). Defined once here, so the shipped rules' regexes cannot
 * drift from what the agent sends. SD-IDs are ours under enterprise 21600 (RFC 5424 §7.2.2).
 */

/** A quantity's status as the agent reports it (src/agent/readings/thresholds.ts `Status`). */
export const SENSOR_STATUSES = ['ok', 'warning', 'critical', 'error', 'stale'] as const;
export type SensorStatus = (typeof SENSOR_STATUSES)[number];

export const STATUS_MSG_ID = 'STATUS';
export const STATUS_SD_ID = 'status@21600';
export const HEARTBEAT_MSG_ID = 'HEARTBEAT';
export const READINGS_SD_ID = 'readings@21600';

/** The quantities a heartbeat carries, with the unit each is sent in (temperature's is in `temperatureUnit`). */
export const HEARTBEAT_UNITS: Readonly<Record<string, string>> = { temperature: '', humidity: '%RH', pressure: 'hPa', light: 'lux', proximity: 'counts' };
/** Heartbeat SD parameters beside each quantity's value. */
export const statusParameter = (quantity: string): string => `${quantity}Status`;
export const TEMPERATURE_UNIT_PARAMETER = 'temperatureUnit';
/** The agent's own SD element, in START, STOP and HEARTBEAT messages: `[agent@21600 version="1.2.0"]`, the package's version. */
export const AGENT_SD_ID = 'agent@21600';
export const VERSION_PARAMETER = 'version';

/** A STATUS message's text: `Temperature warning -> critical (82.4 °F, limit high 80.06 °F)`. */
export function statusChangeText(quantityName: string, from: SensorStatus, to: SensorStatus, detail: string): string {
  return `${quantityName} ${from} -> ${to}${detail ? ` (${detail})` : ''}`;
}

/** Rule regex (source) for a STATUS text entering critical, the quantity's name in `(?<quantity>)`. */
export const ENTERS_CRITICAL_REGEX = `^(?<quantity>\\w+) \\w+ -> critical\\b`;
/** Rule regex (source) for a STATUS text leaving critical (to any other status). */
export const LEAVES_CRITICAL_REGEX = `^(?<quantity>\\w+) critical -> (?:${SENSOR_STATUSES.filter((status) => status !== 'critical').join('|')})\\b`;
