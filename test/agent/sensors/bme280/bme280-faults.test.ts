import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { I2cError, SensorError } from '../../../../src/common/errors.js';
import type { I2cBus } from '../../../../src/agent/i2c/bus.js';
import { Bme280, FORUM_BME280_DUMP, compensateTemperature, parseCalibration } from '../../../../src/agent/sensors/bme280/index.js';
import { setup } from './fixture.js';

describe('Bme280 init: probing and identification', () => {
  it('falls back to 0x77 when nothing answers at 0x76', async () => {
    const { driver, bus } = setup({}, { address: 0x77 });
    await driver.init();
    expect(bus.calls.slice(0, 3)).toEqual([
      ['readByte', 0x76, 0xd0], // NACK
      ['readByte', 0x77, 0xd0],
      ['writeByte', 0x77, 0xe0, 0xb6],
    ]);
    expect(driver.address).toBe(0x77);
    expect((await driver.read()).temperatureC).toBeCloseTo(25, 2);
  });

  it('reports an absent device at both addresses as an I2cError', async () => {
    const { driver, emulated } = setup();
    emulated.setAbsent(0x76, true);
    const error = await driver.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(I2cError);
    expect(error).toMatchObject({ code: 'EREMOTEIO', address: 0x76, register: 0xd0 });
    expect((error as Error).message).toMatch(/^no BME280 at 0x76 or 0x77 \(Remote I\/O error at 0x76 register 0xD0; Remote I\/O error at 0x77/);
  });

  it('does not call a bus that cannot be opened "no BME280", nor probe on', async () => {
    const calls: number[] = [];
    const fail = async (address: number): Promise<never> => {
      calls.push(address);
      throw new I2cError(`ENOENT: no such file or directory, open '/dev/i2c-9'`, 9, address, 0xd0, 'ENOENT');
    };
    const bus: I2cBus = { readByte: fail, writeByte: fail, readBlock: fail, write: fail, close: async () => {} };
    await expect(new Bme280({ bus, clock: new ManualClock() }).init()).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/^ENOENT/) });
    expect(calls).toEqual([0x76]);
  });

  it('probes only the configured address', async () => {
    const { driver, bus } = setup({ address: 0x77 });
    await expect(driver.init()).rejects.toThrow(/Remote I\/O error at 0x77 register 0xD0/);
    expect(bus.calls).toEqual([['readByte', 0x77, 0xd0]]);
  });

  it('rejects another chip, naming its id in hex', async () => {
    const { driver, emulator } = setup();
    emulator.setFaults({ chipId: 0x61 }); // a BME680 answers at 0x76
    await expect(driver.init()).rejects.toThrow(SensorError);
    await expect(driver.init()).rejects.toThrow('chip id 0x61 at 0x76: not a BME280 (0x60) or BMP280 (0x58)');
  });

  it('reads a BMP280 for temperature and pressure only, and says so', async () => {
    const { driver, bus } = setup({}, { model: 'BMP280' });
    await driver.init();
    expect(driver.model).toBe('BMP280');
    expect(bus.calls.some(([, , register]) => register === 0xe1 || register === 0xf2)).toBe(false); // no humidity block, no ctrl_hum
    bus.calls.length = 0;
    const m = await driver.read();
    expect(bus.calls.at(-1)).toEqual(['readBlock', 0x76, 0xf7, 6]); // 0xF7..0xFC
    expect(m).toMatchObject({ model: 'BMP280', humidityRH: undefined, raw: { adcH: undefined } });
    expect(m.temperatureC).toBeCloseTo(25, 2);
    expect(m.pressurePa! / 100).toBeCloseTo(1013.25, 1);
  });

  it('waits for the NVM copy after the reset, and gives up after 10 ms', async () => {
    const slow = setup({}, { nvmCopyMs: 5 });
    await slow.driver.init();
    expect(slow.bus.calls.filter(([op, , register]) => op === 'readByte' && register === 0xf3)).toHaveLength(3); // 2, 4, 6 ms
    const stuck = setup({}, { nvmCopyMs: 1000 });
    await expect(stuck.driver.init()).rejects.toThrow(/NVM copy \(status im_update\) not finished 10 ms after soft reset/);
  });
});

// Bus faults and recovery through init(): the SensorDriver contract (../sensor-drivers.test.ts).
describe('Bme280 chip faults', () => {
  it('treats every enabled channel at its skip value as a skipped measurement', async () => {
    const { driver, emulator } = setup();
    await driver.init();
    emulator.setFaults({ skipNextMeasurement: true });
    await expect(driver.read()).rejects.toThrow(/skipped measurement \(temperature 0x80000, pressure 0x80000, humidity 0x08000/);
    expect((await driver.read()).temperatureC).toBeCloseTo(25, 2); // the next conversion is fine
  });

  it('accepts 0x80000 as a genuine reading when the chip still holds its configuration', async () => {
    const { driver, emulator, emulated } = setup();
    const cal = parseCalibration(FORUM_BME280_DUMP.block88, FORUM_BME280_DUMP.blockE1);
    const at0x80000 = compensateTemperature(cal, 0x80000).temperatureC; // 22.5 °C for this chip
    expect(at0x80000).toBeCloseTo(22.52, 2);
    await driver.init();
    emulator.setConditions({ temperatureC: at0x80000 });
    emulated.resetTraffic();
    const m = await driver.read();
    expect(m.raw.adcT).toBe(0x80000);
    expect(m.temperatureC).toBeCloseTo(at0x80000, 6);
    expect(emulated.traffic.transactions).toBe(4); // + one read-back of ctrl_hum..config
  });

  it('detects a chip that was reset behind its back (ctrl_hum lost → humidity silently skipped)', async () => {
    const { driver, emulator } = setup();
    await driver.init();
    emulator.write(0xe0, Uint8Array.of(0xb6)); // brown-out: registers back to power-on values
    await expect(driver.read()).rejects.toThrow(
      /lost its configuration \(register 0xF2 reads 0x00, init wrote 0x01; reset or brown-out\?\): humidity at the skip value/,
    );
    await driver.init();
    expect((await driver.read()).humidityRH).toBeCloseTo(40, 1);
  });

  it('treats 0x80000 as skipped when temperature is the only enabled channel', async () => {
    const { driver, emulator } = setup({ oversampling: { pressure: 0, humidity: 0 } });
    const cal = parseCalibration(FORUM_BME280_DUMP.block88, FORUM_BME280_DUMP.blockE1);
    await driver.init();
    emulator.setConditions({ temperatureC: compensateTemperature(cal, 0x80000).temperatureC });
    await expect(driver.read()).rejects.toThrow(/skipped measurement \(temperature 0x80000/);
  });
});
