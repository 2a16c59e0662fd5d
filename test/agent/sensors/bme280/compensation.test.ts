import { describe, expect, it } from 'vitest';
import {
  FORUM_BME280_DUMP,
  STRATUX_BMP280_DUMP,
  compensate,
  compensateHumidity,
  compensatePressure,
  compensateTemperature,
  parseCalibration,
} from '../../../../src/agent/sensors/bme280/index.js';
import type { Bme280Calibration } from '../../../../src/agent/sensors/bme280/index.js';
import { humidityInt32, pressureInt64, temperatureInt32 } from './integer-reference.js';

/** BMP280 datasheet BST-BMP280-DS001 §3.12, worked example ("Compensation formula example"). */
const DATASHEET: Bme280Calibration = {
  digT1: 27504,
  digT2: 26435,
  digT3: -1000,
  digP1: 36477,
  digP2: -10685,
  digP3: 3024,
  digP4: 2855,
  digP5: 140,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
  humidity: undefined,
};

/** pimoroni/bme280-python tests/calibration.py: a Pimoroni chip's decoded trimming values. */
const PIMORONI: Bme280Calibration = {
  digT1: 28009,
  digT2: 25654,
  digT3: 50,
  digP1: 39145,
  digP2: -10750,
  digP3: 3024,
  digP4: 5667,
  digP5: -120,
  digP6: -7,
  digP7: 15500,
  digP8: -14600,
  digP9: 6000,
  humidity: { digH1: 75, digH2: 376, digH3: 0, digH4: 286, digH5: 50, digH6: 30 },
};

describe('compensate: published vectors', () => {
  it('gives the BMP280 datasheet example: 25.08 °C, t_fine 128422, 100653.27 Pa', () => {
    const result = compensate(DATASHEET, { adcT: 519888, adcP: 415148 });
    expect(result.tFine).toBe(128422);
    expect(result.temperatureC).toBeCloseTo(25.08, 2); // (128793.1787 − 370.8917) / 5120 = 25.0825
    // The datasheet carries t_fine unrounded (128422.2869) into the pressure: 100653.2668 Pa.
    // Bosch's API passes the (int32) t_fine: 100653.2581 Pa. Both are 100653.27 within 0.012 Pa.
    expect(compensatePressure(DATASHEET, 415148, 128422.2869)).toBeCloseTo(100653.27, 2);
    expect(result.pressurePa).toBeCloseTo(100653.258, 3);
    expect(result.humidityRH).toBeUndefined();
  });

  it('matches pimoroni/bme280-python tests/test_compensation.py', () => {
    // TEST_TEMP_RAW 529191 → 24.7894877676 °C; TEST_PRES_RAW 326816 → 1006.61517564 hPa;
    // TEST_HUM_RAW 30281 → 68.66996648709039 %. Pimoroni keeps t_fine unrounded, which moves
    // pressure by 0.006 Pa and humidity by 2e-6 %RH; temperature does not depend on it.
    const result = compensate(PIMORONI, { adcT: 529191, adcP: 326816, adcH: 30281 });
    expect(result.temperatureC).toBeCloseTo(24.7894877676, 9);
    expect(Math.abs(result.pressurePa! - 100661.517564)).toBeLessThan(0.01);
    expect(compensatePressure(PIMORONI, 326816, 24.7894877676 * 5120) / 100).toBeCloseTo(1006.61517564, 8);
    expect(result.humidityRH).toBeCloseTo(68.66996648709039, 5);
  });

  it('keeps t_fine as C’s (int32) cast: toward zero below 0 °C', () => {
    // adc_T 400000, datasheet trimming, by hand:
    // var1 = (400000/16384 − 27504/1024)·26435 = −2.4453125·26435 = −64641.8359375
    // var2 = (400000/131072 − 27504/8192)² · −1000 = (−0.3056640625)² · −1000 = −93.430519104
    // var1 + var2 = −64735.266 → t_fine −64735 (floor would give −64736), T = −12.6436 °C
    const result = compensateTemperature(DATASHEET, 400000);
    expect(result.tFine).toBe(-64735);
    expect(result.temperatureC).toBeCloseTo(-12.6436, 4);
  });
});

describe('compensate: clamps and guards (as bme280.c)', () => {
  const forum = parseCalibration(FORUM_BME280_DUMP.block88, FORUM_BME280_DUMP.blockE1);

  it('clamps temperature to −40..85 °C but not t_fine', () => {
    const cold = compensateTemperature(forum, 0);
    expect(cold.temperatureC).toBe(-40);
    expect(cold.tFine / 5120).toBeLessThan(-100); // the unclamped value is far below
    const hot = compensateTemperature(forum, 0xfffff);
    expect(hot.temperatureC).toBe(85);
    expect(hot.tFine / 5120).toBeGreaterThan(85);
  });

  it('clamps pressure to 30000..110000 Pa, and returns the minimum when var1 ≤ 0', () => {
    const tFine = compensateTemperature(forum, 530427).tFine;
    expect(compensatePressure(forum, 0, tFine)).toBe(110000);
    expect(compensatePressure(forum, 0xfffff, tFine)).toBe(30000);
    // dig_P1 = 0 makes var1 = 0: Bosch returns pressure_min instead of dividing by zero.
    expect(compensatePressure({ ...forum, digP1: 0 }, 348984, tFine)).toBe(30000);
    expect(pressureInt64({ ...forum, digP1: 0 }, 348984, tFine)).toBe(3_000_000); // same guard, 0.01 Pa
  });

  it('clamps humidity to 0..100 %RH', () => {
    const tFine = compensateTemperature(forum, 530427).tFine;
    expect(compensateHumidity(forum.humidity!, 0, tFine)).toBe(0);
    expect(compensateHumidity(forum.humidity!, 0xffff, tFine)).toBe(100);
  });

  it('leaves skipped channels undefined', () => {
    expect(compensate(forum, { adcT: 530427 })).toMatchObject({ pressurePa: undefined, humidityRH: undefined });
  });
});

describe('compensate: double agrees with Bosch’s integer formulas (test/agent/sensors/bme280/integer-reference.ts)', () => {
  const calibrations: Record<string, Bme280Calibration> = {
    'forum BME280': parseCalibration(FORUM_BME280_DUMP.block88, FORUM_BME280_DUMP.blockE1),
    'stratux BMP280': parseCalibration(STRATUX_BMP280_DUMP.block88),
    'BMP280 datasheet': DATASHEET,
    pimoroni: PIMORONI,
  };

  for (const [name, cal] of Object.entries(calibrations)) {
    it(`${name}: temperature, pressure and humidity over the whole ADC range`, () => {
      // Integer resolutions: t_fine loses up to one dig_T2/2048 step because adc_T/8 drops 3 bits
      // before the multiply; the 0.01 °C result rounds (±0.005) and, below 0 °C, C's division
      // truncates toward zero (up to 0.01 more). Pressure: 1/256 Pa internally, 0.01 Pa out,
      // var4/8192 truncated in the dig_P9 term. Humidity: var5 is truncated to 2 adc_H counts,
      // i.e. 2·dig_H2/65536 %RH, then reported in 1/1024 %RH.
      const tFineTolerance = Math.ceil(cal.digT2 / 2048) + 2;
      let checked = 0;
      for (let adcT = 0; adcT <= 0xfffff; adcT += 997) {
        const double = compensateTemperature(cal, adcT);
        if (double.temperatureC <= -40 || double.temperatureC >= 85) continue; // clamped ends
        const int = temperatureInt32(cal, adcT);
        expect(Math.abs(double.tFine - int.tFine)).toBeLessThanOrEqual(tFineTolerance);
        const temperatureTolerance = 0.005 + (double.tFine < 0 ? 0.01 : 0) + tFineTolerance / 5120;
        expect(Math.abs(double.temperatureC - int.centiC / 100)).toBeLessThanOrEqual(temperatureTolerance);

        for (let adcP = 0; adcP <= 0xfffff; adcP += 15013) {
          const pressure = compensatePressure(cal, adcP, double.tFine);
          if (pressure <= 30000 || pressure >= 110000) continue;
          // Same t_fine in both: only the arithmetic differs.
          expect(Math.abs(pressure - pressureInt64(cal, adcP, double.tFine) / 100)).toBeLessThan(0.03);
          // Each with its own t_fine: the t_fine difference adds < 0.04 Pa per LSB.
          expect(Math.abs(pressure - pressureInt64(cal, adcP, int.tFine) / 100)).toBeLessThan(0.03 + 0.04 * tFineTolerance);
          checked += 1;
        }
        if (!cal.humidity) continue;
        for (let adcH = 0; adcH <= 0xffff; adcH += 1009) {
          const humidity = compensateHumidity(cal.humidity, adcH, double.tFine);
          if (humidity <= 0 || humidity >= 100) continue;
          const tolerance = (2 * cal.humidity.digH2) / 65536 + 1 / 1024;
          expect(Math.abs(humidity - humidityInt32(cal.humidity, adcH, int.tFine) / 1024)).toBeLessThan(tolerance);
        }
      }
      expect(checked).toBeGreaterThan(10_000);
    });
  }
});
