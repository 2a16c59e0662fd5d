import type { I2cBus } from '../../src/agent/i2c/bus.js';

export type Call = [op: 'readByte' | 'writeByte' | 'readBlock' | 'write', address: number, register: number, valueOrLength?: number];
/** A call without its address, for tests of one device. */
export type DeviceCall = [op: Call[0], register: number, valueOrLength?: number];

/** Records each bus call as the driver made it (failed ones too), then passes it on. */
export class RecordingBus implements I2cBus {
  readonly calls: Call[] = [];
  constructor(private readonly inner: I2cBus) {}

  /** The calls to one address, without the address. */
  callsTo(address: number): DeviceCall[] {
    return this.calls.filter((call) => call[1] === address).map(([op, , register, value]) => (value === undefined ? [op, register] : [op, register, value]));
  }

  clear(): void {
    this.calls.length = 0;
  }

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
  /** Recorded as the first byte (what the chip takes as register) and the length. */
  write(address: number, data: Uint8Array) {
    this.calls.push(['write', address, data[0] ?? 0, data.length]);
    return this.inner.write(address, data);
  }
  close() {
    return this.inner.close();
  }
}
