import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { SensorError } from '../../../../src/common/errors.js';
import { RecordingBus } from '../../../helpers/recording-bus.js';
import { EmulatedI2cBus } from '../../../../src/agent/i2c/emulated-bus.js';
import { FixedRegisters } from '../../../helpers/fixed-registers.js';
import { Ltr559, Ltr559Emulator } from '../../../../src/agent/sensors/ltr559/index.js';
import type { Ltr559Options } from '../../../../src/agent/sensors/ltr559/index.js';

function setup(options: Partial<Ltr559Options> = {}, lux = 350) {
  const clock = new ManualClock();
  const chip = new Ltr559Emulator({ clock, conditions: { lux } });
  const emulated = new EmulatedI2cBus(1);
  emulated.attach(0x23, chip);
  const bus = new RecordingBus(emulated);
  const driver = new Ltr559({ bus, clock, ...options });
  return { clock, chip, emulated, bus, driver };
}

describe('Ltr559 init', () => {
  it('checks the ids, resets, configures and waits for the first conversion', async () => {
    const { driver, bus, chip } = setup();
    await driver.init();
    expect(bus.callsTo(0x23)).toEqual([
      ['readBlock', 0x86, 2], // PART_ID + MANUFAC_ID
      ['writeByte', 0x80, 0x02], // ALS_CONTR: SW reset
      ['readByte', 0x80], // reset bit cleared?
      ['writeByte', 0x82, 0x1b], // PS_LED: 30 kHz (000) | 100 % duty (11) | 50 mA (011)
      ['writeByte', 0x83, 0x01], // PS_N_PULSES: 1
      ['writeByte', 0x84, 0x02], // PS_MEAS_RATE: 100 ms
      ['writeByte', 0x81, 0x23], // PS_CONTR: saturation indicator | active
      ['writeByte', 0x85, 0x01], // ALS_MEAS_RATE: 100 ms integration (000) | 100 ms repeat (001)
      ['writeByte', 0x80, 0x09], // ALS_CONTR: 4x (010 << 2) | active
      ['readByte', 0x8c], // ALS_PS_STATUS: first conversion there after 10 + 100 ms
    ]);
    expect(chip.peek(0x80)).toBe(0x09);
  });

  it('rejects another chip with both ids in hex', async () => {
    const { driver, chip } = setup();
    chip.setFaults({ partId: 0x93 });
    await expect(driver.init()).rejects.toThrow(SensorError);
    await expect(driver.init()).rejects.toThrow(/part id 0x93, manufacturer id 0x05; expected 0x92, 0x05/);
    chip.setFaults({ manufacturerId: 0x06 });
    await expect(driver.init()).rejects.toThrow(/part id 0x92, manufacturer id 0x06/);
  });

  it('gives up on a reset bit that never clears, after a bounded wait', async () => {
    const { driver, chip, clock } = setup();
    chip.setFaults({ resetStuck: true });
    const start = clock.now();
    await expect(driver.init()).rejects.toThrow(/software reset not finished after 100 ms/);
    expect(clock.now() - start).toBe(100);
  });

  it('fails when the chip never converts', async () => {
    const { driver, chip } = setup();
    chip.setFaults({ noNewData: true });
    await expect(driver.init()).rejects.toThrow(/no ALS conversion within 200 ms/);
  });

  it('refuses options the chip would silently adjust (no I/O)', () => {
    const bus = new EmulatedI2cBus();
    const clock = new ManualClock();
    expect(() => new Ltr559({ bus, clock, gain: 3 as never })).toThrow(/gain 3/);
    expect(() => new Ltr559({ bus, clock, integrationTimeMs: 200, measurementRateMs: 100 })).toThrow(/shorter than the integration time/);
    expect(bus.traffic.transactions).toBe(0);
  });
});

describe('Ltr559 read against the emulator', () => {
  it.each([
    // gain, integration ms, scale = gain·(t/100)·10000; tolerance = half a count on each
    // channel of branch 0: 0.5·(17743 + 11059) / scale
    [4, 100, (0.5 * (17743 + 11059)) / 40000], // 0.36 lux
    [1, 50, (0.5 * (17743 + 11059)) / 5000], // 2.88 lux
    [96, 400, (0.5 * (17743 + 11059)) / 3840000], // 0.0038 lux
    [48, 200, (0.5 * (17743 + 11059)) / 960000], // 0.015 lux
  ] as const)('reads 350 lux at %ix / %i ms within %f lux', async (gain, integrationTimeMs, tolerance) => {
    const { driver } = setup({ gain, integrationTimeMs, measurementRateMs: integrationTimeMs === 400 ? 500 : 200 });
    await driver.init();
    const m = await driver.read();
    expect(Math.abs(m.lux - 350)).toBeLessThanOrEqual(tolerance);
    expect(m).toMatchObject({ fresh: true, saturated: false });
  });

  it('costs 2 transactions / 9 bytes per read, reading CH1 before CH0 in one burst', async () => {
    const { driver, bus, emulated } = setup();
    await driver.init();
    bus.clear();
    emulated.resetTraffic();
    const m = await driver.read();
    expect(bus.callsTo(0x23)).toEqual([
      ['readBlock', 0x8c, 3], // ALS_PS_STATUS, PS_DATA_0, PS_DATA_1
      ['readBlock', 0x88, 4], // CH1 lo, CH1 hi, CH0 lo, CH0 hi: starts at CH1, ends at 0x8B
    ]);
    expect(emulated.traffic).toEqual({ transactions: 2, bytes: 4 + 5, failed: 0 });
    expect(m).toMatchObject({ ch0: 623, ch1: 267, fresh: true, proximity: 0, proximitySaturated: false });
  });

  it('costs 2 transactions / 7 bytes without proximity, and leaves the PS off', async () => {
    const { driver, bus, emulated, chip } = setup({ proximity: false });
    await driver.init();
    expect(chip.peek(0x81)).toBe(0x00); // PS_CONTR: standby
    bus.clear();
    emulated.resetTraffic();
    const m = await driver.read();
    expect(bus.callsTo(0x23)).toEqual([
      ['readByte', 0x8c],
      ['readBlock', 0x88, 4],
    ]);
    expect(emulated.traffic).toEqual({ transactions: 2, bytes: 2 + 5, failed: 0 });
    expect('proximity' in m).toBe(false);
  });

  it('repeats the previous value with fresh: false until the next conversion (1 transaction)', async () => {
    const { driver, bus, chip, clock } = setup();
    await driver.init();
    const first = await driver.read();
    chip.setConditions({ lux: 700 });
    bus.clear();
    const again = await driver.read();
    expect(bus.callsTo(0x23)).toEqual([['readBlock', 0x8c, 3]]);
    expect(again).toEqual({ ...first, fresh: false });
    clock.advance(100);
    const next = await driver.read();
    expect(next.fresh).toBe(true);
    expect(next.lux).toBeCloseTo(700, 0);
  });

  it('reports saturation with lux as a lower bound', async () => {
    const { driver } = setup({}, 50000);
    await driver.init();
    const m = await driver.read();
    expect(m).toMatchObject({ saturated: true, ch0: 0xffff, ch1: 38125 });
    expect(m.lux).toBeGreaterThan(16000);
    expect(m.lux).toBeLessThan(50000);
  });

  // Pimoroni's library never reads ALS_PS_STATUS bit 7: the register defines it
  // (pimoroni/ltr559-python ltr559/__init__.py:155 `BitField('als_data_valid', 0b10000000)`), but
  // `update_sensor` (ll. 463-490) reads ALS_DATA whenever `status.als_interrupt or status.als_data`
  // and always computes lux from it.
  it('bright sun: data the chip marks invalid is still read, flagged saturated, and never becomes an error', async () => {
    const { driver, chip, clock } = setup({}, 100_000);
    await driver.init();
    expect(chip.peek(0x8c) & 0x80).toBe(0x80); // the emulated chip marks the clipped conversion invalid
    for (let elapsed = 0; elapsed <= 3000; elapsed += 100) {
      // Both channels at 0xFFFF: ratio 50 → branch 1, (65535·42785 − 65535·19548) / (1 · 4 · 10000)
      expect(await driver.read()).toMatchObject({ saturated: true, fresh: true, ch0: 0xffff, ch1: 0xffff, lux: (65535 * 23237) / 40000 });
      clock.advance(100);
    }
  });

  it('treats a chip that stopped converting as stale after maxStaleMs', async () => {
    const { driver, chip, clock } = setup({ maxStaleMs: 500 });
    await driver.init();
    await driver.read();
    chip.setFaults({ noNewData: true });
    clock.advance(500);
    expect((await driver.read()).fresh).toBe(false);
    clock.advance(1);
    await expect(driver.read()).rejects.toThrow(/no new ALS data for 501 ms/);
  });

  it('reads proximity and its saturation flag', async () => {
    const { driver, chip, clock } = setup();
    chip.setConditions({ proximity: 1500 });
    await driver.init();
    expect(await driver.read()).toMatchObject({ proximity: 1500, proximitySaturated: false });
    chip.setConditions({ proximity: 2047, proximitySaturated: true });
    clock.advance(100);
    expect(await driver.read()).toMatchObject({ proximity: 2047, proximitySaturated: true });
  });
});

// Bus faults and recovery through init(): the SensorDriver contract (../sensor-drivers.test.ts).

/** Fixed register contents, no behaviour: checks the byte parsing independently of the emulator. */
describe('Ltr559 byte parsing', () => {
  function fixed(regs: Record<number, number>) {
    const bus = new EmulatedI2cBus();
    bus.attach(0x23, new FixedRegisters(regs));
    return new Ltr559({ bus, clock: new ManualClock(), gain: 4 });
  }

  it('uses the gain in the status byte and masks the reserved PS bits', async () => {
    const driver = fixed({
      0x88: 0xe8, // CH1 lo ┐ CH1 = 0x03E8 = 1000
      0x89: 0x03, // CH1 hi ┘
      0x8a: 0xd0, // CH0 lo ┐ CH0 = 0x07D0 = 2000
      0x8b: 0x07, // CH0 hi ┘
      0x8c: 0x35, // status: valid (bit 7 = 0), data gain 011 = 8x, ALS new (bit 2), PS new (bit 0)
      0x8d: 0xf0, // PS lo
      0x8e: 0x7a, // PS hi: not saturated (bit 7), reserved bits 6:3 = 1111, data bits 2:0 = 010
    });
    // ratio = 1000·100/3000 = 33.3 → branch 0: (2000·17743 + 1000·11059) / (1 · 8 · 10000)
    //       = (35 486 000 + 11 059 000) / 80 000 = 581.8125 (the configured 4x would give 1163.625)
    // PS = 0x2F0 = 752
    expect(await driver.read()).toEqual({
      lux: 581.8125,
      ch0: 2000,
      ch1: 1000,
      saturated: false,
      fresh: true,
      proximity: 752,
      proximitySaturated: false,
    });
  });

  it('computes lux from data marked invalid (bit 7) and flags it saturated, as in bright sun', async () => {
    const driver = fixed({
      0x88: 0xe8, // CH1 lo ┐ CH1 = 0x03E8 = 1000
      0x89: 0x03, // CH1 hi ┘
      0x8a: 0xd0, // CH0 lo ┐ CH0 = 0x07D0 = 2000
      0x8b: 0x07, // CH0 hi ┘
      0x8c: 0xa4, // status: invalid (bit 7), data gain 010 = 4x, ALS new (bit 2)
    });
    // branch 0 as above, at 4x: (35 486 000 + 11 059 000) / 40 000 = 1163.625
    expect(await driver.read()).toMatchObject({ lux: 1163.625, ch0: 2000, ch1: 1000, saturated: true, fresh: true });
  });

  it('does not use data with a reserved data-gain code', async () => {
    const driver = fixed({ 0x8c: 0x44 }); // data gain 100 (reserved), ALS new
    await expect(driver.read()).rejects.toThrow(/reserved ALS data gain \(status 0x44\) and no earlier reading/);
  });
});
