import { CALIB_BLOCK_88_LENGTH, CALIB_BLOCK_E1_LENGTH } from './registers.js';

/** Humidity trimming values; a BMP280 has none. */
export interface Bme280HumidityCalibration {
  readonly digH1: number; // u8 at 0xA1
  readonly digH2: number; // s16
  readonly digH3: number; // u8
  readonly digH4: number; // s12 (sign-extended to s16)
  readonly digH5: number; // s12
  readonly digH6: number; // s8
}

/** Factory trimming values (§4.2.2 Table 16), named as the datasheet names them. */
export interface Bme280Calibration {
  readonly digT1: number; // u16
  readonly digT2: number; // s16
  readonly digT3: number; // s16
  readonly digP1: number; // u16
  readonly digP2: number; // s16
  readonly digP3: number;
  readonly digP4: number;
  readonly digP5: number;
  readonly digP6: number;
  readonly digP7: number;
  readonly digP8: number;
  readonly digP9: number;
  /** Undefined for a BMP280, whose 0xE1..0xE7 block does not exist. */
  readonly humidity: Bme280HumidityCalibration | undefined;
}

/**
 * Decodes the trimming blocks as Bosch's BME280_SensorAPI does (bme280.c
 * parse_temp_press_calib_data / parse_humidity_calib_data). The traps are all in the humidity
 * block: H4 and H5 are 12-bit signed values packed around the shared nibble register 0xE5
 * (H4 = E4[7:0]·16 | E5[3:0], H5 = E6[7:0]·16 | E5[7:4]) whose sign comes from E4/E6 as int8,
 * H2 is signed and H6 is int8. Decoding any of them unsigned turns a negative value into a huge
 * positive one.
 *
 * @param block88 the 26 bytes read from 0x88 (0x88..0xA1)
 * @param blockE1 the 7 bytes read from 0xE1 (0xE1..0xE7); omit for a BMP280
 */
export function parseCalibration(block88: Uint8Array, blockE1?: Uint8Array): Bme280Calibration {
  if (block88.length !== CALIB_BLOCK_88_LENGTH) {
    throw new RangeError(`calibration block 0x88..0xA1 must be ${CALIB_BLOCK_88_LENGTH} bytes, got ${block88.length}`);
  }
  if (blockE1 !== undefined && blockE1.length !== CALIB_BLOCK_E1_LENGTH) {
    throw new RangeError(`calibration block 0xE1..0xE7 must be ${CALIB_BLOCK_E1_LENGTH} bytes, got ${blockE1.length}`);
  }
  const view = new DataView(block88.buffer, block88.byteOffset, block88.byteLength);
  const u16 = (offset: number) => view.getUint16(offset, true);
  const s16 = (offset: number) => view.getInt16(offset, true);
  return {
    digT1: u16(0),
    digT2: s16(2),
    digT3: s16(4),
    digP1: u16(6),
    digP2: s16(8),
    digP3: s16(10),
    digP4: s16(12),
    digP5: s16(14),
    digP6: s16(16),
    digP7: s16(18),
    digP8: s16(20),
    digP9: s16(22),
    // byte 24 (0xA0) is unused
    humidity: blockE1 ? parseHumidity(view.getUint8(25), blockE1) : undefined,
  };
}

function parseHumidity(digH1: number, e1: Uint8Array): Bme280HumidityCalibration {
  const byte = (i: number) => e1[i] ?? 0;
  const int8 = (value: number) => (value << 24) >> 24;
  const e5 = byte(4);
  return {
    digH1,
    digH2: int8(byte(1)) * 256 + byte(0),
    digH3: byte(2),
    // (int16)(int8)E4 * 16 | (E5 & 0x0F): the OR only fills the low nibble the ·16 left empty.
    digH4: int8(byte(3)) * 16 + (e5 & 0x0f),
    digH5: int8(byte(5)) * 16 + (e5 >> 4),
    digH6: int8(byte(6)),
  };
}
