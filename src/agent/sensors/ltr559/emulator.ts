import type { Clock } from '../../../common/clock.js';
import type { I2cDeviceEmulator } from '../../i2c/emulated-bus.js';
import { isAlsSaturated, luxToCounts } from './lux.js';
import {
  ALS_CONTR_GAIN_MASK,
  ALS_CONTR_GAIN_SHIFT,
  ALS_CONTR_MODE_ACTIVE,
  ALS_CONTR_SW_RESET,
  LTR559_MANUFACTURER_ID,
  LTR559_PART_ID,
  Ltr559Register as R,
  PS_CONTR_SATURATION_INDICATOR,
  PS_DATA_HIGH_MASK,
  PS_DATA_SATURATED,
  PS_MAX,
  STATUS_ALS_DATA_INVALID,
  STATUS_ALS_GAIN_SHIFT,
  STATUS_ALS_INTERRUPT,
  STATUS_ALS_NEW_DATA,
  STATUS_PS_INTERRUPT,
  STATUS_PS_NEW_DATA,
  WAKEUP_FROM_STANDBY_MS,
  alsGainFromCode,
  integrationTimeFromCode,
  measurementRateFromCode,
  psMeasurementRateFromCode,
} from './registers.js';

/** The light and target the emulated chip sees. */
export interface Ltr559Conditions {
  lux: number;
  /** ch1 / (ch0 + ch1); 0.3 by default, an assumption for fluorescent/LED office light. */
  ch1Ratio: number;
  /** Raw PS counts 0..2047; higher is closer. */
  proximity: number;
  /** Sets the PS saturation flag (when the driver enabled the indicator), e.g. strong sunlight. */
  proximitySaturated: boolean;
}

/** Chip faults; bus faults (NACK, EIO, unplugged) belong to EmulatedI2cBus. */
export interface Ltr559Faults {
  /** PART_ID / MANUFAC_ID read back as these instead (another chip at 0x23). */
  partId?: number;
  manufacturerId?: number;
  /** Conversions stop: no new data ever appears (a hung or silently reset chip). */
  noNewData?: boolean;
  /** The SW reset bit never self-clears. */
  resetStuck?: boolean;
}

/**
 * Power-on values. Thresholds: datasheet p. 25/40 and 28/40; ALS_MEAS_RATE 0x03 (100 ms / 500 ms)
 * agrees with Linux ltr501.c's 500 ms default period. PS_LED 0x7F, PS_MEAS_RATE 0x02 and
 * INTERRUPT 0x08 are the datasheet table's values as recalled, not re-checked; drivers overwrite them.
 */
const DEFAULTS: ReadonlyArray<readonly [number, number]> = [
  [R.ALS_CONTR, 0x00],
  [R.PS_CONTR, 0x00],
  [R.PS_LED, 0x7f],
  [R.PS_N_PULSES, 0x01],
  [R.PS_MEAS_RATE, 0x02],
  [R.ALS_MEAS_RATE, 0x03],
  [R.INTERRUPT, 0x08],
  [R.PS_THRES_UP_0, 0xff],
  [R.PS_THRES_UP_1, 0x07],
  [R.ALS_THRES_UP_0, 0xff],
  [R.ALS_THRES_UP_1, 0xff],
];

/** Writable bits per register; read-only registers (ids, data, status) are absent. */
const WRITABLE: Readonly<Record<number, number>> = {
  [R.ALS_CONTR]: 0x1f,
  [R.PS_CONTR]: 0x23,
  [R.PS_LED]: 0xff,
  [R.PS_N_PULSES]: 0x0f,
  [R.PS_MEAS_RATE]: 0x0f,
  [R.ALS_MEAS_RATE]: 0x3f,
  [R.INTERRUPT]: 0x07,
  [R.PS_THRES_UP_0]: 0xff,
  [R.PS_THRES_UP_1]: 0x07,
  [R.PS_THRES_LOW_0]: 0xff,
  [R.PS_THRES_LOW_1]: 0x07,
  [R.PS_OFFSET_1]: 0x03,
  [R.PS_OFFSET_0]: 0xff,
  [R.ALS_THRES_UP_0]: 0xff,
  [R.ALS_THRES_UP_1]: 0xff,
  [R.ALS_THRES_LOW_0]: 0xff,
  [R.ALS_THRES_LOW_1]: 0xff,
  [R.INTERRUPT_PERSIST]: 0xff,
};

/**
 * Register model of the LTR-559. Time comes from the injected clock: once ALS is active, the
 * first conversion completes after wake-up + integration time and then one per repeat period
 * (the chip stretches a repeat rate shorter than the integration time to it). Each conversion
 * sets ALS new-data and the data gain in ALS_PS_STATUS; reading the data clears new-data.
 * Reading 0x88–0x8A locks the four data registers until 0x8B has been read, and a conversion
 * finishing meanwhile waits in a shadow copy (datasheet p. 20/40); PS_DATA locks the same way.
 * A gain change marks the data invalid until the next conversion; so does light beyond the range,
 * with the counts clipped at 0xFFFF. Interrupts are not modelled.
 */
export class Ltr559Emulator implements I2cDeviceEmulator {
  private readonly regs = new Uint8Array(256);
  private conditions: Ltr559Conditions = { lux: 0, ch1Ratio: 0.3, proximity: 0, proximitySaturated: false };
  private faults: Ltr559Faults = {};
  private nextAlsAt: number | undefined;
  private nextPsAt: number | undefined;
  private alsLocked = false;
  private psLocked = false;
  private pendingAls: Uint8Array | undefined;
  private pendingPs: Uint8Array | undefined;

  private readonly clock: Clock;

  constructor(options: { clock: Clock; conditions?: Partial<Ltr559Conditions> }) {
    this.clock = options.clock;
    this.powerOn();
    this.setConditions(options.conditions ?? {});
  }

  setConditions(conditions: Partial<Ltr559Conditions>): void {
    const next = { ...this.conditions, ...conditions };
    luxToCounts({ lux: next.lux, ch1Ratio: next.ch1Ratio, gain: 1, integrationTimeMs: 100 }); // validates
    if (!Number.isInteger(next.proximity) || next.proximity < 0 || next.proximity > PS_MAX) {
      throw new RangeError(`proximity must be an integer 0..${PS_MAX}, got ${next.proximity}`);
    }
    this.conditions = next;
  }

  /** Replaces the injected chip faults; `setFaults({})` clears them. */
  setFaults(faults: Ltr559Faults): void {
    this.faults = { ...faults };
  }

  /** A register's current value for tests, without a read's side effects (locks, clearing new-data). */
  peek(register: number): number {
    this.update();
    return this.readValue(register);
  }

  read(register: number, length: number): Uint8Array {
    this.update();
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const reg = (register + i) & 0xff; // auto-increment
      out[i] = this.readValue(reg);
      this.afterRead(reg);
    }
    return out;
  }

  write(register: number, data: Uint8Array): void {
    this.update();
    data.forEach((value, i) => this.writeValue((register + i) & 0xff, value));
  }

  private powerOn(): void {
    this.regs.fill(0);
    for (const [reg, value] of DEFAULTS) this.regs[reg] = value;
    this.nextAlsAt = this.nextPsAt = undefined;
    this.alsLocked = this.psLocked = false;
    this.pendingAls = this.pendingPs = undefined;
  }

  private readValue(reg: number): number {
    if (reg === R.PART_ID) return this.faults.partId ?? LTR559_PART_ID;
    if (reg === R.MANUFAC_ID) return this.faults.manufacturerId ?? LTR559_MANUFACTURER_ID;
    return this.regs[reg] ?? 0;
  }

  private afterRead(reg: number): void {
    if (reg >= R.ALS_DATA_CH1_0 && reg < R.ALS_DATA_CH0_1) this.alsLocked = true;
    if (reg === R.ALS_DATA_CH0_1) {
      this.alsLocked = false;
      this.regs[R.ALS_PS_STATUS] = this.status() & ~STATUS_ALS_NEW_DATA;
      if (this.pendingAls) this.storeAls(this.pendingAls);
    }
    if (reg === R.PS_DATA_0) this.psLocked = true;
    if (reg === R.PS_DATA_1) {
      this.psLocked = false;
      this.regs[R.ALS_PS_STATUS] = this.status() & ~STATUS_PS_NEW_DATA;
      if (this.pendingPs) this.storePs(this.pendingPs);
    }
  }

  private writeValue(reg: number, value: number): void {
    const mask = WRITABLE[reg];
    if (mask === undefined) return; // read-only or unmapped: ignored like the chip does
    if (reg === R.ALS_CONTR) return this.writeAlsContr(value & mask);
    if (reg === R.PS_CONTR) {
      const wasActive = this.psActive();
      this.regs[reg] = value & mask;
      if (!this.psActive()) this.nextPsAt = undefined;
      else if (!wasActive) this.nextPsAt = this.clock.now() + WAKEUP_FROM_STANDBY_MS;
      return;
    }
    this.regs[reg] = value & mask;
  }

  private writeAlsContr(value: number): void {
    if (value & ALS_CONTR_SW_RESET) {
      if (this.faults.resetStuck) this.regs[R.ALS_CONTR] = value;
      else this.powerOn(); // the reset bit reads back 0 at once
      return;
    }
    const before = this.regs[R.ALS_CONTR] ?? 0;
    this.regs[R.ALS_CONTR] = value;
    if (!(value & ALS_CONTR_MODE_ACTIVE)) this.nextAlsAt = undefined;
    else if (!(before & ALS_CONTR_MODE_ACTIVE)) this.nextAlsAt = this.clock.now() + WAKEUP_FROM_STANDBY_MS + this.integrationMs();
    if ((before ^ value) & ALS_CONTR_GAIN_MASK) this.regs[R.ALS_PS_STATUS] = this.status() | STATUS_ALS_DATA_INVALID;
  }

  /** Runs the conversions that finished since the last access; only the newest one matters. */
  private update(): void {
    const now = this.clock.now();
    if (this.nextAlsAt !== undefined && now >= this.nextAlsAt) {
      const period = Math.max(this.integrationMs(), measurementRateFromCode(this.regs[R.ALS_MEAS_RATE] ?? 0));
      this.nextAlsAt += (Math.floor((now - this.nextAlsAt) / period) + 1) * period;
      if (!this.faults.noNewData) this.convertAls();
    }
    if (this.nextPsAt !== undefined && now >= this.nextPsAt) {
      const period = psMeasurementRateFromCode(this.regs[R.PS_MEAS_RATE] ?? 0);
      this.nextPsAt += (Math.floor((now - this.nextPsAt) / period) + 1) * period;
      if (!this.faults.noNewData) this.convertPs();
    }
  }

  private convertAls(): void {
    const gainCode = ((this.regs[R.ALS_CONTR] ?? 0) & ALS_CONTR_GAIN_MASK) >> ALS_CONTR_GAIN_SHIFT;
    const { ch0, ch1 } = luxToCounts({
      lux: this.conditions.lux,
      ch1Ratio: this.conditions.ch1Ratio,
      gain: alsGainFromCode(gainCode) ?? 1, // reserved codes: the chip's behaviour is undefined
      integrationTimeMs: this.integrationMs(),
    });
    // Light beyond the range clips the counts at full scale and marks the data invalid (bit 7), as
    // the related LTR-329 does in bright sun; the LTR-559's datasheet does not say, so assumed.
    const invalid = isAlsSaturated(ch0, ch1) ? STATUS_ALS_DATA_INVALID : 0;
    // Bytes 0..3 are the data registers, byte 4 the status fields the conversion updates.
    const result = Uint8Array.of(ch1 & 0xff, ch1 >> 8, ch0 & 0xff, ch0 >> 8, invalid | (gainCode << STATUS_ALS_GAIN_SHIFT));
    if (this.alsLocked) this.pendingAls = result;
    else this.storeAls(result);
  }

  private storeAls(result: Uint8Array): void {
    this.regs.set(result.subarray(0, 4), R.ALS_DATA_CH1_0);
    // A conversion rewrites invalid + gain + ALS new data and leaves the other bits alone.
    const keep = this.status() & (STATUS_PS_NEW_DATA | STATUS_ALS_INTERRUPT | STATUS_PS_INTERRUPT);
    this.regs[R.ALS_PS_STATUS] = keep | (result[4] ?? 0) | STATUS_ALS_NEW_DATA;
    this.pendingAls = undefined;
  }

  private convertPs(): void {
    const { proximity, proximitySaturated } = this.conditions;
    const indicator = ((this.regs[R.PS_CONTR] ?? 0) & PS_CONTR_SATURATION_INDICATOR) !== 0;
    const high = ((proximity >> 8) & PS_DATA_HIGH_MASK) | (indicator && proximitySaturated ? PS_DATA_SATURATED : 0);
    const result = Uint8Array.of(proximity & 0xff, high);
    if (this.psLocked) this.pendingPs = result;
    else this.storePs(result);
  }

  private storePs(result: Uint8Array): void {
    this.regs.set(result, R.PS_DATA_0);
    this.regs[R.ALS_PS_STATUS] = this.status() | STATUS_PS_NEW_DATA;
    this.pendingPs = undefined;
  }

  private status(): number {
    return this.regs[R.ALS_PS_STATUS] ?? 0;
  }

  private integrationMs(): number {
    return integrationTimeFromCode((this.regs[R.ALS_MEAS_RATE] ?? 0) >> 3);
  }

  private psActive(): boolean {
    return ((this.regs[R.PS_CONTR] ?? 0) & 0x02) !== 0; // PS mode 10 or 11
  }
}
