import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { EmulatedI2cBus } from '../../../../src/agent/i2c/emulated-bus.js';
import { Bme280, FORUM_BME280_DUMP } from '../../../../src/agent/sensors/bme280/index.js';
import { FixedRegisters } from '../../../helpers/fixed-registers.js';

/**
 * The driver against the registers of a real chip as posted (Bosch Sensortec community forum,
 * "BME280 Data to test Calculations", 2019), not against our emulator: the emulator encodes
 * ADC values with the same bit layout the driver decodes, so an error shared by both would
 * cancel out there, but not here.
 */
function chipRegisters(): Record<number, number> {
  const regs: Record<number, number> = {
    0xd0: 0x60, // chip id: BME280
    0xf3: 0x00, // status: not measuring, NVM copy done
  };
  FORUM_BME280_DUMP.block88.forEach((byte, i) => (regs[0x88 + i] = byte));
  FORUM_BME280_DUMP.blockE1!.forEach((byte, i) => (regs[0xe1 + i] = byte));
  // The post's burst 0xF7..0xFE: press 55 33 80 | temp 81 7F B0 | hum 79 13
  [0x55, 0x33, 0x80, 0x81, 0x7f, 0xb0, 0x79, 0x13].forEach((byte, i) => (regs[0xf7 + i] = byte));
  return regs;
}

describe('BME280 driver on fixed real-chip bytes', () => {
  it('decodes the burst and compensates to the poster’s values', async () => {
    const bus = new EmulatedI2cBus(1);
    bus.attach(0x76, new FixedRegisters(chipRegisters()));
    const driver = new Bme280({ bus, clock: new ManualClock() });
    await driver.init();
    const m = await driver.read();
    // adc_P = 0x55338 = 348984, adc_T = 0x817FB = 530427, adc_H = 0x7913 = 30995
    expect(m.raw).toEqual({ adcP: 348_984, adcT: 530_427, adcH: 30_995 });
    expect(m.temperatureC).toBeCloseTo(24.44, 2); // the post: 24.44 °C
    expect(m.humidityRH).toBeCloseTo(54.17, 2); // the post: 54.17 %RH
    expect(m.pressurePa! / 100).toBeCloseTo(996.21, 2); // Bosch's formulas (double and integer) on these bytes
  });
});
