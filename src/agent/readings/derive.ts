import { correctTemperature, recomputeHumidity } from './heat-correction.js';
import type { Quantity } from './quantities.js';

/** What the BME280 (or BMP280) driver returns, as far as the agent needs it. */
export interface EnvironmentMeasurement {
  readonly temperatureC: number;
  readonly pressurePa?: number | undefined;
  readonly humidityRH?: number | undefined;
}

/** What the LTR-559 driver returns, as far as the agent needs it. */
export interface LightMeasurement {
  readonly lux: number;
  readonly saturated: boolean;
  /** False when the chip had no new conversion since the last read (same data again). */
  readonly fresh: boolean;
  readonly proximity?: number | undefined;
}

/** One quantity's value: `value` after CPU-heat correction and calibration offset, `raw` as measured. */
export interface DerivedValue {
  readonly quantity: Quantity;
  readonly value: number;
  readonly raw: number;
  /** The chip saturated: the value is a lower bound. */
  readonly saturated?: boolean;
  /** False when the chip repeated its last conversion (no new data): the reading keeps its age. */
  readonly fresh?: boolean;
}

export interface CorrectionSettings {
  /** Average of the recent CPU temperatures in °C, or undefined when correction is off. */
  readonly cpuAverageC: number | undefined;
  readonly factor: number;
  readonly offsets: Readonly<Record<'temperature' | 'humidity' | 'pressure' | 'light', number>>;
}

/**
 * Turns a BME280 measurement into stored-unit values. Temperature is corrected for CPU heat;
 * relative humidity is recomputed for the corrected temperature (the chip's RH belongs to the
 * warmer air at the chip); offsets are added last.
 */
export function deriveEnvironment(m: EnvironmentMeasurement, settings: CorrectionSettings): DerivedValue[] {
  const { cpuAverageC, factor, offsets } = settings;
  const corrected = cpuAverageC === undefined ? m.temperatureC : correctTemperature(m.temperatureC, cpuAverageC, factor);
  const temperature = corrected + offsets.temperature;
  const values: DerivedValue[] = [{ quantity: 'temperature', value: temperature, raw: m.temperatureC }];
  if (m.humidityRH !== undefined) {
    const humidity = recomputeHumidity(m.humidityRH, m.temperatureC, temperature) + offsets.humidity;
    values.push({ quantity: 'humidity', value: Math.min(100, Math.max(0, humidity)), raw: m.humidityRH });
  }
  if (m.pressurePa !== undefined) {
    values.push({ quantity: 'pressure', value: m.pressurePa / 100 + offsets.pressure, raw: m.pressurePa / 100 });
  }
  return values;
}

export function deriveLight(m: LightMeasurement, offsets: CorrectionSettings['offsets']): DerivedValue[] {
  const values: DerivedValue[] = [{ quantity: 'light', value: Math.max(0, m.lux + offsets.light), raw: m.lux, saturated: m.saturated, fresh: m.fresh }];
  if (m.proximity !== undefined) values.push({ quantity: 'proximity', value: m.proximity, raw: m.proximity });
  return values;
}
