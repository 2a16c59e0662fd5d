import type { Clock } from '../../../common/clock.js';
import type { I2cDeviceEmulator } from '../../i2c/emulated-bus.js';
import { parseCalibration, type Bme280Calibration } from './calibration.js';
import { HUMIDITY_RANGE_RH, PRESSURE_RANGE_PA, TEMPERATURE_RANGE_C, compensateHumidity, compensatePressure, compensateTemperature } from './compensation.js';
import {
  BME280_CHIP_ID,
  BMP280_CHIP_ID,
  Bme280Register as R,
  MODE_MASK,
  MODE_NORMAL,
  MODE_SLEEP,
  SKIPPED_HUMIDITY,
  SKIPPED_TEMPERATURE_PRESSURE,
  SOFT_RESET_COMMAND,
  STANDBY_MS_BY_CODE,
  STATUS_IM_UPDATE,
  STATUS_MEASURING,
  filterFromCode,
  measurementTimeMs,
  oversamplingFromCode,
  type Bme280Model,
  type OversamplingSettings,
} from './registers.js';

/** The air the emulated chip sits in. */
export interface Bme280Conditions {
  temperatureC: number;
  humidityRH: number;
  pressurePa: number;
}

/** Chip faults; bus faults (NACK, EIO, unplugged) belong to EmulatedI2cBus. */
export interface Bme280Faults {
  /** 0xD0 reads this instead (another chip at the address). */
  chipId?: number;
  /** The measuring bit never clears and no conversion ever completes. */
  stuckMeasuring?: boolean;
  /** The next conversion stores the skip values (0x80000 / 0x8000) in every data register. */
  skipNextMeasurement?: boolean;
}

export interface Bme280Dump {
  /** 26 bytes 0x88..0xA1. */
  readonly block88: Uint8Array;
  /** 7 bytes 0xE1..0xE7; absent on a BMP280. */
  readonly blockE1?: Uint8Array | undefined;
}

/**
 * Trimming bytes of a real BME280, posted with its raw readings in "BME280 Data to test
 * Calculations", Bosch Sensortec community forum, 2019-09-04
 * (https://community.bosch-sensortec.com/t5/MEMS-sensors-forum/BME280-Data-to-test-Calculations/td-p/9390).
 * The post lists 0x88..0x9F, 0xA1 and 0xE1..0xE7; 0xA0 (unused) is not in it and is 0x00 here.
 */
export const FORUM_BME280_DUMP: Bme280Dump = {
  block88: Uint8Array.of(
    0x6c,
    0x6e,
    0x77,
    0x66,
    0x32,
    0x00,
    0xa8,
    0x92,
    0x27,
    0xd5,
    0xd0,
    0x0b,
    0x6f,
    0x18,
    0xca,
    0xff,
    0xf9,
    0xff,
    0xac,
    0x26,
    0x0a,
    0xd8,
    0xbd,
    0x10,
    0x00,
    0x4b,
  ),
  blockE1: Uint8Array.of(0x65, 0x01, 0x00, 0x14, 0x0b, 0x00, 0x1e),
};

/**
 * Trimming bytes of a real BMP280 (chip id 0x58), decoded from the `i2cdump -y 1 0x77 w` in
 * cyoung/stratux issue #885 "BMP280 on i2c bus causing" (2024-03-15).
 */
export const STRATUX_BMP280_DUMP: Bme280Dump = {
  block88: Uint8Array.of(
    0x96,
    0x6d,
    0x1f,
    0x67,
    0x32,
    0x00,
    0xce,
    0x91,
    0x88,
    0xd6,
    0xd0,
    0x0b,
    0xc3,
    0x1d,
    0xa2,
    0xff,
    0xf9,
    0xff,
    0x8c,
    0x3c,
    0xf8,
    0xc6,
    0x70,
    0x17,
    0x00,
    0x00,
  ),
};

const DEFAULT_CONDITIONS: Bme280Conditions = { temperatureC: 22, humidityRH: 45, pressurePa: 101_325 };
const MAX_FILTER_STEPS = 64; // enough for the x16 IIR filter to settle when catching up

/**
 * Register model of a BME280 (or BMP280), driven by the injected clock:
 * - 0xE0 ← 0xB6 restores the power-on state and sets im_update for `nvmCopyMs`.
 * - ctrl_hum only takes effect at the next ctrl_meas write (§5.4.3).
 * - forced mode: measuring is set for the typical measurement time (§9.1), then the data
 *   registers update and the mode falls back to sleep; normal mode repeats every
 *   t_measure + t_standby. Writes to config are ignored in normal mode (§5.4.6).
 * - The data are what a chip with this calibration reads in the set conditions: the
 *   compensation is inverted by bisection on the integer ADC grid, then quantised as §3.4.2/
 *   3.4.3 describe (x1 oversampling → 16 bit, each doubling one bit more, 20 bit with the IIR
 *   filter on). The inversion reuses compensation.ts, which is checked on its own against
 *   independent vectors (datasheet example, Bosch's integer formulas, published readings).
 * - Skipped channels read 0x80000 / 0x8000; a BMP280 has no humidity: 0xE1.. read 0x00 (as in
 *   the stratux dump), 0xFD/0xFE read 0x80 0x00, ctrl_hum is ignored.
 * - A burst read is atomic against the clock, which is the chip's shadowing (§4.1): one burst
 *   returns one conversion. Separate reads can straddle a conversion and mix two.
 * Not modelled: the short NVM copy (im_update) before every conversion, SPI, the 3-wire bit.
 */
export class Bme280Emulator implements I2cDeviceEmulator {
  readonly model: Bme280Model;
  private readonly clock: Clock;
  private readonly dump: Bme280Dump;
  private readonly calibration: Bme280Calibration;
  private readonly nvmCopyMs: number;
  private faults: Bme280Faults = {};
  private conditions: Bme280Conditions = DEFAULT_CONDITIONS;
  private target = { adcT: 0, adcP: 0, adcH: 0 };
  private ctrlHum = 0;
  private latchedOsrsH = 0;
  private ctrlMeas = 0;
  private config = 0;
  private readonly data = new Uint8Array(8);
  private nvmBusyUntil: number | undefined;
  /** Forced conversion in progress. */
  private conversion: { endsAt: number } | undefined;
  /** Normal mode cycle: conversion k runs from start + k·period for measureMs. */
  private cycle: { start: number; period: number; measureMs: number; done: number } | undefined;
  private filtered: { t?: number | undefined; p?: number | undefined } = {};

  constructor(options: { clock: Clock; model?: Bme280Model; dump?: Bme280Dump; conditions?: Partial<Bme280Conditions>; nvmCopyMs?: number }) {
    this.clock = options.clock;
    this.model = options.model ?? 'BME280';
    this.dump = options.dump ?? (this.model === 'BMP280' ? STRATUX_BMP280_DUMP : FORUM_BME280_DUMP);
    this.calibration = parseCalibration(this.dump.block88, this.model === 'BME280' ? this.dump.blockE1 : undefined);
    if (this.model === 'BME280' && !this.calibration.humidity) throw new RangeError('a BME280 dump needs the 0xE1..0xE7 block');
    this.nvmCopyMs = options.nvmCopyMs ?? 1;
    this.powerOn();
    this.setConditions(options.conditions ?? {});
  }

  setConditions(conditions: Partial<Bme280Conditions>): void {
    const next = { ...this.conditions, ...conditions };
    const check = (name: string, value: number, [min, max]: readonly [number, number]) => {
      if (!(value >= min && value <= max)) throw new RangeError(`${name} must be within ${min}..${max}, got ${value}`);
    };
    check('temperatureC', next.temperatureC, TEMPERATURE_RANGE_C);
    check('pressurePa', next.pressurePa, PRESSURE_RANGE_PA);
    check('humidityRH', next.humidityRH, HUMIDITY_RANGE_RH);
    this.conditions = next;
    const cal = this.calibration;
    const adcT = nearestAdc((adc) => compensateTemperature(cal, adc).temperatureC, next.temperatureC, 0xfffff);
    const { tFine } = compensateTemperature(cal, adcT);
    const adcP = nearestAdc((adc) => compensatePressure(cal, adc, tFine), next.pressurePa, 0xfffff);
    const h = cal.humidity;
    const adcH = h ? nearestAdc((adc) => compensateHumidity(h, adc, tFine), next.humidityRH, 0xffff) : 0;
    this.target = { adcT, adcP, adcH };
  }

  /** Replaces the injected chip faults; `setFaults({})` clears them. */
  setFaults(faults: Bme280Faults): void {
    this.faults = { ...faults };
  }

  /** A register's current value without side effects, for tests. */
  peek(register: number): number {
    this.update();
    return this.readValue(register & 0xff);
  }

  read(register: number, length: number): Uint8Array {
    this.update();
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readValue((register + i) & 0xff); // auto-increment
    return out;
  }

  /** I²C multi-byte writes are register/value pairs, not auto-increment (§6.2.1). */
  write(register: number, data: Uint8Array): void {
    this.update();
    if (data.length > 0) this.writeValue(register, data[0] ?? 0);
    for (let i = 1; i + 1 < data.length; i += 2) this.writeValue(data[i] ?? 0, data[i + 1] ?? 0);
  }

  private powerOn(): void {
    this.ctrlHum = this.latchedOsrsH = this.ctrlMeas = this.config = 0;
    this.data.set([0x80, 0, 0, 0x80, 0, 0, 0x80, 0]); // reset values = skip values (§5.3)
    this.conversion = this.cycle = undefined;
    this.filtered = {};
    this.nvmBusyUntil = this.clock.now() + this.nvmCopyMs;
  }

  private readValue(reg: number): number {
    const humidity = this.model === 'BME280';
    if (reg >= R.CALIB00 && reg <= R.CALIB_H1) return this.dump.block88[reg - R.CALIB00] ?? 0;
    if (reg >= R.CALIB26 && reg < R.CALIB26 + 7) return humidity ? (this.dump.blockE1?.[reg - R.CALIB26] ?? 0) : 0;
    if (reg >= R.PRESS_MSB && reg <= R.HUM_LSB) return this.data[reg - R.PRESS_MSB] ?? 0;
    switch (reg) {
      case R.CHIP_ID:
        return this.faults.chipId ?? (humidity ? BME280_CHIP_ID : BMP280_CHIP_ID);
      case R.CTRL_HUM:
        return humidity ? this.ctrlHum : 0;
      case R.STATUS:
        return (this.measuring() ? STATUS_MEASURING : 0) | (this.nvmBusyUntil !== undefined ? STATUS_IM_UPDATE : 0);
      case R.CTRL_MEAS:
        return this.ctrlMeas;
      case R.CONFIG:
        return this.config;
      default:
        return 0; // reset register and reserved addresses
    }
  }

  private writeValue(reg: number, value: number): void {
    const now = this.clock.now();
    if (reg === R.RESET) {
      if (value === SOFT_RESET_COMMAND) this.powerOn();
    } else if (reg === R.CTRL_HUM) {
      if (this.model === 'BME280') this.ctrlHum = value & 0x07;
    } else if (reg === R.CONFIG) {
      if ((this.ctrlMeas & MODE_MASK) !== MODE_NORMAL) this.config = value & 0xfd; // bit 1 reserved
    } else if (reg === R.CTRL_MEAS) {
      this.ctrlMeas = value;
      this.latchedOsrsH = this.ctrlHum;
      const mode = value & MODE_MASK;
      const measureMs = measurementTimeMs(this.oversampling(), 'typical');
      this.cycle = undefined;
      if (mode === MODE_NORMAL) {
        const standby = STANDBY_MS_BY_CODE[this.model][this.config >> 5] ?? 0.5;
        this.cycle = { start: now, period: measureMs + standby, measureMs, done: 0 };
      } else if (mode !== MODE_SLEEP && !this.conversion) {
        this.conversion = { endsAt: now + measureMs };
      }
    }
  }

  /** Runs whatever the clock says has happened since the last access. */
  private update(): void {
    const now = this.clock.now();
    if (this.nvmBusyUntil !== undefined && now >= this.nvmBusyUntil) this.nvmBusyUntil = undefined;
    if (this.faults.stuckMeasuring) return;
    if (this.conversion && now >= this.conversion.endsAt) {
      this.conversion = undefined;
      this.ctrlMeas &= ~MODE_MASK; // forced mode falls back to sleep (§3.3.2)
      this.convert();
    }
    if (this.cycle) {
      const { start, period, measureMs } = this.cycle;
      const completed = now < start + measureMs ? 0 : Math.floor((now - start - measureMs) / period) + 1;
      const steps = Math.min(completed - this.cycle.done, MAX_FILTER_STEPS);
      for (let i = 0; i < steps; i++) this.convert();
      this.cycle.done = completed;
    }
  }

  private measuring(): boolean {
    if (this.faults.stuckMeasuring && (this.conversion || this.cycle)) return true;
    if (this.conversion) return true;
    if (!this.cycle) return false;
    const { start, period, measureMs } = this.cycle;
    return (this.clock.now() - start) % period < measureMs;
  }

  private oversampling(): OversamplingSettings {
    return {
      temperature: oversamplingFromCode(this.ctrlMeas >> 5),
      pressure: oversamplingFromCode(this.ctrlMeas >> 2),
      humidity: this.model === 'BME280' ? oversamplingFromCode(this.latchedOsrsH) : 0,
    };
  }

  /** One conversion: the ADC values for the current conditions into the data registers. */
  private convert(): void {
    const osrs = this.oversampling();
    if (this.faults.skipNextMeasurement) {
      this.faults = { ...this.faults, skipNextMeasurement: false };
      this.data.set([0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
      return;
    }
    const filter = filterFromCode(this.config >> 2);
    const channel = (key: 't' | 'p', adc: number, oversampling: number): number => {
      if (!oversampling) return SKIPPED_TEMPERATURE_PRESSURE;
      const step = 16 / oversampling; // x1 → 16-bit result: the low 4 of 20 bits stay 0
      const sample = Math.min(Math.round(adc / step) * step, 0x100000 - step);
      if (!filter) return (this.filtered[key] = sample);
      const previous = this.filtered[key] ?? sample;
      this.filtered[key] = (previous * (filter - 1) + sample) / filter; // §3.4.4
      return Math.round(this.filtered[key]);
    };
    const adcP = channel('p', this.target.adcP, osrs.pressure);
    const adcT = channel('t', this.target.adcT, osrs.temperature);
    const adcH = osrs.humidity ? this.target.adcH : SKIPPED_HUMIDITY;
    this.data.set([adcP >> 12, (adcP >> 4) & 0xff, (adcP & 0x0f) << 4, adcT >> 12, (adcT >> 4) & 0xff, (adcT & 0x0f) << 4]);
    this.data.set(this.model === 'BME280' ? [adcH >> 8, adcH & 0xff] : [0x80, 0x00], 6);
  }
}

/** The integer ADC value in 0..max whose compensated value is nearest `target`; f is monotonic. */
function nearestAdc(f: (adc: number) => number, target: number, max: number): number {
  const rising = f(max) >= f(0);
  let lo = 0;
  let hi = max;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (f(mid) < target === rising) lo = mid;
    else hi = mid;
  }
  return Math.abs(f(lo) - target) <= Math.abs(f(hi) - target) ? lo : hi;
}
