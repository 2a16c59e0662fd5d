import type { I2cDeviceEmulator } from '../../src/agent/i2c/emulated-bus.js';

/**
 * A device whose registers hold fixed bytes and ignore writes: drives a driver with exactly the
 * bytes a datasheet or a forum post gives, independently of our emulators' encoding.
 */
export class FixedRegisters implements I2cDeviceEmulator {
  constructor(private readonly regs: Record<number, number>) {}
  read(register: number, length: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => this.regs[register + i] ?? 0);
  }
  write(): void {}
}
