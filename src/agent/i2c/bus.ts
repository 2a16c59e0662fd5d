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
  /**
   * Writes `data` as one plain transaction with no register pointer of its own: the chip reads
   * `data[0]` as whatever it expects first (the SSD1306 a control byte). Up to 8192 bytes (i2c-dev).
   */
  write(address: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
