import type { Clock } from '../../../common/clock.js';
import { changedRgb565Windows, ST7735_WINDOW_COST, type Rect } from '../dirty.js';
import type { DisplayDriver, TransferStats } from '../driver.js';
import type { Frame, Rgb565Frame } from '../framebuffer.js';
import type { GpioLine } from '../gpio.js';
import { DisplayHardwareError, errnoCode, messageOf } from '../hardware-error.js';
import { writeSpi, type SpiBus } from '../spi.js';
import { address16, Cmd, DEFAULT_OFFSET_LEFT, DEFAULT_OFFSET_TOP, initSequence } from './registers.js';
import { logicalSize, nativeWindow, toLogical, type St7735Rotation } from './rotation.js';

export interface St7735Options {
  spi: SpiBus;
  /** Data/command select: low for a command byte, high for its parameters and pixel data. */
  dc: GpioLine;
  backlight?: GpioLine | undefined;
  clock: Clock;
  /** Software rotation of the logical frame (Enviro: 270, a 160x80 landscape frame). */
  rotation?: St7735Rotation;
  /** INVON for IPS panels (true for the 0.96" panel). */
  invert?: boolean;
  /** MADCTL BGR bit (true for the 0.96" panel). */
  bgr?: boolean;
  offsetLeft?: number;
  offsetTop?: number;
}

/**
 * ST7735 over SPI with DC and backlight lines, as Pimoroni's st7735-python drives the Enviro's
 * 0.96" 160x80 panel: the same init sequence, MADCTL fixed, rotation in software. `show` sends
 * only the windows that changed since the last frame (dirty.ts), each as CASET, RASET, RAMWR
 * and its pixels in the native layout; the backlight comes on after the first full frame, so
 * the power-on noise in the controller's RAM is never seen.
 */
export class St7735Driver implements DisplayDriver {
  readonly width: number;
  readonly height: number;
  readonly format = 'rgb565' as const;
  private readonly rotation: St7735Rotation;
  private readonly invert: boolean;
  private readonly bgr: boolean;
  private readonly offsetLeft: number;
  private readonly offsetTop: number;
  private previous: Rgb565Frame | undefined;
  private backlightOn = false;
  private stats = { bytes: 0, transactions: 0 };

  constructor(private readonly options: St7735Options) {
    this.rotation = options.rotation ?? 270;
    this.invert = options.invert ?? true;
    this.bgr = options.bgr ?? true;
    this.offsetLeft = options.offsetLeft ?? DEFAULT_OFFSET_LEFT;
    this.offsetTop = options.offsetTop ?? DEFAULT_OFFSET_TOP;
    ({ width: this.width, height: this.height } = logicalSize(this.rotation));
  }

  async open(): Promise<void> {
    this.previous = undefined;
    await this.guard('initialising', async () => {
      this.setBacklight(false);
      for (const step of initSequence({ invert: this.invert, bgr: this.bgr, offsetLeft: this.offsetLeft, offsetTop: this.offsetTop })) {
        await this.send(step.command, step.params);
        if (step.waitMs > 0) await this.options.clock.sleep(step.waitMs);
      }
    });
  }

  async show(frame: Frame): Promise<TransferStats> {
    if (frame.kind !== 'rgb565' || frame.width !== this.width || frame.height !== this.height) {
      throw new RangeError(
        `the ST7735 at rotation ${this.rotation} shows ${this.width}x${this.height} rgb565 frames, got ${frame.width}x${frame.height} ${frame.kind}`,
      );
    }
    this.stats = { bytes: 0, transactions: 0 };
    const windows = changedRgb565Windows(this.previous, frame, ST7735_WINDOW_COST);
    // Forget the last frame until this one is fully sent: after a failure the next show sends everything.
    this.previous = undefined;
    await this.guard('sending a frame', async () => {
      for (const window of windows) await this.writeWindow(frame, window);
      if (!this.backlightOn) this.setBacklight(true);
    });
    this.previous = { ...frame, pixels: frame.pixels.slice() };
    return this.stats;
  }

  async close(): Promise<void> {
    try {
      await this.guard('switching off', async () => {
        this.setBacklight(false);
        await this.send(Cmd.DISPOFF, []);
      });
    } finally {
      this.options.dc.release();
      this.options.backlight?.release();
      await this.options.spi.close();
    }
  }

  private async writeWindow(frame: Rgb565Frame, rect: Rect): Promise<void> {
    const native = nativeWindow(this.rotation, rect);
    const data = new Uint8Array(native.width * native.height * 2);
    let i = 0;
    for (let row = native.y; row < native.y + native.height; row++) {
      for (let column = native.x; column < native.x + native.width; column++) {
        const [x, y] = toLogical(this.rotation, column, row);
        const value = frame.pixels[y * frame.width + x]!;
        data[i++] = value >> 8;
        data[i++] = value & 0xff;
      }
    }
    const left = native.x + this.offsetLeft;
    const top = native.y + this.offsetTop;
    await this.send(Cmd.CASET, address16(left, left + native.width - 1));
    await this.send(Cmd.RASET, address16(top, top + native.height - 1));
    await this.send(Cmd.RAMWR, data);
  }

  /** A command byte with DC low, then its data (if any) with DC high, in spidev-sized transfers. */
  private async send(command: number, data: ArrayLike<number>): Promise<void> {
    this.options.dc.set(false);
    await this.options.spi.transfer(Uint8Array.of(command));
    this.count(1, 1);
    if (data.length === 0) return;
    this.options.dc.set(true);
    const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
    this.count(bytes.length, await writeSpi(this.options.spi, bytes));
  }

  private count(bytes: number, transactions: number): void {
    this.stats.bytes += bytes;
    this.stats.transactions += transactions;
  }

  private setBacklight(on: boolean): void {
    this.options.backlight?.set(on);
    this.backlightOn = on;
  }

  private async guard(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      throw new DisplayHardwareError(`ST7735 on ${this.options.spi.name}: ${what} failed: ${messageOf(error)}`, errnoCode(error), { cause: error });
    }
  }
}
