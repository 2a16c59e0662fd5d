/**
 * The Pi's CPU warms the sensor board. The original script (and Pimoroni's example) corrects
 * with  T_corrected = T − (avg(recent CPU temperatures) − T) / factor.
 * The relative humidity the BME280 reports belongs to the warmer air at the chip, so it is
 * recomputed for the corrected temperature keeping the same absolute humidity (vapour pressure).
 */

/** Saturation vapour pressure over water in hPa, Magnus formula with Sonntag (1990) constants. */
export function saturationVapourPressure(temperatureC: number): number {
  return 6.112 * Math.exp((17.62 * temperatureC) / (243.12 + temperatureC));
}

export function correctTemperature(sensorC: number, cpuAverageC: number, factor: number): number {
  return sensorC - (cpuAverageC - sensorC) / factor;
}

/** Sensor temperature that `correctTemperature` maps back to `ambientC`: used by the simulation. */
export function sensorTemperatureFor(ambientC: number, cpuAverageC: number, factor: number): number {
  return (factor * ambientC + cpuAverageC) / (factor + 1);
}

/** Relative humidity at `toC` for air that has `rh` %RH at `fromC` (same vapour pressure), 0..100. */
export function recomputeHumidity(rh: number, fromC: number, toC: number): number {
  const value = (rh * saturationVapourPressure(fromC)) / saturationVapourPressure(toC);
  return Math.min(100, Math.max(0, value));
}

export function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
