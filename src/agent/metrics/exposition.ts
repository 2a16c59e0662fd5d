/**
 * The agent's readings as Prometheus metrics, with the names and units of the SNMP sensor table:
 * one series per table row, labelled with its sensorIndex, sensorType and unit, the same numbers
 * SNMP serves (both come from sensorRows), so a dashboard built on either agrees with the other.
 */
import { Gauge, Registry } from 'prom-client';
import type { SensorRow, SensorTableInput } from '../snmp/sensor-table.js';
import { sensorRows, STATUS_CODE } from '../snmp/sensor-table.js';

const STATUS_HELP = Object.entries(STATUS_CODE)
  .map(([status, code]) => `${code} ${status}`)
  .join(', ');

/** A gauge whose series are recomputed from the table rows at every scrape. */
function rowGauge(
  registry: Registry,
  rows: () => readonly SensorRow[],
  name: string,
  help: string,
  labelNames: readonly ('index' | 'name' | 'unit')[],
  value: (row: SensorRow) => number | undefined,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const row of rows()) {
        const v = value(row);
        if (v === undefined) continue;
        const labels = { index: String(row.index), name: row.type, unit: row.unit };
        this.set(Object.fromEntries(labelNames.map((label) => [label, labels[label]])), v);
      }
    },
  });
}

export interface SensorMetrics {
  readonly contentType: string;
  /** The exposition text of the current table. */
  render(): Promise<string>;
}

/** The sensor table from `table()` (called once per scrape) as Prometheus text format 0.0.4. */
export function createSensorMetrics(table: () => SensorTableInput): SensorMetrics {
  const registry = new Registry();
  // One table per scrape, shared by all gauges, so their values are consistent.
  let scraped: readonly SensorRow[] = [];
  const rows = () => scraped;
  // Never read yet: no series (SNMP has to show 0 there; a 0 in Prometheus would be plotted).
  rowGauge(
    registry,
    rows,
    'envirowatch_sensor_value',
    'sensorValueHundredths / 100: the reading in its unit (label unit; degF or degC as configured)',
    ['index', 'name', 'unit'],
    (row) => (row.ageSeconds < 0 ? undefined : row.hundredths / 100),
  );
  rowGauge(registry, rows, 'envirowatch_sensor_status', `sensorStatus: ${STATUS_HELP}`, ['index', 'name'], (row) => row.status);
  // The SNMP columns use 0 for "no limit"; here a missing limit is a missing series.
  rowGauge(registry, rows, 'envirowatch_sensor_warning_limit', 'sensorWarningLimit / 100, in the unit of the value', ['index', 'name', 'unit'], (row) =>
    row.warningHundredths === 0 ? undefined : row.warningHundredths / 100,
  );
  rowGauge(registry, rows, 'envirowatch_sensor_critical_limit', 'sensorCriticalLimit / 100, in the unit of the value', ['index', 'name', 'unit'], (row) =>
    row.criticalHundredths === 0 ? undefined : row.criticalHundredths / 100,
  );
  rowGauge(
    registry,
    rows,
    'envirowatch_sensor_reading_age_seconds',
    'sensorReadingAge: seconds since the last good reading (absent when never read)',
    ['index', 'name'],
    (row) => (row.ageSeconds < 0 ? undefined : row.ageSeconds),
  );
  return {
    contentType: registry.contentType,
    render: () => {
      scraped = sensorRows(table());
      return registry.metrics();
    },
  };
}
