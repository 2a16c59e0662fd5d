/**
 * The `SensorDriver` contract (src/agent/sensors/driver.ts), one suite run against every driver
 * on its register-level emulator, as MQTT.js runs test/node/abstract_store.ts against every
 * store: bus faults reject with an `I2cError` that names where they went, and `init()` recovers
 * a driver after any failure (the reading loop relies on both to survive unplugging). What only
 * one chip does stays in its own tests.
 */
import { describe, expect, it } from 'vitest';
import { I2cError } from '../../../src/common/errors.js';
import type { EmulatedI2cBus } from '../../../src/agent/i2c/emulated-bus.js';
import type { SensorDriver } from '../../../src/agent/sensors/driver.js';

export interface SensorDriverHarness<Measurement> {
  readonly driver: SensorDriver<Measurement>;
  /** The emulated bus the chip sits on, for injecting faults. */
  readonly bus: EmulatedI2cBus;
  readonly address: number;
  /** Asserts that a measurement matches the conditions the emulated chip was given. */
  expectConditions(measurement: Measurement): void;
}

export function describeSensorDriverContract<Measurement>(name: string, create: () => SensorDriverHarness<Measurement>): void {
  describe(`SensorDriver contract: ${name}`, () => {
    it('init() then read() measures the emulated conditions', async () => {
      const { driver, expectConditions } = create();
      await driver.init();
      expectConditions(await driver.read());
    });

    it.each(['EREMOTEIO', 'EIO'] as const)('%s in read() rejects with an I2cError naming bus, address and register; init() recovers', async (code) => {
      const { driver, bus, address, expectConditions } = create();
      await driver.init();
      bus.failNext(address, 1, code);
      const error = await driver.read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(I2cError);
      expect(error).toMatchObject({ code, bus: bus.busNumber, address, register: expect.any(Number) });
      await driver.init();
      expectConditions(await driver.read());
    });

    it('a fault during init() rejects with an I2cError; the next init() recovers', async () => {
      const { driver, bus, address, expectConditions } = create();
      bus.failNext(address, 1);
      await expect(driver.init()).rejects.toBeInstanceOf(I2cError);
      await driver.init();
      expectConditions(await driver.read());
    });

    it('an absent chip fails init() with EREMOTEIO (a NACK), and works once plugged back', async () => {
      const { driver, bus, address, expectConditions } = create();
      bus.setAbsent(address, true);
      await expect(driver.init()).rejects.toMatchObject({ name: 'I2cError', code: 'EREMOTEIO', address });
      bus.setAbsent(address, false);
      await driver.init();
      expectConditions(await driver.read());
    });
  });
}
