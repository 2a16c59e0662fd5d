/**
 * BME280 / BMP280 register map. Section numbers ("§5.4.3") are to the Bosch BME280 datasheet
 * BST-BME280-DS002 (rev. 1.6+); the BMP280 shares the layout (BME280 §5.2, "register
 * compatibility to BMP280") minus humidity. Values cross-checked against Bosch's
 * BME280_SensorAPI (bme280_defs.h) and the BMP280 datasheet BST-BMP280-DS001.
 */

export type Bme280Model = 'BME280' | 'BMP280';

/** 7-bit addresses (§6.2): SDO to GND → 0x76, SDO to VDDIO → 0x77. Probed in this order. */
export const BME280_ADDRESS_PRIMARY = 0x76;
export const BME280_ADDRESS_SECONDARY = 0x77;

/** Chip ids in register 0xD0 (§5.4.1; BMP280 datasheet §4.3.1). */
export const BME280_CHIP_ID = 0x60;
export const BMP280_CHIP_ID = 0x58;
/**
 * BMP280 engineering samples report 0x56 or 0x57 (Bosch BMP280_driver BMP280_CHIP_ID1/2;
 * also accepted by the npm package bme280-sensor). The mainline Linux driver accepts 0x58 only.
 */
export const BMP280_SAMPLE_CHIP_IDS: readonly number[] = [0x56, 0x57];

export const Bme280Register = {
  /** calib00..calib25: dig_T1..dig_P9 little endian, 0xA0 unused, 0xA1 dig_H1 (§4.2.2 Table 16). */
  CALIB00: 0x88,
  CALIB_H1: 0xa1,
  CHIP_ID: 0xd0,
  /** Write 0xB6 for a power-on reset; reads 0x00 (§5.4.2). */
  RESET: 0xe0,
  /** calib26..calib32: dig_H2..dig_H6, with H4/H5 sharing 0xE5 (§4.2.2 Table 16). */
  CALIB26: 0xe1,
  /** osrs_h bits 2:0; takes effect only after the next write to CTRL_MEAS (§5.4.3). */
  CTRL_HUM: 0xf2,
  /** Bit 3 measuring, bit 0 im_update (NVM copy running) (§5.4.4). */
  STATUS: 0xf3,
  /** osrs_t bits 7:5, osrs_p bits 4:2, mode bits 1:0 (§5.4.5). */
  CTRL_MEAS: 0xf4,
  /** t_sb bits 7:5, filter bits 4:2, spi3w_en bit 0; writes in normal mode may be ignored (§5.4.6). */
  CONFIG: 0xf5,
  /** press_msb, lsb, xlsb[7:4]; then temp (0xFA..0xFC); then hum_msb, lsb (0xFD, 0xFE) (§5.4.7–5.4.9). */
  PRESS_MSB: 0xf7,
  TEMP_MSB: 0xfa,
  HUM_MSB: 0xfd,
  HUM_LSB: 0xfe,
} as const;

export const CALIB_BLOCK_88_LENGTH = 26; // 0x88..0xA1
export const CALIB_BLOCK_E1_LENGTH = 7; // 0xE1..0xE7
/** One burst 0xF7..0xFE; the chip shadows the data registers during a burst (§4.1). */
export const DATA_LENGTH_BME280 = 8;
/** 0xF7..0xFC: a BMP280 has no humidity registers. */
export const DATA_LENGTH_BMP280 = 6;

export const SOFT_RESET_COMMAND = 0xb6;
export const STATUS_MEASURING = 0x08;
export const STATUS_IM_UPDATE = 0x01;
/** Start-up time after power-on or soft reset (§1 Table 1, t_startup 2 ms). */
export const STARTUP_MS = 2;

/** Data register values of a skipped (osrs = 0) measurement, also their reset values (§4, §5.4.7–9). */
export const SKIPPED_TEMPERATURE_PRESSURE = 0x80000;
export const SKIPPED_HUMIDITY = 0x8000;

export type Oversampling = 0 | 1 | 2 | 4 | 8 | 16;
/** osrs_x field codes (§5.4.3, §5.4.5 Tables 20, 23, 24); 0 skips the measurement. */
export const OVERSAMPLING_CODES: Readonly<Record<Oversampling, number>> = { 0: 0, 1: 1, 2: 2, 4: 3, 8: 4, 16: 5 };
/** Codes 101, 110 and 111 all mean x16. */
export function oversamplingFromCode(code: number): Oversampling {
  const value = [0, 1, 2, 4, 8, 16][code & 0x07] ?? 16;
  return value as Oversampling;
}

/** mode field (§5.4.5 Table 25): 01 and 10 both mean forced. */
export const MODE_SLEEP = 0b00;
export const MODE_FORCED = 0b01;
export const MODE_NORMAL = 0b11;
export const MODE_MASK = 0b11;

export type FilterCoefficient = 0 | 2 | 4 | 8 | 16;
/** IIR filter field (§5.4.6 Table 28, §3.4.4); codes 101..111 mean 16. */
export const FILTER_CODES: Readonly<Record<FilterCoefficient, number>> = { 0: 0, 2: 1, 4: 2, 8: 3, 16: 4 };
export function filterFromCode(code: number): FilterCoefficient {
  return ([0, 2, 4, 8, 16][code & 0x07] ?? 16) as FilterCoefficient;
}

/** t_sb in ms by code (§5.4.6 Table 27). The two chips differ in codes 110 and 111. */
export const STANDBY_MS_BY_CODE = {
  BME280: [0.5, 62.5, 125, 250, 500, 1000, 10, 20],
  BMP280: [0.5, 62.5, 125, 250, 500, 1000, 2000, 4000],
} as const;

export interface OversamplingSettings {
  temperature: Oversampling;
  pressure: Oversampling;
  humidity: Oversampling;
}

/**
 * Duration of one measurement (§9.1): 1 + 2·osrs_t + (2·osrs_p + 0.5) + (2·osrs_h + 0.5) ms
 * typical, 1.25 + 2.3·osrs_t + (2.3·osrs_p + 0.575) + (2.3·osrs_h + 0.575) ms maximum; a
 * bracketed term only when that channel is enabled. Pass humidity 0 for a BMP280.
 */
export function measurementTimeMs(osrs: OversamplingSettings, which: 'typical' | 'max'): number {
  const [base, perSample, offset] = which === 'max' ? [1.25, 2.3, 0.575] : [1, 2, 0.5];
  let time = base;
  if (osrs.temperature) time += perSample * osrs.temperature;
  if (osrs.pressure) time += perSample * osrs.pressure + offset;
  if (osrs.humidity) time += perSample * osrs.humidity + offset;
  return time;
}
