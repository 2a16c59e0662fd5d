/** Shared set-up for the BME280 driver tests: the driver on an emulated bus, every call recorded. */
import { ManualClock } from '../src/common/clock.js';
import type { I2cBus } from '../src/agent/i2c/bus.js';
import { EmulatedI2cBus } from '../src/agent/i2c/emulated-bus.js';
import { Bme280, Bme280Emulator } from '../src/agent/sensors/bme280/index.js';
import type { Bme280Dump, Bme280Model, Bme280Options } from '../src/agent/sensors/bme280/index.js';

export type Call = [op: 'readByte' | 'writeByte' | 'readBlock', address: number, register: number, valueOrLength?: number];

/** Records each bus call as the driver made it (failed ones too), then passes it on. */
export class RecordingBus implements I2cBus {
  readonly calls: Call[] = [];
  constructor(private readonly inner: I2cBus) {}
  readByte(address: number, register: number) {
    this.calls.push(['readByte', address, register]);
    return this.inner.readByte(address, register);
  }
  writeByte(address: number, register: number, value: number) {
    this.calls.push(['writeByte', address, register, value]);
    return this.inner.writeByte(address, register, value);
  }
  readBlock(address: number, register: number, length: number) {
    this.calls.push(['readBlock', address, register, length]);
    return this.inner.readBlock(address, register, length);
  }
  close() {
    return this.inner.close();
  }
}

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
