import { I2cError, hex } from '../../common/errors.js';
import type { I2cBus } from './bus.js';

/**
 * A chip's register model, as the emulated bus drives it. `read` and `write` get the register
 * pointer the master sent and handle auto-increment themselves, because chips differ in it.
 */
export interface I2cDeviceEmulator {
  read(register: number, length: number): Uint8Array;
  write(register: number, data: Uint8Array): void;
}

/** Transaction and byte counts, so tests and the bench can show what a reading costs. */
export interface I2cTraffic {
  transactions: number;
  /** Bytes after the address byte: register pointer plus data, in both directions. */
  bytes: number;
  /** Transactions that failed (NACK or injected error). */
  failed: number;
}

interface InjectedFault {
  remaining: number;
  code: 'EREMOTEIO' | 'EIO';
}

/**
 * An I²C bus whose devices are register-level emulators. Besides routing, it injects the
 * faults that belong to the bus rather than to a chip: a device that does not answer its
 * address (NACK → EREMOTEIO, "Remote I/O error", as Linux i2c-dev reports it) and
 * transient errors on the next n transfers.
 */
export class EmulatedI2cBus implements I2cBus {
  /** Totals over every address. */
  readonly traffic: I2cTraffic = { transactions: 0, bytes: 0, failed: 0 };
  private readonly perAddress = new Map<number, I2cTraffic>();
  private readonly devices = new Map<number, I2cDeviceEmulator>();
  private readonly unplugged = new Set<number>();
  private readonly faults = new Map<number, InjectedFault>();

  constructor(readonly busNumber: number | string = 'emulated') {}

  attach(address: number, device: I2cDeviceEmulator): void {
    this.devices.set(address, device);
  }

  /** Simulates pulling the device off the bus (true) or plugging it back (false). */
  setAbsent(address: number, absent: boolean): void {
    if (absent) this.unplugged.add(address);
    else this.unplugged.delete(address);
  }

  /** The next `count` transfers addressed to `address` fail with `code`. */
  failNext(address: number, count: number, code: InjectedFault['code'] = 'EREMOTEIO'): void {
    this.faults.set(address, { remaining: count, code });
  }

  /** Counts for one device address. */
  trafficFor(address: number): I2cTraffic {
    let traffic = this.perAddress.get(address);
    if (!traffic) this.perAddress.set(address, (traffic = { transactions: 0, bytes: 0, failed: 0 }));
    return traffic;
  }

  resetTraffic(): void {
    for (const traffic of [this.traffic, ...this.perAddress.values()]) Object.assign(traffic, { transactions: 0, bytes: 0, failed: 0 });
  }

  async readByte(address: number, register: number): Promise<number> {
    const device = this.transaction(address, register, 2);
    return device.read(register, 1)[0] ?? 0xff;
  }

  async writeByte(address: number, register: number, value: number): Promise<void> {
    this.transaction(address, register, 2).write(register, Uint8Array.of(value & 0xff));
  }

  async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    return this.transaction(address, register, 1 + length).read(register, length);
  }

  /** The device model sees the first byte as the register pointer and the rest as data. */
  async write(address: number, data: Uint8Array): Promise<void> {
    const first = data[0];
    if (first === undefined) throw new RangeError('an I²C write needs at least one byte');
    this.transaction(address, first, data.length).write(first, data.subarray(1));
  }

  async close(): Promise<void> {}

  private transaction(address: number, register: number, bytes: number): I2cDeviceEmulator {
    const counters = [this.traffic, this.trafficFor(address)];
    for (const traffic of counters) traffic.transactions += 1;
    const device = this.devices.get(address);
    const fault = this.faults.get(address);
    let code: string | undefined;
    if (!device || this.unplugged.has(address)) code = 'EREMOTEIO';
    else if (fault && fault.remaining > 0) {
      fault.remaining -= 1;
      code = fault.code;
    }
    if (code || !device) {
      for (const traffic of counters) traffic.failed += 1;
      const reason = code === 'EIO' ? 'Input/output error' : 'Remote I/O error';
      throw new I2cError(`${reason} at ${hex(address)} register ${hex(register)}`, this.busNumber, address, register, code);
    }
    for (const traffic of counters) traffic.bytes += bytes;
    return device;
  }
}
