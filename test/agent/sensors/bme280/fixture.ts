/** Shared set-up for the BME280 driver tests: the driver on an emulated bus, every call recorded. */
import { ManualClock } from '../../../../src/common/clock.js';
import { RecordingBus } from '../../../helpers/recording-bus.js';
import { EmulatedI2cBus } from '../../../../src/agent/i2c/emulated-bus.js';
import { Bme280, Bme280Emulator } from '../../../../src/agent/sensors/bme280/index.js';
import type { Bme280Dump, Bme280Model, Bme280Options } from '../../../../src/agent/sensors/bme280/index.js';

export const ROOM = { temperatureC: 25, humidityRH: 40, pressurePa: 101_325 };

export function setup(options: Partial<Bme280Options> = {}, chip: { address?: number; model?: Bme280Model; dump?: Bme280Dump; nvmCopyMs?: number } = {}) {
  const clock = new ManualClock();
  const { address = 0x76, ...emulatorOptions } = chip;
  const emulator = new Bme280Emulator({ clock, conditions: ROOM, ...emulatorOptions });
  const emulated = new EmulatedI2cBus(1);
  emulated.attach(address, emulator);
  const bus = new RecordingBus(emulated);
  const driver = new Bme280({ bus, clock, ...options });
  return { clock, emulator, emulated, bus, driver };
}
