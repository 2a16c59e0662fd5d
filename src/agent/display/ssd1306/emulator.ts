import type { I2cDeviceEmulator } from '../../i2c/emulated-bus.js';
import { createMonoFrame, setMonoPixel, type MonoFrame } from '../framebuffer.js';
import { AddressingMode, ARGUMENT_COUNT, Cmd, CONTROL_CO, CONTROL_DATA, HEIGHT, PAGES, WIDTH } from './registers.js';

export interface DecodedSsd1306Command {
  readonly command: number;
  readonly args: number[];
}

const LOG_LIMIT = 512;

/**
 * Register-level model of an SSD1306 on I²C, wired to a 128x64 module. Each write transaction
 * is parsed by its control bytes (Co/D-C#: 0x80 one command byte, 0x00 commands to the end,
 * 0x40 data to the end, 0xC0 one data byte); commands with their arguments set the addressing
 * mode (horizontal, vertical, page), COLADDR/PAGEADDR windows, page-mode start column and page,
 * start line, display offset, multiplex, segment remap, COM scan direction, contrast, A4/A5,
 * A6/A7 invert, charge pump and display on/off; data goes to the 1 KiB GDDRAM at the pointer,
 * which advances and wraps like the datasheet's addressing modes. Scroll commands are parsed,
 * not emulated. Power-on state: page mode, no remap, display off, charge pump off, RAM noise.
 * Bus faults (NACK, absent device) come from EmulatedI2cBus.
 */
export class Ssd1306Emulator implements I2cDeviceEmulator {
  /** The most recent commands (up to 512), oldest first. */
  readonly log: DecodedSsd1306Command[] = [];
  /** Data bytes written to GDDRAM. */
  dataBytes = 0;

  private readonly ram = new Uint8Array(WIDTH * PAGES);
  private pending: DecodedSsd1306Command | undefined;
  private mode: number = AddressingMode.PAGE;
  private columns: [number, number] = [0, WIDTH - 1];
  private pages: [number, number] = [0, PAGES - 1];
  private pageModeColumn = 0;
  private column = 0;
  private page = 0;
  private startLine = 0;
  private displayOffset = 0;
  private multiplex = HEIGHT - 1;
  private segmentRemap = false;
  private comScanReversed = false;
  private contrast = 0x7f;
  private entireOn = false;
  private inverted = false;
  private chargePump = false;
  private displayOn = false;

  constructor() {
    let seed = 0x1d872b41;
    for (let i = 0; i < this.ram.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      this.ram[i] = seed >>> 24;
    }
  }

  get state() {
    return {
      mode: this.mode,
      displayOn: this.displayOn,
      chargePump: this.chargePump,
      inverted: this.inverted,
      entireOn: this.entireOn,
      contrast: this.contrast,
      segmentRemap: this.segmentRemap,
      comScanReversed: this.comScanReversed,
      startLine: this.startLine,
      columns: [...this.columns] as const,
      pages: [...this.pages] as const,
    };
  }

  /** GDDRAM byte at column/page, as written (before remap, invert or start line). */
  ramByte(column: number, page: number): number {
    return this.ram[page * WIDTH + column]!;
  }

  /** The control byte arrives as the "register", the rest of the transaction as data. */
  write(control: number, data: Uint8Array): void {
    let controlByte = control;
    let i = 0;
    for (;;) {
      const handle = (controlByte & CONTROL_DATA) !== 0 ? (byte: number) => this.writeData(byte) : (byte: number) => this.command(byte);
      if ((controlByte & CONTROL_CO) === 0) {
        for (; i < data.length; i++) handle(data[i]!);
        return;
      }
      if (i >= data.length) return;
      handle(data[i++]!);
      if (i >= data.length) return;
      controlByte = data[i++]!;
    }
  }

  /** Status read: bit 6 set while the display is off (the other bits are not modelled). */
  read(_register: number, length: number): Uint8Array {
    return new Uint8Array(length).fill(this.displayOn ? 0x00 : 0x40);
  }

  /**
   * The picture as seen on the glass, upright for a module mounted at `viewRotation` (0: as
   * micropython-lib's default A1/C8 shows the frame; 180: turned round, for A0/C0). Dark when
   * off or without the charge pump; A5 lights everything; A7 inverts; rows at or beyond the
   * multiplex ratio stay dark.
   */
  frame(viewRotation: 0 | 180 = 0): MonoFrame {
    const frame = createMonoFrame(WIDTH, HEIGHT);
    if (!this.displayOn || !this.chargePump) return frame;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        // Glass position (upright for A1/C8): the column driving it and the COM row scanning it.
        const gx = viewRotation === 0 ? x : WIDTH - 1 - x;
        const gy = viewRotation === 0 ? y : HEIGHT - 1 - y;
        const column = this.segmentRemap ? gx : WIDTH - 1 - gx;
        const scanRow = this.comScanReversed ? gy : HEIGHT - 1 - gy;
        if (scanRow > this.multiplex) continue;
        const row = (scanRow + this.startLine + this.displayOffset) % HEIGHT;
        const bit = ((this.ram[(row >> 3) * WIDTH + column]! >> (row & 7)) & 1) === 1;
        setMonoPixel(frame, x, y, this.entireOn || bit !== this.inverted);
      }
    }
    return frame;
  }

  private command(byte: number): void {
    const pending = this.pending;
    if (pending) {
      pending.args.push(byte);
      if (pending.args.length === (ARGUMENT_COUNT[pending.command] ?? 0)) this.execute(pending);
      return;
    }
    const entry: DecodedSsd1306Command = { command: byte, args: [] };
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.shift();
    if ((ARGUMENT_COUNT[byte] ?? 0) > 0) this.pending = entry;
    else this.execute(entry);
  }

  private execute(entry: DecodedSsd1306Command): void {
    this.pending = undefined;
    const { command, args } = entry;
    const arg = args[0] ?? 0;
    const pageMode = this.mode === AddressingMode.PAGE;
    if (command <= 0x1f) {
      // Page-mode column start (low or high nibble); the pointer moves only in page mode.
      this.pageModeColumn = command <= 0x0f ? (this.pageModeColumn & 0xf0) | command : (this.pageModeColumn & 0x0f) | ((command & 0x07) << 4);
      if (pageMode) this.column = this.pageModeColumn;
    } else if (command >= Cmd.START_LINE && command <= 0x7f) this.startLine = command & 0x3f;
    else if (command >= Cmd.PAGE_START && command <= 0xb7) {
      if (pageMode) this.page = command & 0x07;
    } else {
      switch (command) {
        case Cmd.MEMORY_MODE:
          this.mode = arg & 0x03;
          break;
        case Cmd.COLUMN_ADDRESS:
          this.columns = [args[0]! & 0x7f, args[1]! & 0x7f];
          this.column = this.columns[0];
          break;
        case Cmd.PAGE_ADDRESS:
          this.pages = [args[0]! & 0x07, args[1]! & 0x07];
          this.page = this.pages[0];
          break;
        case Cmd.CONTRAST:
          this.contrast = arg;
          break;
        case Cmd.CHARGE_PUMP:
          this.chargePump = (arg & 0x04) !== 0;
          break;
        case Cmd.SEGMENT_REMAP_OFF:
        case Cmd.SEGMENT_REMAP_ON:
          this.segmentRemap = command === Cmd.SEGMENT_REMAP_ON;
          break;
        case Cmd.ENTIRE_ON_RESUME:
        case Cmd.ENTIRE_ON:
          this.entireOn = command === Cmd.ENTIRE_ON;
          break;
        case Cmd.NORMAL:
        case Cmd.INVERT:
          this.inverted = command === Cmd.INVERT;
          break;
        case Cmd.MULTIPLEX:
          if (arg >= 15) this.multiplex = Math.min(arg & 0x3f, HEIGHT - 1);
          break;
        case Cmd.DISPLAY_OFF:
        case Cmd.DISPLAY_ON:
          this.displayOn = command === Cmd.DISPLAY_ON;
          break;
        case Cmd.COM_SCAN_INC:
        case Cmd.COM_SCAN_DEC:
          this.comScanReversed = command === Cmd.COM_SCAN_DEC;
          break;
        case Cmd.DISPLAY_OFFSET:
          this.displayOffset = arg & 0x3f;
          break;
      }
    }
  }

  /** Stores a byte at the pointer and advances it as the addressing mode says. */
  private writeData(byte: number): void {
    this.ram[this.page * WIDTH + this.column] = byte;
    this.dataBytes += 1;
    const [c0, c1] = this.columns;
    const [p0, p1] = this.pages;
    if (this.mode === AddressingMode.HORIZONTAL) {
      if (this.column < c1) this.column += 1;
      else {
        this.column = c0;
        this.page = this.page < p1 ? this.page + 1 : p0;
      }
    } else if (this.mode === AddressingMode.VERTICAL) {
      if (this.page < p1) this.page += 1;
      else {
        this.page = p0;
        this.column = this.column < c1 ? this.column + 1 : c0;
      }
    } else {
      // Page mode: the column wraps to the page-mode start column, the page stays.
      this.column = this.column < WIDTH - 1 ? this.column + 1 : this.pageModeColumn;
    }
  }
}
