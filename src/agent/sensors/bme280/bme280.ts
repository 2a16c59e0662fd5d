import type { Clock } from '../../../common/clock.js';
import { I2cError, SensorError, hex } from '../../../common/errors.js';
import type { I2cBus } from '../../i2c/bus.js';
import type { SensorDriver } from '../driver.js';
import { parseCalibration, type Bme280Calibration } from './calibration.js';
import { compensate, type Bme280RawReading } from './compensation.js';
import {
  BME280_ADDRESS_PRIMARY,
  BME280_ADDRESS_SECONDARY,
  BME280_CHIP_ID,
  BMP280_CHIP_ID,
  BMP280_SAMPLE_CHIP_IDS,
  Bme280Register as R,
  CALIB_BLOCK_88_LENGTH,
  CALIB_BLOCK_E1_LENGTH,
  DATA_LENGTH_BME280,
  DATA_LENGTH_BMP280,
  FILTER_CODES,
  MODE_FORCED,
  MODE_NORMAL,
  MODE_SLEEP,
  OVERSAMPLING_CODES,
  SKIPPED_HUMIDITY,
  SKIPPED_TEMPERATURE_PRESSURE,
  SOFT_RESET_COMMAND,
  STANDBY_MS_BY_CODE,
  STARTUP_MS,
  STATUS_IM_UPDATE,
  STATUS_MEASURING,
  measurementTimeMs,
  type Bme280Model,
  type FilterCoefficient,
  type OversamplingSettings,
} from './registers.js';

export interface Bme280Options {
  bus: I2cBus;
  /** Default: probe 0x76, then 0x77. */
  address?: number;
  clock: Clock;
  /** Per channel 0 (skip), 1, 2, 4, 8 or 16; default 1 each. Temperature cannot be skipped. */
  oversampling?: Partial<OversamplingSettings>;
  /** Default forced: one conversion per read(), the chip sleeps in between. */
  mode?: 'forced' | 'normal';
  /** IIR filter coefficient; default 0 (off). */
  filter?: FilterCoefficient;
  /** t_standby between normal-mode conversions; default 1000 ms (both chips have it). */
  standbyMs?: number;
  /** How long past the datasheet's maximum measurement time the measuring bit may stay set; default 100 ms. */
  measurementTimeoutMs?: number;
}

export interface Bme280Measurement {
  model: Bme280Model;
  temperatureC: number;
  pressurePa?: number | undefined;
  humidityRH?: number | undefined;
  raw: { adcT: number; adcP?: number | undefined; adcH?: number | undefined };
}

interface ChipState {
  address: number;
  model: Bme280Model;
  calibration: Bme280Calibration;
  /** Register values as written by init(); ctrlMeas without the mode bits. */
  ctrlHum: number;
  ctrlMeas: number;
  config: number;
  /** Oversampling in effect (humidity 0 on a BMP280). */
  osrs: OversamplingSettings;
  maxMeasurementMs: number;
}

const NVM_POLLS = 5; // as BME280_SensorAPI bme280_soft_reset: 5 × 2 ms
const MEASURING_POLL_MS = 5;
/** errno names for a transfer to one address that failed: NACK (EREMOTEIO, ENXIO), EIO, ETIMEDOUT. */
const ADDRESS_LEVEL_CODES = new Set(['EREMOTEIO', 'ENXIO', 'EIO', 'ETIMEDOUT']);
const ALL_STANDBY_MS = new Set<number>([...STANDBY_MS_BY_CODE.BME280, ...STANDBY_MS_BY_CODE.BMP280]);

/**
 * BME280 (temperature, pressure, humidity) and BMP280 (no humidity) driver.
 *
 * A forced-mode read() costs 3 I²C transactions when the chip is done in time: write ctrl_meas
 * (forced), sleep the datasheet's maximum measurement time, read status (measuring bit clear),
 * read the data in one burst (8 bytes; 6 on a BMP280). Normal mode costs the burst only.
 *
 * Skipped measurements. A channel configured with oversampling 0 is skipped by design and
 * returns undefined without looking at its data. For enabled channels the chip writes
 * 0x80000 (T, P) / 0x8000 (H) when it did not measure, but those are also legal mid-range
 * readings: 0x80000 is about 23 °C for typical trimming and 0x8000 about 60 %RH, so a server
 * room would hit them now and then. Hence: every enabled channel at its skip value at once →
 * SensorError("skipped measurement") (by chance practically never, and exactly what a chip
 * that did not convert, or has just been reset, returns). Only some at their skip value →
 * ambiguous, so ctrl_hum..config are read back (one extra transaction, only then): a chip that
 * lost what init() wrote (brown-out reset: ctrl_hum 0 silently skips humidity forever) →
 * SensorError; otherwise the value is a genuine reading. With temperature as the only enabled
 * channel, 0x80000 is treated as skipped: losing a rare reading beats reporting a wrong one.
 */
export class Bme280 implements SensorDriver<Bme280Measurement> {
  readonly name = 'bme280';
  private readonly bus: I2cBus;
  private readonly clock: Clock;
  private readonly configuredAddress: number | undefined;
  private readonly oversampling: OversamplingSettings;
  private readonly mode: 'forced' | 'normal';
  private readonly filter: FilterCoefficient;
  private readonly standbyMs: number;
  private readonly measurementTimeoutMs: number;
  private state: ChipState | undefined;

  /** Validates the options (no I/O); throws RangeError listing every problem. */
  constructor(options: Bme280Options) {
    this.bus = options.bus;
    this.clock = options.clock;
    this.configuredAddress = options.address;
    this.oversampling = { temperature: 1, pressure: 1, humidity: 1, ...options.oversampling };
    this.mode = options.mode ?? 'forced';
    this.filter = options.filter ?? 0;
    this.standbyMs = options.standbyMs ?? 1000;
    this.measurementTimeoutMs = options.measurementTimeoutMs ?? 100;
    const problems: string[] = [];
    for (const [channel, value] of Object.entries(this.oversampling)) {
      if (!(value in OVERSAMPLING_CODES)) problems.push(`${channel} oversampling ${value} is not one of 0, 1, 2, 4, 8, 16`);
    }
    if (this.oversampling.temperature === 0) problems.push('temperature oversampling cannot be 0: pressure and humidity are compensated with it');
    if (this.mode !== 'forced' && this.mode !== 'normal') problems.push(`mode ${String(this.mode)} is not forced or normal`);
    if (!(this.filter in FILTER_CODES)) problems.push(`filter ${this.filter} is not one of 0, 2, 4, 8, 16`);
    if (!ALL_STANDBY_MS.has(this.standbyMs)) problems.push(`standby ${this.standbyMs} ms is not one of ${[...ALL_STANDBY_MS].join(', ')}`);
    if (!(this.measurementTimeoutMs > 0)) problems.push(`measurement timeout ${this.measurementTimeoutMs} ms must be positive`);
    const address = this.configuredAddress;
    if (address !== undefined && !(Number.isInteger(address) && address >= 0x03 && address <= 0x77))
      problems.push(`address ${address} is not a 7-bit I²C address`);
    if (problems.length > 0) throw new RangeError(`bme280: ${problems.join('; ')}`);
  }

  /** BME280 or BMP280, once init() has identified the chip. */
  get model(): Bme280Model | undefined {
    return this.state?.model;
  }

  /** The address the chip answered at. */
  get address(): number | undefined {
    return this.state?.address;
  }

  async init(): Promise<void> {
    this.state = undefined;
    const { address, model } = await this.identify();
    const where = `${model} at ${hex(address)}`;
    const standbyCode = (STANDBY_MS_BY_CODE[model] as readonly number[]).indexOf(this.standbyMs);
    if (standbyCode < 0 && this.mode === 'normal') throw new SensorError(`${where}: standby ${this.standbyMs} ms is not available on a ${model}`);

    await this.bus.writeByte(address, R.RESET, SOFT_RESET_COMMAND);
    await this.waitForNvmCopy(address, where);
    const block88 = await this.bus.readBlock(address, R.CALIB00, CALIB_BLOCK_88_LENGTH);
    const blockE1 = model === 'BME280' ? await this.bus.readBlock(address, R.CALIB26, CALIB_BLOCK_E1_LENGTH) : undefined;
    const calibration = parseCalibration(block88, blockE1);
    if (calibration.digT1 === 0 || calibration.digP1 === 0) {
      throw new SensorError(`${where}: calibration reads as zero (dig_T1 ${calibration.digT1}, dig_P1 ${calibration.digP1}); NVM not loaded?`);
    }

    const osrs = { ...this.oversampling, humidity: model === 'BME280' ? this.oversampling.humidity : 0 } as OversamplingSettings;
    const ctrlHum = OVERSAMPLING_CODES[osrs.humidity];
    const ctrlMeas = (OVERSAMPLING_CODES[osrs.temperature] << 5) | (OVERSAMPLING_CODES[osrs.pressure] << 2);
    const config = (Math.max(standbyCode, 0) << 5) | (FILTER_CODES[this.filter] << 2);
    // ctrl_hum first: it only takes effect with the next ctrl_meas write (§5.4.3); config before
    // ctrl_meas because the chip may ignore config writes in normal mode (§5.4.6).
    if (model === 'BME280') await this.bus.writeByte(address, R.CTRL_HUM, ctrlHum);
    await this.bus.writeByte(address, R.CONFIG, config);
    await this.bus.writeByte(address, R.CTRL_MEAS, ctrlMeas | (this.mode === 'normal' ? MODE_NORMAL : MODE_SLEEP));
    const maxMeasurementMs = Math.ceil(measurementTimeMs(osrs, 'max')); // whole ms, as timers have
    if (this.mode === 'normal') await this.clock.sleep(maxMeasurementMs); // so the first read() finds data
    this.state = { address, model, calibration, ctrlHum, ctrlMeas, config, osrs, maxMeasurementMs };
  }

  async read(): Promise<Bme280Measurement> {
    const state = this.state;
    if (!state) throw new SensorError('bme280: read() before a successful init()');
    const { address, model, osrs } = state;
    if (this.mode === 'forced') await this.convert(state);
    const data = await this.bus.readBlock(address, R.PRESS_MSB, model === 'BME280' ? DATA_LENGTH_BME280 : DATA_LENGTH_BMP280);
    const byte = (i: number) => data[i] ?? 0;
    const raw: Bme280RawReading = {
      adcT: (byte(3) << 12) | (byte(4) << 4) | (byte(5) >> 4),
      adcP: osrs.pressure ? (byte(0) << 12) | (byte(1) << 4) | (byte(2) >> 4) : undefined,
      adcH: osrs.humidity ? (byte(6) << 8) | byte(7) : undefined,
    };
    await this.checkSkipped(state, raw);
    const values = compensate(state.calibration, raw);
    return { model, temperatureC: values.temperatureC, pressurePa: values.pressurePa, humidityRH: values.humidityRH, raw };
  }

  /** Probes the configured address, or 0x76 then 0x77, for a chip with a known id. */
  private async identify(): Promise<{ address: number; model: Bme280Model }> {
    const candidates = this.configuredAddress === undefined ? [BME280_ADDRESS_PRIMARY, BME280_ADDRESS_SECONDARY] : [this.configuredAddress];
    const failures: I2cError[] = [];
    const strangers: string[] = [];
    for (const address of candidates) {
      let chipId: number;
      try {
        chipId = await this.bus.readByte(address, R.CHIP_ID);
      } catch (error) {
        // Only "nothing answered here" moves on; a bus that cannot be opened (ENOENT, EACCES) is no
        // reason to try the next address, nor to call it "no BME280".
        if (!(error instanceof I2cError) || candidates.length === 1 || !ADDRESS_LEVEL_CODES.has(error.code ?? '')) throw error;
        failures.push(error);
        continue;
      }
      if (chipId === BME280_CHIP_ID) return { address, model: 'BME280' };
      if (chipId === BMP280_CHIP_ID || BMP280_SAMPLE_CHIP_IDS.includes(chipId)) return { address, model: 'BMP280' };
      strangers.push(`chip id ${hex(chipId)} at ${hex(address)}`);
    }
    if (strangers.length > 0) {
      throw new SensorError(`${strangers.join(', ')}: not a BME280 (${hex(BME280_CHIP_ID)}) or BMP280 (${hex(BMP280_CHIP_ID)})`);
    }
    const first = failures[0]!;
    const code = failures.find((f) => f.code !== 'EREMOTEIO')?.code ?? first.code;
    throw new I2cError(`no BME280 at 0x76 or 0x77 (${failures.map((f) => f.message).join('; ')})`, first.bus, first.address, R.CHIP_ID, code);
  }

  /** After the soft reset the chip copies its NVM trimming; bounded like Bosch's API. */
  private async waitForNvmCopy(address: number, where: string): Promise<void> {
    for (let poll = 0; poll < NVM_POLLS; poll++) {
      await this.clock.sleep(STARTUP_MS);
      if (!((await this.bus.readByte(address, R.STATUS)) & STATUS_IM_UPDATE)) return;
    }
    throw new SensorError(`${where}: NVM copy (status im_update) not finished ${NVM_POLLS * STARTUP_MS} ms after soft reset`);
  }

  /** One forced conversion: start it, wait the maximum time, then confirm with the status. */
  private async convert({ address, model, ctrlMeas, maxMeasurementMs }: ChipState): Promise<void> {
    await this.bus.writeByte(address, R.CTRL_MEAS, ctrlMeas | MODE_FORCED);
    await this.clock.sleep(maxMeasurementMs);
    const deadline = this.clock.monotonic() + this.measurementTimeoutMs;
    while ((await this.bus.readByte(address, R.STATUS)) & STATUS_MEASURING) {
      if (this.clock.monotonic() >= deadline) {
        throw new SensorError(
          `${model} at ${hex(address)}: measuring bit stuck (still set ${this.measurementTimeoutMs} ms after the ${maxMeasurementMs} ms measurement time)`,
        );
      }
      await this.clock.sleep(MEASURING_POLL_MS);
    }
  }

  /** See the class comment for why 0x80000 / 0x8000 alone do not mean "skipped". */
  private async checkSkipped(state: ChipState, raw: Bme280RawReading): Promise<void> {
    const channels = [
      { name: 'temperature', value: raw.adcT, skip: SKIPPED_TEMPERATURE_PRESSURE },
      { name: 'pressure', value: raw.adcP, skip: SKIPPED_TEMPERATURE_PRESSURE },
      { name: 'humidity', value: raw.adcH, skip: SKIPPED_HUMIDITY },
    ].filter((c) => c.value !== undefined);
    const atSkip = channels.filter((c) => c.value === c.skip);
    if (atSkip.length === 0) return;
    const where = `${state.model} at ${hex(state.address)}`;
    if (atSkip.length === channels.length) {
      throw new SensorError(`${where}: skipped measurement (${atSkip.map((c) => `${c.name} ${hex(c.skip, 5)}`).join(', ')}: the chip did not convert)`);
    }
    const regs = await this.bus.readBlock(state.address, R.CTRL_HUM, 4); // ctrl_hum, status, ctrl_meas, config
    const expected = [state.model === 'BME280' ? state.ctrlHum : undefined, undefined, state.ctrlMeas, state.config];
    const masks = [0x07, 0, 0xfc, 0xfc];
    expected.forEach((value, i) => {
      const actual = (regs[i] ?? 0) & (masks[i] ?? 0);
      if (value !== undefined && actual !== value) {
        throw new SensorError(
          `${where}: chip lost its configuration (register ${hex(R.CTRL_HUM + i)} reads ${hex(actual)}, init wrote ${hex(value)}; reset or brown-out?): ` +
            `${atSkip.map((c) => c.name).join(', ')} at the skip value`,
        );
      }
    });
  }
}
