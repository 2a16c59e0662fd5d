/**
 * Bosch's INTEGER compensation, written here from the published formulas (BME280 datasheet
 * §4.2.3 and BME280_SensorAPI bme280.c without BME280_DOUBLE_ENABLE: 32-bit temperature,
 * 64-bit pressure, 32-bit humidity) as an independent check of the double-precision code in
 * src/. C semantics are kept: int32 products wrap (Math.imul), `/` truncates toward zero (the
 * API divides where the datasheet shifts; the two differ by one LSB on negative operands),
 * and the 64-bit pressure path runs on BigInt.
 */
import type { Bme280Calibration, Bme280HumidityCalibration } from '../../../../src/agent/sensors/bme280/index.js';

const div = (a: number, b: number) => Math.trunc(a / b) | 0;
const mul = Math.imul;

/** Returns t_fine and the temperature in 0.01 °C, clamped to -4000..8500. */
export function temperatureInt32(cal: Bme280Calibration, adcT: number): { tFine: number; centiC: number } {
  let var1 = div(adcT, 8) - cal.digT1 * 2;
  var1 = div(mul(var1, cal.digT2), 2048);
  let var2 = div(adcT, 16) - cal.digT1;
  var2 = div(mul(div(mul(var2, var2), 4096), cal.digT3), 16384);
  const tFine = (var1 + var2) | 0;
  const centiC = div(tFine * 5 + 128, 256);
  return { tFine, centiC: Math.min(8500, Math.max(-4000, centiC)) };
}

/** Pressure in 0.01 Pa (Q24.8 Pa × 100 / 256), clamped to 3000000..11000000; var1 == 0 → minimum. */
export function pressureInt64(cal: Bme280Calibration, adcP: number, tFine: number): number {
  const p = (name: 'digP1' | 'digP2' | 'digP3' | 'digP4' | 'digP5' | 'digP6' | 'digP7' | 'digP8' | 'digP9') => BigInt(cal[name]);
  let var1 = BigInt(tFine) - 128000n;
  let var2 = var1 * var1 * p('digP6');
  var2 = var2 + var1 * p('digP5') * 131072n;
  var2 = var2 + p('digP4') * 34359738368n;
  var1 = (var1 * var1 * p('digP3')) / 256n + var1 * p('digP2') * 4096n;
  var1 = ((140737488355328n + var1) * p('digP1')) / 8589934592n;
  if (var1 === 0n) return 3_000_000;
  let var4 = 1048576n - BigInt(adcP);
  var4 = ((var4 * 2147483648n - var2) * 3125n) / var1;
  var1 = (p('digP9') * (var4 / 8192n) * (var4 / 8192n)) / 33554432n;
  var2 = (p('digP8') * var4) / 524288n;
  var4 = (var4 + var1 + var2) / 256n + p('digP7') * 16n;
  const centiPa = Number(BigInt.asUintN(32, ((var4 / 2n) * 100n) / 128n));
  return Math.min(11_000_000, Math.max(3_000_000, centiPa));
}

/** Humidity in 1/1024 %RH (Q22.10), clamped to 0..102400. */
export function humidityInt32(h: Bme280HumidityCalibration, adcH: number, tFine: number): number {
  const var1 = (tFine - 76800) | 0;
  let var2 = mul(adcH, 16384);
  let var3 = mul(h.digH4, 1048576);
  let var4 = mul(h.digH5, var1);
  let var5 = div(((var2 - var3) | 0) - var4 + 16384, 32768);
  var2 = div(mul(var1, h.digH6), 1024);
  var3 = div(mul(var1, h.digH3), 2048);
  var4 = (div(mul(var2, var3 + 32768), 1024) + 2097152) | 0;
  var2 = div((mul(var4, h.digH2) + 8192) | 0, 16384);
  var3 = mul(var5, var2);
  var4 = div(mul(div(var3, 32768), div(var3, 32768)), 128);
  var5 = (var3 - div(mul(var4, h.digH1), 16)) | 0;
  var5 = Math.min(419430400, Math.max(0, var5));
  return Math.min(102400, div(var5, 4096));
}
