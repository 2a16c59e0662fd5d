import { describe, expect, it } from 'vitest';
import { average, correctTemperature, recomputeHumidity, saturationVapourPressure, sensorTemperatureFor } from '../../../src/agent/readings/heat-correction.js';
import { deriveEnvironment } from '../../../src/agent/readings/derive.js';

const NO_OFFSETS = { temperature: 0, humidity: 0, pressure: 0, light: 0 };

describe('CPU-heat correction', () => {
  it('applies the original formula T − (avg(cpu) − T) / factor', () => {
    // cpu samples 48, 50, 52, 49, 51 → average 50; 30 − (50 − 30) / 2.25 = 30 − 8.888… = 21.111…
    const cpu = average([48, 50, 52, 49, 51]);
    expect(cpu).toBe(50);
    expect(correctTemperature(30, cpu, 2.25)).toBeCloseTo(21.1111, 4);
    // A larger factor trusts the sensor more: 30 − 20 / 4 = 25.
    expect(correctTemperature(30, 50, 4)).toBe(25);
  });

  it('inverts for the simulation: the sensor temperature that corrects back to the ambient', () => {
    const sensor = sensorTemperatureFor(22, 55, 2.25);
    expect(correctTemperature(sensor, 55, 2.25)).toBeCloseTo(22, 10);
    expect(sensor).toBeGreaterThan(22);
  });

  it('uses the Magnus formula for saturation vapour pressure', () => {
    // Sonntag constants: 6.112 hPa at 0 °C; 23.33 hPa at 20 °C (tables: 23.39 hPa).
    expect(saturationVapourPressure(0)).toBeCloseTo(6.112, 6);
    expect(saturationVapourPressure(20)).toBeCloseTo(23.326, 3);
    expect(Math.abs(saturationVapourPressure(20) - 23.39)).toBeLessThan(0.1);
  });

  it('recomputes relative humidity for the corrected temperature at the same vapour pressure', () => {
    // 40 %RH at 30 °C: e = 0.40 × 42.337 = 16.935 hPa; at 21.111 °C Es = 24.979 hPa → 67.80 %RH.
    expect(recomputeHumidity(40, 30, 21.111111)).toBeCloseTo(67.797, 2);
    // Same temperature: unchanged. Cooler than the dew point would allow: clamped to 100.
    expect(recomputeHumidity(55, 25, 25)).toBe(55);
    expect(recomputeHumidity(90, 30, 15)).toBe(100);
  });

  it('derives corrected values, keeps the raw ones and adds offsets last', () => {
    const values = deriveEnvironment(
      { temperatureC: 30, humidityRH: 40, pressurePa: 101_325 },
      { cpuAverageC: 50, factor: 2.25, offsets: { ...NO_OFFSETS, temperature: -0.5, pressure: 1.5 } },
    );
    const byName = Object.fromEntries(values.map((v) => [v.quantity, v]));
    expect(byName.temperature!.raw).toBe(30);
    expect(byName.temperature!.value).toBeCloseTo(21.1111 - 0.5, 4);
    // Humidity follows the final temperature (20.611 °C): 16.935 / 24.223 hPa = 69.91 %RH.
    expect(byName.humidity!.value).toBeCloseTo(69.91, 2);
    expect(byName.humidity!.raw).toBe(40);
    expect(byName.pressure!.value).toBeCloseTo(1014.75, 6);
  });

  it('passes values through when correction is off and leaves out what the chip did not measure', () => {
    const values = deriveEnvironment({ temperatureC: 24.5 }, { cpuAverageC: undefined, factor: 2.25, offsets: NO_OFFSETS });
    expect(values).toEqual([{ quantity: 'temperature', value: 24.5, raw: 24.5 }]);
  });
});
