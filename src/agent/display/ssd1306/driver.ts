import { hex } from '../../../common/errors.js';
import type { I2cBus } from '../../i2c/bus.js';
import { changedMonoWindows, SSD1306_WINDOW_COST, type Rect } from '../dirty.js';
import type { DisplayDriver, TransferStats } from '../driver.js';
import type { Frame, MonoFrame } from '../framebuffer.js';
import { DisplayHardwareError, errnoCode, messageOf } from '../hardware-error.js';
import { Cmd, CONTROL_COMMANDS, CONTROL_DATA, DEFAULT_ADDRESS, HEIGHT, initCommands, WIDTH } from './registers.js';

export interface Ssd1306Options {
  bus: I2cBus;
  /** For messages, e.g. `/dev/i2c-1`. */
  busName: string;
  address?: number;
  rotation?: 0 | 180;
  contrast?: number;
  /** Close the bus on `close` (false when it is the sensors' shared bus). */
  ownsBus?: boolean;
}

/**
 * SSD1306 128x64 over our I²C bus. Not through `oled-i2c-bus`: that package writes every
 * command byte as its own 2-byte transaction, blocks the event loop (i2cWriteSync), throws its
 * errors from timers, and its dirty-byte path readdresses each changed byte (6 command
 * transactions + 1 data transaction, 14 bytes, per byte; a clock-digit change of ~80 bytes costs
 * more than a full 1 KiB frame; see HARDWARE.md and bench/display-bench.ts for the counts).
 * Here the init is one transaction, and `show` writes each changed window (dirty.ts: column
 * range × page range) as one command transaction (COLADDR, PAGEADDR) plus one data transaction
 * in horizontal addressing mode, whose pointer wraps inside the window.
 */
export class Ssd1306Driver implements DisplayDriver {
  readonly width = WIDTH;
  readonly height = HEIGHT;
  readonly format = 'mono' as const;
  private readonly address: number;
  private previous: MonoFrame | undefined;
  private stats = { bytes: 0, transactions: 0 };

  constructor(private readonly options: Ssd1306Options) {
    this.address = options.address ?? DEFAULT_ADDRESS;
  }

  async open(): Promise<void> {
    this.previous = undefined;
    await this.guard('initialising', () => this.commands(initCommands({ rotation: this.options.rotation ?? 0, contrast: this.options.contrast ?? 0xff })));
  }

  async show(frame: Frame): Promise<TransferStats> {
    if (frame.kind !== 'mono' || frame.width !== WIDTH || frame.height !== HEIGHT) {
      throw new RangeError(`the SSD1306 shows ${WIDTH}x${HEIGHT} mono frames, got ${frame.width}x${frame.height} ${frame.kind}`);
    }
    this.stats = { bytes: 0, transactions: 0 };
    const windows = changedMonoWindows(this.previous, frame, SSD1306_WINDOW_COST);
    this.previous = undefined; // until sent: after a failure the next show sends everything
    await this.guard('sending a frame', async () => {
      for (const window of windows) await this.writeWindow(frame, window);
    });
    this.previous = { ...frame, pages: frame.pages.slice() };
    return this.stats;
  }

  async close(): Promise<void> {
    try {
      await this.guard('switching off', () => this.commands([Cmd.DISPLAY_OFF]));
    } finally {
      if (this.options.ownsBus) await this.options.bus.close();
    }
  }

  /** `window` is in columns (x) × pages (y). */
  private async writeWindow(frame: MonoFrame, window: Rect): Promise<void> {
    const lastColumn = window.x + window.width - 1;
    const lastPage = window.y + window.height - 1;
    await this.commands([Cmd.COLUMN_ADDRESS, window.x, lastColumn, Cmd.PAGE_ADDRESS, window.y, lastPage]);
    const data = new Uint8Array(1 + window.width * window.height);
    data[0] = CONTROL_DATA;
    for (let page = window.y; page <= lastPage; page++) {
      data.set(frame.pages.subarray(page * WIDTH + window.x, page * WIDTH + lastColumn + 1), 1 + (page - window.y) * window.width);
    }
    await this.write(data);
  }

  /** Commands and their arguments in one transaction after control byte 0x00. */
  private commands(bytes: number[]): Promise<void> {
    return this.write(Uint8Array.of(CONTROL_COMMANDS, ...bytes));
  }

  private async write(data: Uint8Array): Promise<void> {
    await this.options.bus.write(this.address, data);
    this.stats.bytes += data.length;
    this.stats.transactions += 1;
  }

  private async guard(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const code = errnoCode(error);
      const hint = code === 'EREMOTEIO' || code === 'ENXIO' ? ' (no answer: is the display connected, at this address, and powered?)' : '';
      throw new DisplayHardwareError(`SSD1306 at ${hex(this.address)} on ${this.options.busName}: ${what} failed: ${messageOf(error)}${hint}`, code, {
        cause: error,
      });
    }
  }
}
