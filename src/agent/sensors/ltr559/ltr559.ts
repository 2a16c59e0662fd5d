import type { Clock } from '../../../common/clock.js';
import { SensorError, hex } from '../../../common/errors.js';
import type { I2cBus } from '../../i2c/bus.js';
import type { SensorDriver } from '../driver.js';
import { computeLux, isAlsSaturated } from './lux.js';
import {
  ALS_CONTR_GAIN_SHIFT,
  ALS_CONTR_MODE_ACTIVE,
  ALS_CONTR_SW_RESET,
  ALS_GAIN_CODES,
  ALS_INTEGRATION_CODES,
  ALS_MEASUREMENT_RATE_CODES,
  ALS_MEAS_RATE_INTEGRATION_SHIFT,
  LTR559_ADDRESS,
  LTR559_MANUFACTURER_ID,
  LTR559_PART_ID,
  Ltr559Register as R,
  PS_CONTR_MODE_ACTIVE,
  PS_CONTR_SATURATION_INDICATOR,
  PS_DATA_HIGH_MASK,
  PS_DATA_SATURATED,
  PS_LED_CURRENT_50MA,
  PS_LED_DUTY_100,
  PS_LED_PULSE_30KHZ,
  PS_MEAS_RATE_CODES,
  STATUS_ALS_DATA_INVALID,
  STATUS_ALS_GAIN_MASK,
  STATUS_ALS_GAIN_SHIFT,
  STATUS_ALS_NEW_DATA,
  WAKEUP_FROM_STANDBY_MS,
  alsGainFromCode,
  type AlsGain,
  type AlsIntegrationTimeMs,
  type AlsMeasurementRateMs,
} from './registers.js';

export interface Ltr559Options {
  bus: I2cBus;
  /** Fixed at 0x23 on the chip; settable for muxed buses. */
  address?: number;
  clock: Clock;
  /** ALS gain; default 4 (pimoroni's default: 0.25 lux … 16k lux). */
  gain?: AlsGain;
  /**
   * Default 100 ms (the chip's power-on value) rather than pimoroni's 50 ms: twice the
   * resolution, and a whole number of 50 Hz and 60 Hz flicker periods.
   */
  integrationTimeMs?: AlsIntegrationTimeMs;
  /** ALS repeat rate, ≥ integration time; default the fastest the integration time allows, so every poll finds a fresh conversion. */
  measurementRateMs?: AlsMeasurementRateMs;
  /** Also run the proximity sensor (IR LED pulses); default true. */
  proximity?: boolean;
  /** A reading older than this makes read() fail instead of repeating it; default max(2 s, 10 periods). */
  maxStaleMs?: number;
}

export interface Ltr559Measurement {
  /** Illuminance; a lower bound when `saturated`. */
  lux: number;
  /** Raw channel 0 (visible + IR) and channel 1 (IR) counts. */
  ch0: number;
  ch1: number;
  /** Light beyond the chip's range: a channel at full scale (0xFFFF), or the chip marked the data invalid (status bit 7). */
  saturated: boolean;
  /** False when the chip had no new valid conversion and this repeats the previous one. */
  fresh: boolean;
  /** Raw PS counts 0..2047, higher = closer; present when proximity is enabled. */
  proximity?: number;
  proximitySaturated?: boolean;
}

/** The shortest ALS repeat rate that is not shorter than the integration time. */
function fastestRateFor(integrationTimeMs: number): AlsMeasurementRateMs {
  const rates = Object.keys(ALS_MEASUREMENT_RATE_CODES)
    .map(Number)
    .sort((a, b) => a - b) as AlsMeasurementRateMs[];
  return rates.find((rate) => rate >= integrationTimeMs) ?? rates.at(-1)!;
}

type AlsValues = Pick<Ltr559Measurement, 'lux' | 'ch0' | 'ch1' | 'saturated'>;

const RESET_POLLS = 10;
const RESET_POLL_MS = 10;
/** PS LED as pimoroni configures it: 50 mA peak, 100 % duty, 30 kHz, one pulse. */
const PS_LED_SETTING = PS_LED_PULSE_30KHZ | PS_LED_DUTY_100 | PS_LED_CURRENT_50MA;
const PS_PULSES = 1;
const PS_RATE_MS = 100;

/**
 * LTR-559 ambient light + proximity driver.
 *
 * read() costs two I²C transactions: ALS_PS_STATUS with PS_DATA in one burst (0x8C..0x8E; the
 * status byte goes out first, so it is the state before PS_DATA is read), then, only when the
 * status shows new valid ALS data, CH1+CH0 in one burst from 0x88 (CH1 first as the datasheet
 * requires; the chip locks the four bytes until 0x8B is read).
 *
 * Status handling: no new data, or a reserved data-gain code → the previous reading is returned
 * with `fresh: false`; if there is none yet, or it is older than `maxStaleMs`, read() rejects
 * with SensorError. Bit 7 ("ALS data invalid") does not stop a reading: the chip sets it in light
 * beyond its range (as the related LTR-329 does in bright sun), and Pimoroni's library never
 * looks at it (ltr559/__init__.py `update_sensor`: new data → lux); we compute lux too and flag
 * the reading `saturated`, so bright sun is a lower-bound value, not a sensor error. (This driver
 * sets the gain only in init(), before the first conversion, so the other cause of the bit, data
 * from before a gain change, cannot occur.) Lux uses the gain the status says the data was
 * measured with, not the configured one.
 */
export class Ltr559 implements SensorDriver<Ltr559Measurement> {
  readonly name = 'ltr559';
  private readonly bus: I2cBus;
  private readonly clock: Clock;
  private readonly address: number;
  private readonly gain: AlsGain;
  private readonly integrationTimeMs: AlsIntegrationTimeMs;
  private readonly measurementRateMs: AlsMeasurementRateMs;
  private readonly proximity: boolean;
  private readonly maxStaleMs: number;
  private last: { values: AlsValues; at: number } | undefined;

  /** Validates the options (no I/O); throws RangeError rather than letting the chip adjust them. */
  constructor(options: Ltr559Options) {
    this.bus = options.bus;
    this.clock = options.clock;
    this.address = options.address ?? LTR559_ADDRESS;
    this.gain = options.gain ?? 4;
    this.integrationTimeMs = options.integrationTimeMs ?? 100;
    this.measurementRateMs = options.measurementRateMs ?? fastestRateFor(this.integrationTimeMs);
    this.proximity = options.proximity ?? true;
    this.maxStaleMs = options.maxStaleMs ?? Math.max(2000, 10 * this.measurementRateMs);
    const problems: string[] = [];
    if (!(this.gain in ALS_GAIN_CODES)) problems.push(`gain ${this.gain} is not one of 1, 2, 4, 8, 48, 96`);
    if (!(this.integrationTimeMs in ALS_INTEGRATION_CODES)) problems.push(`integration time ${this.integrationTimeMs} ms is not one of 50, 100, …, 400`);
    if (!(this.measurementRateMs in ALS_MEASUREMENT_RATE_CODES))
      problems.push(`measurement rate ${this.measurementRateMs} ms is not one of 50, 100, 200, 500, 1000, 2000`);
    else if (this.measurementRateMs < this.integrationTimeMs)
      problems.push(`measurement rate ${this.measurementRateMs} ms is shorter than the integration time ${this.integrationTimeMs} ms`);
    if (problems.length > 0) throw new RangeError(`ltr559: ${problems.join('; ')}`);
  }

  async init(): Promise<void> {
    this.last = undefined; // a value from before a failure or reset is not repeated as current
    const ids = await this.bus.readBlock(this.address, R.PART_ID, 2); // PART_ID, MANUFAC_ID
    const partId = ids[0] ?? 0;
    const manufacturerId = ids[1] ?? 0;
    if (partId !== LTR559_PART_ID || manufacturerId !== LTR559_MANUFACTURER_ID) {
      throw new SensorError(
        `${this.where()}: part id ${hex(partId)}, manufacturer id ${hex(manufacturerId)}; ` +
          `expected ${hex(LTR559_PART_ID)}, ${hex(LTR559_MANUFACTURER_ID)} for an LTR-559`,
      );
    }
    await this.bus.writeByte(this.address, R.ALS_CONTR, ALS_CONTR_SW_RESET);
    await this.waitForReset();

    if (this.proximity) {
      await this.bus.writeByte(this.address, R.PS_LED, PS_LED_SETTING);
      await this.bus.writeByte(this.address, R.PS_N_PULSES, PS_PULSES);
      await this.bus.writeByte(this.address, R.PS_MEAS_RATE, PS_MEAS_RATE_CODES[PS_RATE_MS]);
      await this.bus.writeByte(this.address, R.PS_CONTR, PS_CONTR_MODE_ACTIVE | PS_CONTR_SATURATION_INDICATOR);
    }
    const measRate = (ALS_INTEGRATION_CODES[this.integrationTimeMs] << ALS_MEAS_RATE_INTEGRATION_SHIFT) | ALS_MEASUREMENT_RATE_CODES[this.measurementRateMs];
    await this.bus.writeByte(this.address, R.ALS_MEAS_RATE, measRate);
    // Rates first, then active: the first conversion already runs with them.
    await this.bus.writeByte(this.address, R.ALS_CONTR, (ALS_GAIN_CODES[this.gain] << ALS_CONTR_GAIN_SHIFT) | ALS_CONTR_MODE_ACTIVE);
    await this.clock.sleep(WAKEUP_FROM_STANDBY_MS + this.integrationTimeMs);
    await this.waitForFirstConversion();
  }

  async read(): Promise<Ltr559Measurement> {
    let status: number;
    let ps: Pick<Ltr559Measurement, 'proximity' | 'proximitySaturated'> = {};
    if (this.proximity) {
      const bytes = await this.bus.readBlock(this.address, R.ALS_PS_STATUS, 3); // status, PS low, PS high
      status = bytes[0] ?? 0;
      const high = bytes[2] ?? 0;
      ps = { proximity: (bytes[1] ?? 0) | ((high & PS_DATA_HIGH_MASK) << 8), proximitySaturated: (high & PS_DATA_SATURATED) !== 0 };
    } else {
      status = await this.bus.readByte(this.address, R.ALS_PS_STATUS);
    }

    const dataGain = alsGainFromCode((status & STATUS_ALS_GAIN_MASK) >> STATUS_ALS_GAIN_SHIFT);
    if (dataGain !== undefined && status & STATUS_ALS_NEW_DATA) {
      const data = await this.bus.readBlock(this.address, R.ALS_DATA_CH1_0, 4);
      const ch1 = (data[0] ?? 0) | ((data[1] ?? 0) << 8);
      const ch0 = (data[2] ?? 0) | ((data[3] ?? 0) << 8);
      const lux = computeLux({ ch0, ch1, gain: dataGain, integrationTimeMs: this.integrationTimeMs });
      const saturated = isAlsSaturated(ch0, ch1) || (status & STATUS_ALS_DATA_INVALID) !== 0;
      this.last = { values: { lux, ch0, ch1, saturated }, at: this.clock.monotonic() };
      return { ...this.last.values, fresh: true, ...ps };
    }

    const why = dataGain === undefined ? `reserved ALS data gain (status ${hex(status)})` : 'no new ALS data';
    if (!this.last) throw new SensorError(`${this.where()}: ${why} and no earlier reading`);
    const age = this.clock.monotonic() - this.last.at;
    if (age > this.maxStaleMs) throw new SensorError(`${this.where()}: ${why} for ${age} ms`);
    return { ...this.last.values, fresh: false, ...ps };
  }

  /** The reset bit self-clears when the chip is done; bounded so a stuck chip fails init(). */
  private async waitForReset(): Promise<void> {
    for (let poll = 0; poll < RESET_POLLS; poll++) {
      if (!((await this.bus.readByte(this.address, R.ALS_CONTR)) & ALS_CONTR_SW_RESET)) return;
      await this.clock.sleep(RESET_POLL_MS);
    }
    throw new SensorError(`${this.where()}: software reset not finished after ${RESET_POLLS * RESET_POLL_MS} ms`);
  }

  /** So the first read() has data; polls the status only (that does not clear new-data). */
  private async waitForFirstConversion(): Promise<void> {
    const period = Math.max(this.measurementRateMs, this.integrationTimeMs);
    const deadline = this.clock.monotonic() + period + 100;
    const pollMs = Math.min(period, 50);
    for (;;) {
      if ((await this.bus.readByte(this.address, R.ALS_PS_STATUS)) & STATUS_ALS_NEW_DATA) return;
      if (this.clock.monotonic() >= deadline) break;
      await this.clock.sleep(pollMs);
    }
    throw new SensorError(`${this.where()}: no ALS conversion within ${period + 100} ms of activation`);
  }

  private where(): string {
    return `LTR-559 at ${hex(this.address)}`;
  }
}
