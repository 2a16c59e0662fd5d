/** The table's values from snapshots built by hand: no sockets. */
import { describe, expect, it } from 'vitest';
import type { AgentSnapshot, QuantityState } from '../../../src/agent/agent.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import type { Quantity } from '../../../src/agent/readings/quantities.js';
import type { Status } from '../../../src/agent/readings/thresholds.js';
import { sensorRows, sensorTableVarbinds, type SensorRow } from '../../../src/agent/snmp/sensor-table.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const sensorOf = (quantity: Quantity) => (['light', 'proximity'].includes(quantity) ? 'ltr559' : 'bme280');

function state(quantity: Quantity, value: number | undefined, status: Status = 'ok', ageMs = 0): QuantityState {
  return {
    quantity,
    sensor: sensorOf(quantity),
    reading: value === undefined ? undefined : { quantity, value, raw: value, timestamp: NOW - ageMs },
    level: 'ok',
    status,
  } as QuantityState;
}

const snapshot = (...quantities: QuantityState[]): AgentSnapshot => ({ timestamp: NOW, quantities, sensors: [] });
const defaults = (units: 'fahrenheit' | 'celsius') => resolveAgentConfig(agentConfigSchema.parse({ units: { temperature: units } }));

function rows(snap: AgentSnapshot, units: 'fahrenheit' | 'celsius' = 'fahrenheit'): Map<string, SensorRow> {
  const resolved = defaults(units);
  return new Map(sensorRows({ snapshot: snap, units: resolved.units, thresholds: resolved.thresholds, now: NOW }).map((row) => [row.type, row]));
}

describe('sensorRows', () => {
  it('numbers rows as the original (Temperature 1, Humidity 2, Light 3), then Pressure 4, Proximity 5', () => {
    const table = sensorRows({
      snapshot: snapshot(state('pressure', 1013), state('proximity', 3), state('light', 200), state('humidity', 40), state('temperature', 21)),
      units: { temperature: 'celsius' },
      thresholds: {},
      now: NOW,
    });
    expect(table.map((row) => [row.index, row.type])).toEqual([
      [1, 'Temperature'],
      [2, 'Humidity'],
      [3, 'Light'],
      [4, 'Pressure'],
      [5, 'Proximity'],
    ]);
  });

  it('gives °F integers and hundredths by default: 17.35 °C is 63.23 °F → 63 and 6323', () => {
    const row = rows(snapshot(state('temperature', 17.35))).get('Temperature')!;
    expect(row).toMatchObject({ value: 63, hundredths: 6323, unit: 'degF' });
  });

  it('gives °C when configured, and negative temperatures in the signed columns', () => {
    const row = rows(snapshot(state('temperature', -7.456)), 'celsius').get('Temperature')!;
    expect(row).toMatchObject({ value: -7, hundredths: -746, unit: 'degC' });
  });

  it('shows the high limits for temperature and the low limits for humidity, in hundredths of the display unit', () => {
    const table = rows(snapshot(state('temperature', 20), state('humidity', 40), state('light', 100)));
    expect(table.get('Temperature')).toMatchObject({ warningHundredths: 7700, criticalHundredths: 8000 });
    expect(table.get('Humidity')).toMatchObject({ warningHundredths: 1500, criticalHundredths: 1000 });
    expect(table.get('Light')).toMatchObject({ warningHundredths: 0, criticalHundredths: 0 });
  });

  it('with limits on both sides shows the side nearer the value', () => {
    const thresholds = { pressure: { high: { warning: 1030, critical: 1040 }, low: { warning: 990, critical: 980 }, hysteresis: 1 } };
    const at = (value: number) => sensorRows({ snapshot: snapshot(state('pressure', value)), units: { temperature: 'celsius' }, thresholds, now: NOW })[0]!;
    expect(at(1025)).toMatchObject({ warningHundredths: 103000, criticalHundredths: 104000 });
    expect(at(995)).toMatchObject({ warningHundredths: 99000, criticalHundredths: 98000 });
  });

  it('keeps a sensor in error with its last good value, status error(4) and its age', () => {
    const row = rows(snapshot(state('humidity', 38.6, 'error', 42_900))).get('Humidity')!;
    expect(row).toMatchObject({ value: 39, status: 4, ageSeconds: 42 });
  });

  it('shows 0 and age -1 for a quantity never read, status stale(5)', () => {
    const row = rows(snapshot(state('light', undefined, 'stale'))).get('Light')!;
    expect(row).toMatchObject({ value: 0, hundredths: 0, status: 5, ageSeconds: -1 });
  });

  it('maps every status to its enum value', () => {
    const statuses: Status[] = ['ok', 'warning', 'critical', 'error', 'stale'];
    expect(statuses.map((status) => rows(snapshot(state('temperature', 20, status))).get('Temperature')!.status)).toEqual([1, 2, 3, 4, 5]);
  });

  it('clamps absurd values to Integer32 instead of failing to encode', () => {
    const row = rows(snapshot(state('light', 1e12)), 'celsius').get('Light')!;
    expect(row).toMatchObject({ value: 2 ** 31 - 1, hundredths: 2 ** 31 - 1 });
  });
});

describe('sensorTableVarbinds', () => {
  it('walks column by column, rows ascending within each', () => {
    const table = sensorRows({
      snapshot: snapshot(state('temperature', 20), state('humidity', 40)),
      units: { temperature: 'celsius' },
      thresholds: {},
      now: NOW,
    });
    const oids = sensorTableVarbinds(table).map((v) => v.oid.slice(-2).join('.'));
    expect(oids).toEqual(['1.1', '1.2', '2.1', '2.2', '3.1', '3.2', '4.1', '4.2', '5.1', '5.2', '6.1', '6.2', '7.1', '7.2', '8.1', '8.2', '9.1', '9.2']);
  });
});
