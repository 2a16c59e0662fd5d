/**
 * The few I²C operations the sensor drivers use. Each call is one bus transaction
 * (START … STOP): a register pointer write followed by a read or a write of data bytes.
 * The real bus wraps the `i2c-bus` package; the emulated bus routes to register models.
 * Failures reject with an `I2cError` naming bus, address and register.
 */
export interface I2cBus {
  /** Reads one register. */
  readByte(address: number, register: number): Promise<number>;
  /** Writes one register. */
  writeByte(address: number, register: number, value: number): Promise<void>;
  /** Reads `length` bytes starting at `register` in one burst (the chip auto-increments). */
  readBlock(address: number, register: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}
