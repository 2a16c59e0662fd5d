/**
 * The enterprise 21600 sensor table, computed from the agent's snapshot. Pure: no sockets, no
 * clock of its own, so every value can be tested from a snapshot.
 *
 * sensorEntry (.1.3.6.1.4.1.21600.1.5.1.1.1), indexed by sensorIndex:
 *   .1 sensorIndex INTEGER      .2 sensorType DisplayString   .3 sensorValue INTEGER (rounded)
 *   .4 value × 100 Integer32    .5 unit DisplayString         .6 status INTEGER enum
 *   .7 warning limit × 100      .8 critical limit × 100       .9 seconds since last good reading
 * Columns .1–.3 and rows 1–3 are exactly the original's; everything else was added after them.
 */
import type { AgentSnapshot, QuantityState } from '../agent.js';
import type { Quantity } from '../readings/quantities.js';
import { QUANTITY_NAME } from '../readings/quantities.js';
import type { Status, Thresholds } from '../readings/thresholds.js';
import { displayUnit, toDisplay, type UnitSystem } from '../readings/units.js';
import type { Varbind } from '../../snmp/message/message.js';
import type { Oid } from '../../snmp/oid.js';
import { SENSOR_ENTRY_OID } from './envirowatch-oids.js';

/** Row numbers are part of the MIB: the original's three first, in its order; never renumber. */
export const SENSOR_INDEX: Readonly<Record<Quantity, number>> = { temperature: 1, humidity: 2, light: 3, pressure: 4, proximity: 5 };

export const STATUS_CODE: Readonly<Record<Status, number>> = { ok: 1, warning: 2, critical: 3, error: 4, stale: 5 };

export const SENSOR_COLUMNS = 9;
/** The columns' OIDs (sensorEntry.1 … .9), the objects of the table for noSuchInstance vs noSuchObject. */
export const SENSOR_COLUMN_OIDS: readonly Oid[] = Array.from({ length: SENSOR_COLUMNS }, (_, i) => [...SENSOR_ENTRY_OID, i + 1]);

export interface SensorRow {
  readonly index: number;
  readonly type: string;
  /** The original column: integer in the configured unit. */
  readonly value: number;
  readonly hundredths: number;
  readonly unit: string;
  readonly status: number;
  readonly warningHundredths: number;
  readonly criticalHundredths: number;
  /** -1 when there has never been a good reading. */
  readonly ageSeconds: number;
}

export interface SensorTableInput {
  readonly snapshot: AgentSnapshot;
  readonly units: UnitSystem;
  readonly thresholds: Partial<Record<Quantity, Thresholds>>;
  /** ms since the epoch, for the age column. */
  readonly now: number;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Math.round clamped to Integer32, so a wild value can never make the encoder throw. */
function int32(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(INT32_MAX, Math.max(INT32_MIN, Math.round(value))) || 0;
}

/** DisplayString is ASCII (RFC 2579), so "°F" is written "degF". */
function asciiUnit(unit: string): string {
  return unit.replace('°', 'deg');
}

/**
 * The limits for columns .7/.8, from one side: the side that has limits; when both high and low
 * do, the side nearer the current value (the one at risk), high when there is no value. A missing
 * limit is 0; the status column, not these, says whether a limit is crossed.
 */
function limitsFor(value: number | undefined, thresholds: Thresholds | undefined): { warning?: number | undefined; critical?: number | undefined } {
  const sides = [thresholds?.high, thresholds?.low].filter((side) => side && (side.warning !== undefined || side.critical !== undefined));
  if (sides.length < 2 || value === undefined) return sides[0] ?? {};
  const distance = (side: (typeof sides)[number]) =>
    Math.min(...[side?.warning, side?.critical].filter((v): v is number => v !== undefined).map((v) => Math.abs(v - value)));
  return distance(sides[1]) < distance(sides[0]) ? sides[1]! : sides[0]!;
}

function rowFor(state: QuantityState, input: SensorTableInput): SensorRow {
  const { units, now } = input;
  const display = (v: number | undefined) => (v === undefined ? 0 : toDisplay(state.quantity, v, units));
  // A sensor in error keeps its row and shows its last good value (0 if there never was one).
  const stored = state.reading?.value;
  const limits = limitsFor(stored, input.thresholds[state.quantity]);
  return {
    index: SENSOR_INDEX[state.quantity],
    type: QUANTITY_NAME[state.quantity],
    value: int32(display(stored)),
    hundredths: int32(display(stored) * 100),
    unit: asciiUnit(displayUnit(state.quantity, units)),
    status: STATUS_CODE[state.status],
    warningHundredths: int32(display(limits.warning) * 100),
    criticalHundredths: int32(display(limits.critical) * 100),
    ageSeconds: state.reading ? int32(Math.max(0, Math.floor((now - state.reading.timestamp) / 1000))) : -1,
  };
}

/** One row per quantity the agent measures (a disabled sensor has no rows), by sensorIndex. */
export function sensorRows(input: SensorTableInput): SensorRow[] {
  return input.snapshot.quantities.map((state) => rowFor(state, input)).sort((a, b) => a.index - b.index);
}

/** The table as varbinds in walk order (column by column, rows ascending within each). */
export function sensorTableVarbinds(rows: readonly SensorRow[]): Varbind[] {
  const columns: ((row: SensorRow) => Varbind['value'])[] = [
    (row) => ({ type: 'integer', value: row.index }),
    (row) => ({ type: 'string', value: row.type }),
    (row) => ({ type: 'integer', value: row.value }),
    (row) => ({ type: 'integer', value: row.hundredths }),
    (row) => ({ type: 'string', value: row.unit }),
    (row) => ({ type: 'integer', value: row.status }),
    (row) => ({ type: 'integer', value: row.warningHundredths }),
    (row) => ({ type: 'integer', value: row.criticalHundredths }),
    (row) => ({ type: 'integer', value: row.ageSeconds }),
  ];
  return columns.flatMap((cell, i) => rows.map((row) => ({ oid: [...SENSOR_ENTRY_OID, i + 1, row.index], value: cell(row) })));
}
