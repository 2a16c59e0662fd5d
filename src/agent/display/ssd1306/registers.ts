/**
 * SSD1306 commands, control bytes and the 128x64 module's init sequence, after micropython-lib's
 * ssd1306.py and Adafruit_CircuitPython_SSD1306 (see /work/shared/hardware/displays.md).
 */
export const Cmd = {
  /** 0x00–0x0F / 0x10–0x1F: lower / higher nibble of the page-mode column start. */
  LOW_COLUMN: 0x00,
  HIGH_COLUMN: 0x10,
  MEMORY_MODE: 0x20,
  COLUMN_ADDRESS: 0x21,
  PAGE_ADDRESS: 0x22,
  /** 0x40–0x7F: display start line. */
  START_LINE: 0x40,
  CONTRAST: 0x81,
  CHARGE_PUMP: 0x8d,
  SEGMENT_REMAP_OFF: 0xa0,
  SEGMENT_REMAP_ON: 0xa1,
  ENTIRE_ON_RESUME: 0xa4,
  ENTIRE_ON: 0xa5,
  NORMAL: 0xa6,
  INVERT: 0xa7,
  MULTIPLEX: 0xa8,
  DISPLAY_OFF: 0xae,
  DISPLAY_ON: 0xaf,
  /** 0xB0–0xB7: page-mode page start. */
  PAGE_START: 0xb0,
  COM_SCAN_INC: 0xc0,
  COM_SCAN_DEC: 0xc8,
  DISPLAY_OFFSET: 0xd3,
  CLOCK_DIV: 0xd5,
  PRECHARGE: 0xd9,
  COM_PINS: 0xda,
  VCOMH: 0xdb,
  NOP: 0xe3,
} as const;

/** Addressing modes (MEMORY_MODE argument). Power-on: page. */
export const AddressingMode = { HORIZONTAL: 0, VERTICAL: 1, PAGE: 2 } as const;

/** Control byte: Co (bit 7) = 1 means one byte follows then another control byte; D/C# (bit 6) = 1 means data. */
export const CONTROL_CO = 0x80;
export const CONTROL_DATA = 0x40;
/** A transaction of commands (and their arguments) only. */
export const CONTROL_COMMANDS = 0x00;

/** Arguments each command takes; a command absent here takes none. */
export const ARGUMENT_COUNT: Readonly<Record<number, number>> = {
  [Cmd.MEMORY_MODE]: 1,
  [Cmd.COLUMN_ADDRESS]: 2,
  [Cmd.PAGE_ADDRESS]: 2,
  [Cmd.CONTRAST]: 1,
  [Cmd.CHARGE_PUMP]: 1,
  [Cmd.MULTIPLEX]: 1,
  [Cmd.DISPLAY_OFFSET]: 1,
  [Cmd.CLOCK_DIV]: 1,
  [Cmd.PRECHARGE]: 1,
  [Cmd.COM_PINS]: 1,
  [Cmd.VCOMH]: 1,
  // Scrolling (parsed so their arguments are not taken for commands; not emulated):
  0x26: 6,
  0x27: 6,
  0x29: 5,
  0x2a: 5,
  0xa3: 2,
};

export const WIDTH = 128;
export const HEIGHT = 64;
export const PAGES = HEIGHT / 8;
export const DEFAULT_ADDRESS = 0x3c;

/**
 * micropython-lib's init for a 128x64 module on the internal charge pump, without 0xAD (IREF,
 * an SSD1315 command not in the SSD1306 table). Rotation 180 uses segment remap and COM scan
 * direction (micropython-lib's `rotate()`), so the frame itself is sent unchanged.
 */
export function initCommands(options: { rotation: 0 | 180; contrast: number }): number[] {
  const upright = options.rotation === 0;
  return [
    Cmd.DISPLAY_OFF,
    Cmd.MEMORY_MODE,
    AddressingMode.HORIZONTAL,
    Cmd.START_LINE | 0,
    upright ? Cmd.SEGMENT_REMAP_ON : Cmd.SEGMENT_REMAP_OFF,
    Cmd.MULTIPLEX,
    HEIGHT - 1,
    upright ? Cmd.COM_SCAN_DEC : Cmd.COM_SCAN_INC,
    Cmd.DISPLAY_OFFSET,
    0x00,
    Cmd.COM_PINS,
    0x12,
    Cmd.CLOCK_DIV,
    0x80,
    Cmd.PRECHARGE,
    0xf1,
    Cmd.VCOMH,
    0x30,
    Cmd.CONTRAST,
    options.contrast,
    Cmd.ENTIRE_ON_RESUME,
    Cmd.NORMAL,
    Cmd.CHARGE_PUMP,
    0x14,
    Cmd.DISPLAY_ON,
  ];
}
