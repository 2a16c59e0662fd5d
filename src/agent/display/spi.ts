import { DisplayHardwareError, errnoCode, messageOf } from './hardware-error.js';

/**
 * The kernel spidev driver's default buffer (module parameter `bufsiz`): one transfer ioctl
 * may move at most this many bytes in total, so longer writes go out in chunks.
 */
export const SPIDEV_BUFFER_BYTES = 4096;

/** A write-only SPI device, as the display drivers need it: one call is one transfer. */
export interface SpiBus {
  /** For messages, e.g. `/dev/spidev0.1`. */
  readonly name: string;
  /** Sends `data` (at most SPIDEV_BUFFER_BYTES) in one transfer with chip select held. */
  transfer(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Sends `data` in as few transfers as the spidev buffer allows; returns how many it took. */
export async function writeSpi(bus: SpiBus, data: Uint8Array): Promise<number> {
  let transfers = 0;
  for (let offset = 0; offset < data.length; offset += SPIDEV_BUFFER_BYTES) {
    await bus.transfer(data.subarray(offset, offset + SPIDEV_BUFFER_BYTES));
    transfers += 1;
  }
  return transfers;
}

type SpiDeviceModule = typeof import('spi-device');
type SpiDevice = import('spi-device').SpiDevice;

/** `/dev/spidevB.D` through the `spi-device` package (mode 0, MSB first, as the ST7735 wants). */
export class LinuxSpiBus implements SpiBus {
  private constructor(
    readonly name: string,
    private readonly device: SpiDevice,
    private readonly speedHz: number,
  ) {}

  /**
   * `spi-device` is an optional native dependency, loaded only here so that simulation, tests
   * and machines without SPI never need it.
   */
  static async open(options: { bus: number; device: number; speedHz: number }): Promise<LinuxSpiBus> {
    const name = `/dev/spidev${options.bus}.${options.device}`;
    let spi: SpiDeviceModule;
    try {
      spi = (await import('spi-device')).default;
    } catch (error) {
      throw new DisplayHardwareError(
        `the spi-device native module is not available (${messageOf(error)}); reinstall with build tools, or use --simulate`,
        undefined,
        { cause: error },
      );
    }
    const device = await new Promise<SpiDevice>((resolve, reject) => {
      const opened: SpiDevice = spi.open(options.bus, options.device, { mode: 0, maxSpeedHz: options.speedHz }, (error) =>
        error ? reject(error) : resolve(opened),
      );
    }).catch((error: unknown) => {
      throw new DisplayHardwareError(
        `cannot open ${name}: ${messageOf(error)} (is SPI enabled, e.g. raspi-config nonint do_spi 0, and are you in group spi?)`,
        errnoCode(error),
        { cause: error },
      );
    });
    return new LinuxSpiBus(name, device, options.speedHz);
  }

  async transfer(data: Uint8Array): Promise<void> {
    if (data.length > SPIDEV_BUFFER_BYTES) throw new RangeError(`SPI transfer of ${data.length} bytes exceeds the spidev buffer (${SPIDEV_BUFFER_BYTES})`);
    const sendBuffer = Buffer.from(data.buffer, data.byteOffset, data.length);
    await new Promise<void>((resolve, reject) => {
      this.device.transfer([{ sendBuffer, byteLength: data.length, speedHz: this.speedHz }], (error) => (error ? reject(error) : resolve()));
    }).catch((error: unknown) => {
      throw new DisplayHardwareError(`SPI transfer on ${this.name} failed: ${messageOf(error)}`, errnoCode(error), { cause: error });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.device.close((error) => (error ? reject(error) : resolve())));
  }
}
