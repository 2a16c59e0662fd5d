/**
 * The varbinds of a `sensorStatusChange` notification, computed from one StatusChange and the
 * snapshot it belongs to. Pure: no sockets, no clock (sysUpTime is passed in).
 *
 * The row's cells are produced by sensor-table.ts (`sensorRows` + `sensorTableVarbinds`), so a
 * notification carries exactly the OIDs, types and unit conversion a GET of the table would show.
 */
import type { AgentSnapshot, QuantityState, StatusChange } from '../agent.js';
import type { Quantity } from '../readings/quantities.js';
import { crossedLimit, type Level, type Thresholds } from '../readings/thresholds.js';
import type { UnitSystem } from '../readings/units.js';
import type { Varbind } from '../../snmp/message/message.js';
import { notificationHeader } from '../../snmp/notification/varbinds.js';
import { parseOid } from '../../snmp/oid.js';
import { SENSOR_ENTRY_OID } from './envirowatch-oids.js';
import { sensorRows, sensorTableVarbinds } from './sensor-table.js';

/**
 * sensorStatusChange NOTIFICATION-TYPE: envirowatch(.1.3.6.1.4.1.21600.1.5) . notifications(2) .
 * 0 . 1, the `.0` below the notifications node being the SMIv2 convention that makes v1 trap
 * translation reversible (RFC 3584 §3). Provisional: keep in step with mibs/ENVIROWATCH-MIB.txt.
 */
export const SENSOR_STATUS_CHANGE_OID = parseOid('1.3.6.1.4.1.21600.1.5.2.0.1');

/** sensorEntry columns a notification carries, in this order (sensor-table.ts numbers them). */
const ROW_COLUMNS = [1, 2, 3, 4, 6] as const; // sensorIndex, sensorType, sensorValue, value × 100, status
const LIMIT_COLUMN: Readonly<Record<'warning' | 'critical', number>> = { warning: 7, critical: 8 };

export interface StatusChangeVarbindsInput {
  readonly change: StatusChange;
  /** The agent's snapshot at the change; supplies the last good value when the change has none (error). */
  readonly snapshot: AgentSnapshot;
  readonly units: UnitSystem;
  readonly thresholds: Partial<Record<Quantity, Thresholds>>;
  /** sysUpTime.0 in hundredths of a second; wraps at 2³². */
  readonly sysUpTime: number;
}

/** The limit a notification reports, in stored units, and the level (column) it belongs to. */
export interface ReportedLimit {
  readonly level: 'warning' | 'critical';
  readonly side: 'high' | 'low';
  readonly limit: number;
}

const isAlarm = (status: string): status is 'warning' | 'critical' => status === 'warning' || status === 'critical';

/**
 * Which limit the notification reports:
 * - entering warning or critical (from any status): the limit of the new level that the value is
 *   beyond (the event's own `limit`), in column .7 (warning) or .8 (critical);
 * - back to ok from warning or critical: the limit of the level just left, so "ok" says what it
 *   recovered from (critical → ok directly reports the critical limit);
 * - error, stale, and ok after error or stale: none. There is no current value to set against a
 *   limit, and repeating the table's configured limits would suggest one was crossed.
 */
export function reportedLimit(change: StatusChange, value: number | undefined, thresholds: Thresholds | undefined): ReportedLimit | undefined {
  let level: Level;
  if (isAlarm(change.to)) level = change.to;
  else if (change.to === 'ok' && isAlarm(change.from)) level = change.from;
  else return undefined;
  const crossed = change.to === level ? (change.limit ?? pick(value, thresholds, level)) : pick(value, thresholds, level);
  return crossed && { level, ...crossed };
}

function pick(value: number | undefined, thresholds: Thresholds | undefined, level: Level) {
  return value === undefined || !thresholds ? undefined : crossedLimit(value, thresholds, level);
}

/**
 * sysUpTime.0, snmpTrapOID.0 = sensorStatusChange, then the row of the changed quantity:
 * sensorIndex, sensorType, sensorValue, value × 100, status (the new one, from the event), and
 * the reported limit × 100 in its own column (.7 or .8) when `reportedLimit` gives one.
 * Values are the event's value, or on error the last good value the table shows (0 if none).
 */
export function statusChangeVarbinds(input: StatusChangeVarbindsInput): Varbind[] {
  const { change, snapshot, units, thresholds } = input;
  const current = snapshot.quantities.find((state) => state.quantity === change.quantity);
  const value = change.value ?? current?.reading?.value;
  const limit = reportedLimit(change, value, thresholds[change.quantity]);
  // The row as the table would show it at the change: the event's value and status, and as
  // the only limit the reported one, so that sensorRows converts it like columns .7/.8.
  const state: QuantityState = {
    quantity: change.quantity,
    sensor: current?.sensor ?? 'bme280', // not read by sensorRows; every emitted quantity is in the snapshot anyway
    reading:
      value === undefined
        ? undefined
        : { quantity: change.quantity, raw: value, ...current?.reading, value, timestamp: current?.reading?.timestamp ?? change.timestamp },
    level: isAlarm(change.to) ? change.to : 'ok',
    status: change.to,
  };
  const rowThresholds: Partial<Record<Quantity, Thresholds>> = limit
    ? { [change.quantity]: { hysteresis: 0, [limit.side]: { [limit.level]: limit.limit } } }
    : {};
  const rows = sensorRows({ snapshot: { ...snapshot, quantities: [state] }, units, thresholds: rowThresholds, now: change.timestamp });
  const cells = sensorTableVarbinds(rows);
  const cell = (column: number): Varbind => {
    const found = cells.find((varbind) => varbind.oid[SENSOR_ENTRY_OID.length] === column);
    if (!found) throw new Error(`sensor table has no column ${column}`);
    return found;
  };
  return [...notificationHeader(input.sysUpTime, SENSOR_STATUS_CHANGE_OID), ...ROW_COLUMNS.map(cell), ...(limit ? [cell(LIMIT_COLUMN[limit.level])] : [])];
}
