import type { Bme280Calibration, Bme280HumidityCalibration } from './calibration.js';

/** Uncompensated ADC values: 20-bit temperature and pressure, 16-bit humidity. */
export interface Bme280RawReading {
  adcT: number;
  /** Undefined when the pressure measurement was skipped. */
  adcP?: number | undefined;
  /** Undefined when skipped, or on a BMP280. */
  adcH?: number | undefined;
}

export interface Bme280Compensated {
  temperatureC: number;
  pressurePa: number | undefined;
  humidityRH: number | undefined;
  /** Fine temperature shared by the pressure and humidity formulas, (int32) as Bosch keeps it. */
  tFine: number;
}

/** The clamps of Bosch's double-precision compensation (BME280_SensorAPI bme280.c). */
export const TEMPERATURE_RANGE_C = [-40, 85] as const;
export const PRESSURE_RANGE_PA = [30_000, 110_000] as const;
export const HUMIDITY_RANGE_RH = [0, 100] as const;

function clamp(value: number, [min, max]: readonly [number, number]): number {
  return value < min ? min : value > max ? max : value;
}

/**
 * compensate_temperature, double version (BME280_DOUBLE_ENABLE; datasheet §8.1). t_fine is the
 * (int32) cast of var1 + var2, i.e. truncated toward zero, while the temperature keeps the
 * fraction; the clamp applies to the temperature only, not to t_fine.
 */
export function compensateTemperature(cal: Bme280Calibration, adcT: number): { temperatureC: number; tFine: number } {
  const var1 = (adcT / 16384 - cal.digT1 / 1024) * cal.digT2;
  const x = adcT / 131072 - cal.digT1 / 8192;
  const var2 = x * x * cal.digT3;
  return { temperatureC: clamp((var1 + var2) / 5120, TEMPERATURE_RANGE_C), tFine: Math.trunc(var1 + var2) };
}

/** compensate_pressure, double version, in Pa; var1 ≤ 0 (division guard) gives the minimum. */
export function compensatePressure(cal: Bme280Calibration, adcP: number, tFine: number): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * cal.digP6) / 32768;
  var2 = var2 + var1 * cal.digP5 * 2;
  var2 = var2 / 4 + cal.digP4 * 65536;
  const var3 = (cal.digP3 * var1 * var1) / 524288;
  var1 = (var3 + cal.digP2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * cal.digP1;
  if (!(var1 > 0)) return PRESSURE_RANGE_PA[0];
  let pressure = 1048576 - adcP;
  pressure = ((pressure - var2 / 4096) * 6250) / var1;
  var1 = (cal.digP9 * pressure * pressure) / 2147483648;
  var2 = (pressure * cal.digP8) / 32768;
  pressure = pressure + (var1 + var2 + cal.digP7) / 16;
  return clamp(pressure, PRESSURE_RANGE_PA);
}

/** compensate_humidity, double version, in %RH. */
export function compensateHumidity(h: Bme280HumidityCalibration, adcH: number, tFine: number): number {
  const var1 = tFine - 76800;
  const var2 = h.digH4 * 64 + (h.digH5 / 16384) * var1;
  const var3 = adcH - var2;
  const var4 = h.digH2 / 65536;
  const var5 = 1 + (h.digH3 / 67108864) * var1;
  let var6 = 1 + (h.digH6 / 67108864) * var1 * var5;
  var6 = var3 * var4 * (var5 * var6);
  return clamp(var6 * (1 - (h.digH1 * var6) / 524288), HUMIDITY_RANGE_RH);
}

/**
 * Turns one raw reading into °C, Pa and %RH with Bosch's double-precision formulas. Pure: no
 * I/O, no state (t_fine is returned rather than kept). A channel that was skipped (undefined)
 * stays undefined, and so does humidity when the calibration has none (BMP280).
 */
export function compensate(cal: Bme280Calibration, raw: Bme280RawReading): Bme280Compensated {
  const { temperatureC, tFine } = compensateTemperature(cal, raw.adcT);
  return {
    temperatureC,
    pressurePa: raw.adcP === undefined ? undefined : compensatePressure(cal, raw.adcP, tFine),
    humidityRH: raw.adcH === undefined || !cal.humidity ? undefined : compensateHumidity(cal.humidity, raw.adcH, tFine),
    tFine,
  };
}
