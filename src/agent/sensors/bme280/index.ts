export { parseCalibration } from './calibration.js';
export type { Bme280Calibration, Bme280HumidityCalibration } from './calibration.js';
export {
  compensate,
  compensateTemperature,
  compensatePressure,
  compensateHumidity,
  TEMPERATURE_RANGE_C,
  PRESSURE_RANGE_PA,
  HUMIDITY_RANGE_RH,
} from './compensation.js';
export type { Bme280RawReading, Bme280Compensated } from './compensation.js';
export { Bme280 } from './bme280.js';
export type { Bme280Options, Bme280Measurement } from './bme280.js';
export { Bme280Emulator, FORUM_BME280_DUMP, STRATUX_BMP280_DUMP } from './emulator.js';
export type { Bme280Conditions, Bme280Faults, Bme280Dump } from './emulator.js';
export * from './registers.js';
