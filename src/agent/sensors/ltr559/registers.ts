/**
 * LTR-559ALS-01 register map. Page references ("p. 22/40") are to the Lite-On datasheet
 * DS86-2013-0003 rev. B, register description chapter. Every value is cross-checked against
 * pimoroni/ltr559-python (ltr559/__init__.py v0.1.1), Zephyr
 * drivers/sensor/liteon/ltr55x/ltr55x.h and Linux drivers/iio/light/ltr501.c (ltr559 chip info:
 * gain mask bits 4:2, part number 0x9 in PART_ID bits 7:4).
 */

/** 7-bit slave address, fixed (datasheet p. 11/40, "I²C Slave Address"). */
export const LTR559_ADDRESS = 0x23;

/** PART_ID: part number 0x9 (bits 7:4), revision 0x2 (bits 3:0). Zephyr LTR55X_PART_ID_VALUE. */
export const LTR559_PART_ID = 0x92;
/** MANUFAC_ID: Lite-On. */
export const LTR559_MANUFACTURER_ID = 0x05;

export const Ltr559Register = {
  ALS_CONTR: 0x80,
  PS_CONTR: 0x81,
  PS_LED: 0x82,
  PS_N_PULSES: 0x83,
  PS_MEAS_RATE: 0x84,
  ALS_MEAS_RATE: 0x85,
  PART_ID: 0x86,
  MANUFAC_ID: 0x87,
  /** CH1 (IR) low/high, then CH0 (visible + IR) low/high; little endian (p. 20–21/40). */
  ALS_DATA_CH1_0: 0x88,
  ALS_DATA_CH1_1: 0x89,
  ALS_DATA_CH0_0: 0x8a,
  ALS_DATA_CH0_1: 0x8b,
  ALS_PS_STATUS: 0x8c,
  /** PS data low byte, then high bits 2:0 + saturation flag bit 7 (p. 23/40). */
  PS_DATA_0: 0x8d,
  PS_DATA_1: 0x8e,
  INTERRUPT: 0x8f,
  PS_THRES_UP_0: 0x90,
  PS_THRES_UP_1: 0x91,
  PS_THRES_LOW_0: 0x92,
  PS_THRES_LOW_1: 0x93,
  /** Note the order: OFFSET_1 (bits 9:8) comes first. */
  PS_OFFSET_1: 0x94,
  PS_OFFSET_0: 0x95,
  ALS_THRES_UP_0: 0x97,
  ALS_THRES_UP_1: 0x98,
  ALS_THRES_LOW_0: 0x99,
  ALS_THRES_LOW_1: 0x9a,
  INTERRUPT_PERSIST: 0x9e,
} as const;

// ALS_CONTR (0x80)
export const ALS_CONTR_MODE_ACTIVE = 0x01; // bit 0: 0 standby (power-on default), 1 active
export const ALS_CONTR_SW_RESET = 0x02; // bit 1: write 1 to reset; reads 1 until done
export const ALS_CONTR_GAIN_SHIFT = 2; // bits 4:2
export const ALS_CONTR_GAIN_MASK = 0x1c;

// PS_CONTR (0x81): mode bits 1:0 (00/01 standby, 10/11 active), bit 5 saturation indicator.
export const PS_CONTR_MODE_ACTIVE = 0x03; // as pimoroni writes it; bit 1 is what matters
export const PS_CONTR_SATURATION_INDICATOR = 0x20;

// PS_LED (0x82): pulse frequency bits 7:5, duty cycle bits 4:3, peak current bits 2:0.
export const PS_LED_PULSE_30KHZ = 0b000 << 5;
export const PS_LED_DUTY_100 = 0b11 << 3;
export const PS_LED_CURRENT_50MA = 0b011;

// PS_N_PULSES (0x83): bits 3:0.

/** PS_MEAS_RATE (0x84) bits 3:0, in ms → code (note 10 ms is code 8). */
export const PS_MEAS_RATE_CODES = { 10: 8, 50: 0, 70: 1, 100: 2, 200: 3, 500: 4, 1000: 5, 2000: 6 } as const;

// ALS_MEAS_RATE (0x85): integration time bits 5:3, repeat rate bits 2:0.
export const ALS_MEAS_RATE_INTEGRATION_SHIFT = 3;

export type AlsGain = 1 | 2 | 4 | 8 | 48 | 96;
export type AlsIntegrationTimeMs = 50 | 100 | 150 | 200 | 250 | 300 | 350 | 400;
export type AlsMeasurementRateMs = 50 | 100 | 200 | 500 | 1000 | 2000;

/** ALS gain → ALS_CONTR bits 4:2 code; codes 4 and 5 are reserved ("invalid", p. 22/40). */
export const ALS_GAIN_CODES: Readonly<Record<AlsGain, number>> = { 1: 0, 2: 1, 4: 2, 8: 3, 48: 6, 96: 7 };
/** Integration time → ALS_MEAS_RATE bits 5:3 code; not monotonic, hence the table. */
export const ALS_INTEGRATION_CODES: Readonly<Record<AlsIntegrationTimeMs, number>> = {
  100: 0,
  50: 1,
  200: 2,
  400: 3,
  150: 4,
  250: 5,
  300: 6,
  350: 7,
};
/** Repeat rate → ALS_MEAS_RATE bits 2:0 code; codes 6 and 7 also mean 2000 ms. */
export const ALS_MEASUREMENT_RATE_CODES: Readonly<Record<AlsMeasurementRateMs, number>> = {
  50: 0,
  100: 1,
  200: 2,
  500: 3,
  1000: 4,
  2000: 5,
};

// ALS_PS_STATUS (0x8C), p. 22/40.
export const STATUS_ALS_DATA_INVALID = 0x80; // bit 7: 1 = invalid (pimoroni's name "als_data_valid" is inverted)
export const STATUS_ALS_GAIN_SHIFT = 4; // bits 6:4: gain the data in the registers was measured with
export const STATUS_ALS_GAIN_MASK = 0x70;
export const STATUS_ALS_INTERRUPT = 0x08;
export const STATUS_ALS_NEW_DATA = 0x04; // set by a conversion, cleared when the data is read
export const STATUS_PS_INTERRUPT = 0x02;
export const STATUS_PS_NEW_DATA = 0x01;

// PS_DATA_1 (0x8E)
export const PS_DATA_SATURATED = 0x80;
export const PS_DATA_HIGH_MASK = 0x07; // 11-bit result; bits 6:3 reserved
export const PS_MAX = 0x7ff;

/** ALS channel full scale; a channel at this value is clipped. */
export const ALS_FULL_SCALE = 0xffff;

/** Standby → active wake-up (Zephyr ltr55x.h; LTR553 WAKEUP). */
export const WAKEUP_FROM_STANDBY_MS = 10;

const GAIN_BY_CODE: readonly (AlsGain | undefined)[] = [1, 2, 4, 8, undefined, undefined, 48, 96];
const INTEGRATION_BY_CODE: readonly AlsIntegrationTimeMs[] = [100, 50, 200, 400, 150, 250, 300, 350];
const RATE_BY_CODE: readonly AlsMeasurementRateMs[] = [50, 100, 200, 500, 1000, 2000, 2000, 2000];

/** Inverse of ALS_GAIN_CODES; undefined for the reserved codes 4 and 5. */
export function alsGainFromCode(code: number): AlsGain | undefined {
  return GAIN_BY_CODE[code & 0x07];
}

export function integrationTimeFromCode(code: number): AlsIntegrationTimeMs {
  return INTEGRATION_BY_CODE[code & 0x07] ?? 100;
}

export function measurementRateFromCode(code: number): AlsMeasurementRateMs {
  return RATE_BY_CODE[code & 0x07] ?? 2000;
}

/** PS_MEAS_RATE code → ms, indexed by code; reserved codes (7, 9–15) absent. */
const PS_RATE_BY_CODE: readonly (number | undefined)[] = (() => {
  const table: (number | undefined)[] = Array(16).fill(undefined);
  for (const [ms, code] of Object.entries(PS_MEAS_RATE_CODES)) table[code] = Number(ms);
  return table;
})();

/** PS_MEAS_RATE code → ms. Reserved codes are taken as 2000 ms: an emulator assumption. */
export function psMeasurementRateFromCode(code: number): number {
  return PS_RATE_BY_CODE[code & 0x0f] ?? 2000;
}
