import type { AgentSnapshot, QuantityState } from './agent.js';
import { QUANTITY_NAME, type Quantity } from './readings/quantities.js';
import { displayUnit, toDisplay, type UnitSystem } from './readings/units.js';

/** Decimals shown per quantity: what the chips resolve meaningfully, not every float digit. */
const DECIMALS: Record<Quantity, number> = { temperature: 1, humidity: 1, pressure: 1, light: 1, proximity: 0 };

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

export interface QuantityReport {
  readonly name: string;
  readonly value: number | null;
  readonly raw: number | null;
  readonly unit: string;
  readonly status: QuantityState['status'];
  readonly reason?: string;
  readonly saturated?: boolean;
  readonly timestamp: string | null;
}

export interface SnapshotReport {
  readonly timestamp: string;
  readonly units: UnitSystem;
  readonly quantities: Record<string, QuantityReport>;
  readonly sensors: Record<string, { ok: boolean; error?: string }>;
  readonly cpuTemperature: number | null;
}

/** The snapshot in the configured units, as `read --json` prints it. */
export function reportSnapshot(snapshot: AgentSnapshot, units: UnitSystem): SnapshotReport {
  const quantities: Record<string, QuantityReport> = {};
  for (const state of snapshot.quantities) {
    const convert = (value: number | undefined) => (value === undefined ? null : round(toDisplay(state.quantity, value, units), DECIMALS[state.quantity]));
    quantities[state.quantity] = {
      name: QUANTITY_NAME[state.quantity],
      value: convert(state.reading?.value),
      raw: convert(state.reading?.raw),
      unit: displayUnit(state.quantity, units),
      status: state.status,
      ...(state.reason ? { reason: state.reason } : {}),
      ...(state.reading?.saturated ? { saturated: true } : {}),
      timestamp: state.reading ? new Date(state.reading.timestamp).toISOString() : null,
    };
  }
  const sensors: SnapshotReport['sensors'] = {};
  for (const health of snapshot.sensors) sensors[health.name] = { ok: health.ok, ...(health.error ? { error: health.error } : {}) };
  return {
    timestamp: new Date(snapshot.timestamp).toISOString(),
    units,
    quantities,
    sensors,
    cpuTemperature: snapshot.cpuAverageC === undefined ? null : round(snapshot.cpuAverageC, 1),
  };
}

/** One line for people: `Temperature 75.2 °F ok · Humidity 40.1 %RH ok · …`. */
export function formatReportLine(report: SnapshotReport): string {
  const parts = Object.values(report.quantities).map((q) => {
    const value = q.value === null ? '--' : `${q.saturated ? '≥' : ''}${q.value} ${q.unit}`;
    const status = q.status === 'ok' ? 'ok' : q.status.toUpperCase();
    return `${q.name} ${value} ${status}${q.reason ? ` (${q.reason})` : ''}`;
  });
  return `${report.timestamp}  ${parts.join(' · ')}`;
}
