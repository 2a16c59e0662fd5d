import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { SensorError } from '../../../../src/common/errors.js';
import { EmulatedI2cBus } from '../../../../src/agent/i2c/emulated-bus.js';
import {
  Bme280,
  FORUM_BME280_DUMP,
  compensateHumidity,
  compensatePressure,
  compensateTemperature,
  parseCalibration,
} from '../../../../src/agent/sensors/bme280/index.js';
import { setup } from './fixture.js';
import { RecordingBus } from '../../../helpers/recording-bus.js';

describe('Bme280 ↔ Bme280Emulator', () => {
  it('reads 25 °C / 40 %RH / 1013.25 hPa back within one quantisation step of the chip', async () => {
    const { driver } = setup();
    await driver.init();
    const m = await driver.read();
    // x1 oversampling delivers 16 of the 20 bits of T and P (§3.4.2/3.4.3): one step is 16 ADC
    // counts, for this chip's trimming 0.0050 °C and 2.68 Pa; humidity is 16-bit, one count is
    // 0.0055 %RH. The emulator rounds to the nearest step, so ½ step is expected; allow 1 step.
    const cal = parseCalibration(FORUM_BME280_DUMP.block88, FORUM_BME280_DUMP.blockE1);
    const { tFine } = compensateTemperature(cal, m.raw.adcT);
    const stepT = compensateTemperature(cal, m.raw.adcT + 16).temperatureC - m.temperatureC;
    const stepP = compensatePressure(cal, m.raw.adcP!, tFine) - compensatePressure(cal, m.raw.adcP! + 16, tFine);
    const stepH = compensateHumidity(cal.humidity!, m.raw.adcH! + 1, tFine) - m.humidityRH!;
    expect([stepT, stepP, stepH].map((s) => +s.toFixed(4))).toEqual([0.005, 2.6789, 0.0055]);
    expect(Math.abs(m.temperatureC - 25)).toBeLessThanOrEqual(stepT);
    expect(Math.abs(m.pressurePa! - 101_325)).toBeLessThanOrEqual(stepP);
    expect(Math.abs(m.humidityRH! - 40)).toBeLessThanOrEqual(stepH);
    expect(m.raw.adcT % 16).toBe(0); // the low 4 bits of a x1 result are 0
    expect(m.raw.adcP! % 16).toBe(0);
    expect(m.model).toBe('BME280');
  });

  it('follows a change of conditions on the next reading', async () => {
    const { driver, emulator } = setup({ oversampling: { temperature: 16, pressure: 16, humidity: 16 } });
    await driver.init();
    emulator.setConditions({ temperatureC: -12.5, humidityRH: 85, pressurePa: 95_000 });
    const m = await driver.read();
    expect(m.temperatureC).toBeCloseTo(-12.5, 3); // x16: full 20 bits, 0.0003 °C per count
    expect(m.pressurePa).toBeCloseTo(95_000, 0);
    expect(m.humidityRH).toBeCloseTo(85, 2);
  });

  it('reads a chip with negative H4/H5/H6 as ~90 %RH (constructed trimming, see the calibration test)', async () => {
    const dump = { block88: FORUM_BME280_DUMP.block88, blockE1: Uint8Array.of(0x65, 0x01, 0x00, 0xff, 0xc4, 0xfe, 0xf6) };
    const { driver, emulator } = setup({}, { dump });
    await driver.init();
    emulator.setConditions({ humidityRH: 90 });
    const m = await driver.read();
    expect(m.humidityRH).toBeCloseTo(90, 2);
    // By hand (t_fine ≈ 128000, so var1 = 51200): 90 %RH is 91.2 before the dig_H1 term;
    // adc_H ≈ 91.2 / (357/65536 · 0.992) − 12·64 − 20·51200/16384 ≈ 16 035. Decoded unsigned
    // (H4 = 4084) no 16-bit adc_H could reach 90 %RH: the emulator would saturate at 0xFFFF.
    expect(m.raw.adcH).toBeGreaterThan(15_900);
    expect(m.raw.adcH).toBeLessThan(16_100);
  });
});

describe('Bme280 forced mode on the wire', () => {
  it('initialises with id, reset, NVM wait, both trimming blocks, then ctrl_hum, config, ctrl_meas', async () => {
    const { driver, bus } = setup();
    await driver.init();
    expect(bus.calls).toEqual([
      ['readByte', 0x76, 0xd0], // chip id → 0x60
      ['writeByte', 0x76, 0xe0, 0xb6], // soft reset
      ['readByte', 0x76, 0xf3], // status after 2 ms: im_update clear
      ['readBlock', 0x76, 0x88, 26], // dig_T1..dig_P9, 0xA0, dig_H1
      ['readBlock', 0x76, 0xe1, 7], // dig_H2..dig_H6
      ['writeByte', 0x76, 0xf2, 0x01], // ctrl_hum: osrs_h x1
      ['writeByte', 0x76, 0xf5, 0xa0], // config: t_sb 1000 ms (101), filter off (000)
      ['writeByte', 0x76, 0xf4, 0x24], // ctrl_meas: osrs_t x1 (001), osrs_p x1 (001), sleep (00)
    ]);
    expect(driver.address).toBe(0x76);
  });

  it('costs exactly 3 transactions and 13 bytes per reading when the chip is done in time', async () => {
    const { driver, bus, emulated, clock } = setup();
    await driver.init();
    bus.calls.length = 0;
    emulated.resetTraffic();
    const start = clock.now();
    await driver.read();
    expect(bus.calls).toEqual([
      ['writeByte', 0x76, 0xf4, 0x25], // ctrl_meas: x1, x1, forced (01)
      ['readByte', 0x76, 0xf3], // status: measuring (bit 3) clear
      ['readBlock', 0x76, 0xf7, 8], // press_msb..hum_lsb in one burst
    ]);
    expect(emulated.traffic).toEqual({ transactions: 3, bytes: 2 + 2 + 9, failed: 0 });
    // §9.1 maximum for x1/x1/x1: 1.25 + 2.3 + 2.875 + 2.875 = 9.3 ms, slept as 10 ms
    expect(clock.now() - start).toBe(10);
  });

  it('polls the measuring bit while a slow chip finishes', async () => {
    const { driver, bus, emulator, clock } = setup();
    await driver.init();
    emulator.setFaults({ stuckMeasuring: true });
    const sleep = clock.sleep.bind(clock);
    let slept = 0;
    clock.sleep = async (ms: number) => {
      await sleep(ms);
      if ((slept += ms) >= 20) emulator.setFaults({}); // finishes 20 ms after the start
    };
    bus.calls.length = 0;
    const m = await driver.read();
    expect(bus.calls.filter(([op, , register]) => op === 'readByte' && register === 0xf3)).toHaveLength(3); // at 10, 15, 20 ms
    expect(m.temperatureC).toBeCloseTo(25, 2);
  });

  it('gives up on a stuck measuring bit after the bounded timeout, in simulated time only', async () => {
    const { driver, emulator, clock } = setup({ measurementTimeoutMs: 50 });
    await driver.init();
    emulator.setFaults({ stuckMeasuring: true });
    const start = clock.now();
    const wall = Date.now();
    await expect(driver.read()).rejects.toThrow(SensorError);
    await expect(driver.read()).rejects.toThrow(/measuring bit stuck \(still set 50 ms after the 10 ms measurement time\)/);
    expect(clock.now() - start).toBe(2 * (10 + 50));
    expect(Date.now() - wall).toBeLessThan(1000);
  });

  it('skips channels configured with oversampling 0 and waits only for the enabled ones', async () => {
    const { driver, bus, clock } = setup({ oversampling: { temperature: 2, pressure: 0, humidity: 0 } });
    await driver.init();
    expect(bus.calls.slice(-3)).toEqual([
      ['writeByte', 0x76, 0xf2, 0x00], // humidity skipped
      ['writeByte', 0x76, 0xf5, 0xa0],
      ['writeByte', 0x76, 0xf4, 0x40], // osrs_t x2 (010), osrs_p skipped (000)
    ]);
    const start = clock.now();
    const m = await driver.read();
    expect(clock.now() - start).toBe(6); // 1.25 + 2.3·2 = 5.85 ms
    expect(m).toMatchObject({ pressurePa: undefined, humidityRH: undefined, raw: { adcP: undefined, adcH: undefined } });
    expect(m.temperatureC).toBeCloseTo(25, 2);
  });
});

describe('Bme280 normal mode and options', () => {
  it('configures once and then reads the burst only', async () => {
    const { driver, bus, emulator, clock } = setup({ mode: 'normal', standbyMs: 62.5, filter: 4 });
    await driver.init();
    expect(bus.calls.slice(-2)).toEqual([
      ['writeByte', 0x76, 0xf5, 0x28], // t_sb 62.5 ms (001), filter 4 (010)
      ['writeByte', 0x76, 0xf4, 0x27], // x1, x1, normal (11)
    ]);
    bus.calls.length = 0;
    expect((await driver.read()).temperatureC).toBeCloseTo(25, 2);
    expect(bus.calls).toEqual([['readBlock', 0x76, 0xf7, 8]]);
    emulator.setConditions({ temperatureC: 30 });
    clock.advance(2000); // ~28 cycles of 8 + 62.5 ms: the x4 filter has settled
    expect((await driver.read()).temperatureC).toBeCloseTo(30, 2);
  });

  it('refuses a standby time the detected chip does not have', async () => {
    const { driver } = setup({ mode: 'normal', standbyMs: 2000 }); // BMP280 only
    await expect(driver.init()).rejects.toThrow('BME280 at 0x76: standby 2000 ms is not available on a BME280');
  });

  it('validates options without I/O and lists every problem', () => {
    const bus = new RecordingBus(new EmulatedI2cBus(1));
    const create = (options: object) => () => new Bme280({ bus, clock: new ManualClock(), ...options });
    expect(create({ oversampling: { temperature: 0, pressure: 3 }, filter: 5, standbyMs: 7, address: 0x80 })).toThrow(
      /pressure oversampling 3 is not one of.*temperature oversampling cannot be 0.*filter 5.*standby 7 ms.*address 128/,
    );
    expect(bus.calls).toEqual([]);
  });

  it('refuses read() before init()', async () => {
    await expect(setup().driver.read()).rejects.toThrow(/read\(\) before a successful init\(\)/);
  });
});
