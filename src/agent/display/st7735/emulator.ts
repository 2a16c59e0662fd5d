import type { Clock } from '../../../common/clock.js';
import { createRgb565Frame, type Rgb565Frame } from '../framebuffer.js';
import type { GpioLine } from '../gpio.js';
import { DisplayHardwareError } from '../hardware-error.js';
import { SPIDEV_BUFFER_BYTES, type SpiBus } from '../spi.js';
import {
  Cmd,
  COLMOD_18BIT,
  DEFAULT_OFFSET_LEFT,
  DEFAULT_OFFSET_TOP,
  MADCTL_BGR,
  MADCTL_MX,
  MADCTL_MY,
  RAM_COLUMNS,
  RAM_ROWS,
  SWRESET_BUSY_MS,
} from './registers.js';
import { logicalSize, toNative, type St7735Rotation } from './rotation.js';

/** One command as the controller decoded it: the command byte with the data bytes that followed (DC high). */
export interface DecodedCommand {
  readonly command: number;
  /** Parameter bytes; for RAMWR empty (see `ramBytes`). */
  readonly params: number[];
  /** RAMWR only: pixel bytes written. */
  ramBytes: number;
  /** Monotonic time the command byte arrived. */
  readonly at: number;
  /** Arrived within 5 ms of SWRESET, so the controller ignored it. */
  readonly ignored: boolean;
}

export interface SpiTraffic {
  transfers: number;
  bytes: number;
  /** Transfers that failed (injected fault or over the spidev buffer). */
  failed: number;
}

/** Panel facts: how the glass is wired to the controller. */
export interface St7735PanelOptions {
  clock: Clock;
  /** The mounting: the rotation at which `frame()` shows the picture upright. Enviro: 270. */
  viewRotation?: St7735Rotation;
  /** Sub-pixels in B-G-R order, so MADCTL BGR=1 shows true colours (the 0.96" panel: true). */
  panelBgr?: boolean;
  /** An IPS (normally black) panel needs INVON to show true colours (the 0.96" panel: true). */
  panelNeedsInversion?: boolean;
}

const LOG_LIMIT = 512;

/**
 * Register-level model of an ST7735S behind SPI + DC, wired to the 0.96" 80x160 panel as on the
 * Enviro. Decodes the byte stream (DC low: command byte; DC high: its parameters, or pixel data
 * after RAMWR) into a 132x162 frame memory, honouring CASET/RASET windows (the write pointer
 * wraps inside the window like the real controller), MADCTL MX/MY (MV, ML and MH are not
 * modelled) and BGR, COLMOD 16- or 18-bit, INVON/INVOFF, SLPIN/SLPOUT, DISPON/DISPOFF, and
 * SWRESET (registers to reset values, RAM kept, commands ignored for 5 ms). The glass shows RAM
 * columns 26..105, rows 1..160; `frame()` returns what a person sees, upright for the mounting.
 * Faults: failing transfers, and the spidev limit of 4096 bytes per transfer (EMSGSIZE).
 */
export class St7735Emulator {
  readonly traffic: SpiTraffic = { transfers: 0, bytes: 0, failed: 0 };
  /** The most recent decoded commands (up to 512), oldest first. */
  readonly log: DecodedCommand[] = [];

  readonly spi: SpiBus;
  readonly dc: GpioLine;
  readonly backlight: GpioLine;

  private readonly clock: Clock;
  private readonly viewRotation: St7735Rotation;
  private readonly panelBgr: boolean;
  private readonly panelNeedsInversion: boolean;
  /** Physical RAM, one RGB565 value per cell (18-bit writes are kept to 16 bits). */
  private readonly ram = new Uint16Array(RAM_COLUMNS * RAM_ROWS);
  private dcHigh = false;
  private backlightOn = false;
  private failures: { remaining: number; code: string } = { remaining: 0, code: 'EIO' };

  private sleeping = true;
  private displayOn = false;
  private inverted = false;
  private madctl = 0;
  private colmod = COLMOD_18BIT;
  private columns: [number, number] = [0, RAM_COLUMNS - 1];
  private rows: [number, number] = [0, RAM_ROWS - 1];
  private resetAt = Number.NEGATIVE_INFINITY;
  private current: DecodedCommand | undefined;
  private pointer: [column: number, row: number] = [0, 0];
  private pixelBytes: number[] = [];

  constructor(options: St7735PanelOptions) {
    this.clock = options.clock;
    this.viewRotation = options.viewRotation ?? 270;
    this.panelBgr = options.panelBgr ?? true;
    this.panelNeedsInversion = options.panelNeedsInversion ?? true;
    // Power-on RAM content is undefined: fill it with noise so a frame that was not sent shows.
    let seed = 0x2545f491;
    for (let i = 0; i < this.ram.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      this.ram[i] = seed >>> 16;
    }
    const emulator = this;
    this.spi = {
      name: 'emulated ST7735 spidev',
      transfer: async (data) => emulator.transfer(data),
      close: async () => {},
    };
    this.dc = { name: 'emulated DC line', set: (high) => (emulator.dcHigh = high), release: () => {} };
    this.backlight = { name: 'emulated backlight line', set: (high) => (emulator.backlightOn = high), release: () => {} };
  }

  /** The next `count` transfers fail with `code` and reach nothing. */
  failNextTransfers(count: number, code = 'EIO'): void {
    this.failures = { remaining: count, code };
  }

  resetTraffic(): void {
    Object.assign(this.traffic, { transfers: 0, bytes: 0, failed: 0 });
  }

  get state() {
    return {
      sleeping: this.sleeping,
      displayOn: this.displayOn,
      inverted: this.inverted,
      madctl: this.madctl,
      colmod: this.colmod,
      backlight: this.backlightOn,
      columns: [...this.columns] as const,
      rows: [...this.rows] as const,
    };
  }

  /** The RGB565 value stored at a column/row address as the host addresses it under the current MADCTL. */
  pixelAtAddress(column: number, row: number): number {
    const [pc, pr] = this.physical(column, row);
    return this.ram[pr * RAM_COLUMNS + pc]!;
  }

  /**
   * The picture on the glass in logical orientation (upright for `viewRotation`), as RGB565 of
   * the colour a person sees: black while the backlight is off, asleep or DISPOFF; R and B
   * swapped when MADCTL's BGR bit does not match the panel; inverted when INVON does not.
   */
  frame(viewRotation: St7735Rotation = this.viewRotation): Rgb565Frame {
    const { width, height } = logicalSize(viewRotation);
    const frame = createRgb565Frame(width, height);
    if (!this.backlightOn || this.sleeping || !this.displayOn) return frame;
    const swap = ((this.madctl & MADCTL_BGR) !== 0) !== this.panelBgr;
    const invert = this.inverted !== this.panelNeedsInversion ? 0xffff : 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [gx, gy] = toNative(viewRotation, x, y);
        let value = this.ram[this.glassToRam(gx, gy)]!;
        if (swap) value = ((value & 0x1f) << 11) | (value & 0x07e0) | (value >> 11);
        frame.pixels[y * width + x] = value ^ invert;
      }
    }
    return frame;
  }

  /**
   * Glass (native portrait, as seen from the front) → RAM index. The panel is wired to physical
   * columns 26..105 and rows 1..160 so that, with Pimoroni's MADCTL (MX=MY=1), host address
   * (26 + x, 1 + y) lands on glass (x, y).
   */
  private glassToRam(x: number, y: number): number {
    const pc = RAM_COLUMNS - 1 - (DEFAULT_OFFSET_LEFT + x);
    const pr = RAM_ROWS - 1 - (DEFAULT_OFFSET_TOP + y);
    return pr * RAM_COLUMNS + pc;
  }

  private physical(column: number, row: number): [number, number] {
    return [this.madctl & MADCTL_MX ? RAM_COLUMNS - 1 - column : column, this.madctl & MADCTL_MY ? RAM_ROWS - 1 - row : row];
  }

  private transfer(data: Uint8Array): void {
    this.traffic.transfers += 1;
    if (data.length > SPIDEV_BUFFER_BYTES) {
      this.traffic.failed += 1;
      throw new DisplayHardwareError(`SPI transfer on ${this.spi.name} failed: Message too long (${data.length} > ${SPIDEV_BUFFER_BYTES} bytes)`, 'EMSGSIZE');
    }
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      this.traffic.failed += 1;
      throw new DisplayHardwareError(
        `SPI transfer on ${this.spi.name} failed: ${this.failures.code === 'EIO' ? 'Input/output error' : this.failures.code}`,
        this.failures.code,
      );
    }
    this.traffic.bytes += data.length;
    if (this.dcHigh) {
      for (const byte of data) this.data(byte);
    } else {
      for (const byte of data) this.command(byte);
    }
  }

  private command(byte: number): void {
    const now = this.clock.monotonic();
    const ignored = now - this.resetAt < SWRESET_BUSY_MS;
    this.current = { command: byte, params: [], ramBytes: 0, at: now, ignored };
    this.log.push(this.current);
    if (this.log.length > LOG_LIMIT) this.log.shift();
    if (ignored) return;
    switch (byte) {
      case Cmd.SWRESET:
        this.resetAt = now;
        this.sleeping = true;
        this.displayOn = false;
        this.inverted = false;
        this.madctl = 0;
        this.colmod = COLMOD_18BIT;
        this.columns = [0, RAM_COLUMNS - 1];
        this.rows = [0, RAM_ROWS - 1];
        break;
      case Cmd.SLPIN:
        this.sleeping = true;
        break;
      case Cmd.SLPOUT:
        this.sleeping = false;
        break;
      case Cmd.INVON:
      case Cmd.INVOFF:
        this.inverted = byte === Cmd.INVON;
        break;
      case Cmd.DISPON:
      case Cmd.DISPOFF:
        this.displayOn = byte === Cmd.DISPON;
        break;
      case Cmd.RAMWR:
        this.pointer = [this.columns[0], this.rows[0]];
        this.pixelBytes = [];
        break;
    }
  }

  private data(byte: number): void {
    const current = this.current;
    if (!current || current.ignored) return;
    if (current.command !== Cmd.RAMWR) {
      current.params.push(byte);
      this.latch(current);
      return;
    }
    current.ramBytes += 1;
    this.pixelBytes.push(byte);
    const size = this.colmod === COLMOD_18BIT ? 3 : 2;
    if (this.pixelBytes.length < size) return;
    const [a, b, c] = this.pixelBytes as [number, number, number];
    this.pixelBytes = [];
    this.writePixel(size === 2 ? (a << 8) | b : ((a >> 3) << 11) | ((b >> 2) << 5) | (c >> 3));
  }

  /** Writes at the pointer, then advances it: column first, wrapping to the next row, and from the window's end back to its start. */
  private writePixel(value: number): void {
    const [column, row] = this.pointer;
    const [pc, pr] = this.physical(column, row);
    if (pc >= 0 && pc < RAM_COLUMNS && pr >= 0 && pr < RAM_ROWS) this.ram[pr * RAM_COLUMNS + pc] = value;
    let nextColumn = column + 1;
    let nextRow = row;
    if (nextColumn > this.columns[1]) {
      nextColumn = this.columns[0];
      nextRow = row + 1 > this.rows[1] ? this.rows[0] : row + 1;
    }
    this.pointer = [nextColumn, nextRow];
  }

  /** Parameters take effect once complete; extra bytes are ignored, as by the controller. */
  private latch(current: DecodedCommand): void {
    const p = current.params;
    const word = (i: number) => (p[i]! << 8) | p[i + 1]!;
    if (current.command === Cmd.CASET && p.length === 4) this.columns = [word(0), word(2)];
    if (current.command === Cmd.RASET && p.length === 4) this.rows = [word(0), word(2)];
    if (current.command === Cmd.MADCTL && p.length === 1) this.madctl = p[0]!;
    if (current.command === Cmd.COLMOD && p.length === 1) this.colmod = p[0]! & 0x07;
  }
}
