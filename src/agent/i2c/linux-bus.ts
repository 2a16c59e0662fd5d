import { access, constants } from 'node:fs/promises';
import { I2cError, hex } from '../../common/errors.js';
import type { I2cBus } from './bus.js';

type PromisifiedBus = import('i2c-bus').PromisifiedBus;

function wrapError(error: unknown, bus: number, address: number, register: number): I2cError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new I2cError(`${message} at ${hex(address)} register ${hex(register)} on /dev/i2c-${bus}`, bus, address, register, code, { cause: error });
}

/** The real bus: `/dev/i2c-N` through the `i2c-bus` package's promise API. */
export class LinuxI2cBus implements I2cBus {
  private constructor(
    private readonly busNumber: number,
    private readonly bus: PromisifiedBus,
  ) {}

  /**
   * Opens `/dev/i2c-<busNumber>`. `i2c-bus` is an optional native dependency, loaded only here
   * so that simulation, tests and machines without I²C never need it.
   */
  static async open(busNumber: number): Promise<LinuxI2cBus> {
    let i2c: typeof import('i2c-bus');
    try {
      i2c = (await import('i2c-bus')).default;
    } catch (error) {
      throw new I2cError(
        `the i2c-bus native module is not available (${(error as Error).message}); reinstall with build tools, or use --simulate`,
        busNumber,
        0,
        undefined,
        undefined,
      );
    }
    try {
      // i2c-bus opens the device lazily, per address; check it up front for a clear error.
      await access(`/dev/i2c-${busNumber}`, constants.R_OK | constants.W_OK);
      return new LinuxI2cBus(busNumber, await i2c.openPromisified(busNumber));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new I2cError(
        `cannot open /dev/i2c-${busNumber}: ${(error as Error).message} (is I²C enabled and are you in group i2c?)`,
        busNumber,
        0,
        undefined,
        code,
      );
    }
  }

  async readByte(address: number, register: number): Promise<number> {
    try {
      return await this.bus.readByte(address, register);
    } catch (error) {
      throw wrapError(error, this.busNumber, address, register);
    }
  }

  async writeByte(address: number, register: number, value: number): Promise<void> {
    try {
      await this.bus.writeByte(address, register, value);
    } catch (error) {
      throw wrapError(error, this.busNumber, address, register);
    }
  }

  async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    const buffer = Buffer.alloc(length);
    try {
      const { bytesRead } = await this.bus.readI2cBlock(address, register, length, buffer);
      if (bytesRead !== length) throw new Error(`short read: ${bytesRead} of ${length} bytes`);
    } catch (error) {
      throw wrapError(error, this.busNumber, address, register);
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  }

  async write(address: number, data: Uint8Array): Promise<void> {
    try {
      const { bytesWritten } = await this.bus.i2cWrite(address, data.length, Buffer.from(data.buffer, data.byteOffset, data.length));
      if (bytesWritten !== data.length) throw new Error(`short write: ${bytesWritten} of ${data.length} bytes`);
    } catch (error) {
      throw wrapError(error, this.busNumber, address, data[0] ?? 0);
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * For the long-running agent: a bus that is not there yet (I²C not enabled, `i2c-dev` or
 * `i2c-bcm2835` not loaded yet, a test VM) is tried again at every use, and each operation fails
 * meanwhile with the open error, so the sensors report `error` (logged once per sensor) while
 * SNMP keeps answering; once the device appears the sensors recover by themselves.
 */
export class RetryingI2cBus implements I2cBus {
  private bus: I2cBus | undefined;

  /** `open` finds and opens the bus (with `i2c.bus: auto` it looks for the header bus each time). */
  constructor(private readonly open: () => Promise<I2cBus>) {}

  private async opened(): Promise<I2cBus> {
    this.bus ??= await this.open();
    return this.bus;
  }

  async readByte(address: number, register: number): Promise<number> {
    return (await this.opened()).readByte(address, register);
  }

  async writeByte(address: number, register: number, value: number): Promise<void> {
    return (await this.opened()).writeByte(address, register, value);
  }

  async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    return (await this.opened()).readBlock(address, register, length);
  }

  async write(address: number, data: Uint8Array): Promise<void> {
    return (await this.opened()).write(address, data);
  }

  async close(): Promise<void> {
    await this.bus?.close();
  }
}
