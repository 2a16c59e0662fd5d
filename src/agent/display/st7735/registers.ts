/**
 * ST7735 commands and the Pimoroni 0.96" 160x80 panel's geometry, from Pimoroni's st7735-python
 * (see /work/shared/hardware/displays.md and HARDWARE.md beside this folder).
 */
export const Cmd = {
  SWRESET: 0x01,
  SLPIN: 0x10,
  SLPOUT: 0x11,
  NORON: 0x13,
  INVOFF: 0x20,
  INVON: 0x21,
  DISPOFF: 0x28,
  DISPON: 0x29,
  CASET: 0x2a,
  RASET: 0x2b,
  RAMWR: 0x2c,
  MADCTL: 0x36,
  COLMOD: 0x3a,
  FRMCTR1: 0xb1,
  FRMCTR2: 0xb2,
  FRMCTR3: 0xb3,
  INVCTR: 0xb4,
  PWCTR1: 0xc0,
  PWCTR2: 0xc1,
  PWCTR4: 0xc3,
  PWCTR5: 0xc4,
  VMCTR1: 0xc5,
  GMCTRP1: 0xe0,
  GMCTRN1: 0xe1,
} as const;

/** Controller frame memory. */
export const RAM_COLUMNS = 132;
export const RAM_ROWS = 162;
/** The panel in its native (portrait) orientation. */
export const PANEL_WIDTH = 80;
export const PANEL_HEIGHT = 160;
/** Centring offsets of the panel in RAM: (132 − 80) / 2 and (162 − 160) / 2. */
export const DEFAULT_OFFSET_LEFT = 26;
export const DEFAULT_OFFSET_TOP = 1;

export const MADCTL_MY = 0x80;
export const MADCTL_MX = 0x40;
export const MADCTL_MV = 0x20;
export const MADCTL_BGR = 0x08;
/** Pimoroni's fixed MADCTL: MY and MX (rotation is done in software), plus BGR when asked. */
export function madctlValue(bgr: boolean): number {
  return MADCTL_MY | MADCTL_MX | (bgr ? MADCTL_BGR : 0);
}

/** COLMOD interface formats: 16-bit RGB565 (what we send) and 18-bit, the reset default. */
export const COLMOD_16BIT = 0x05;
export const COLMOD_18BIT = 0x06;

/** ST7735S datasheet: wait 5 ms after SWRESET before the next command; the controller ignores commands meanwhile. */
export const SWRESET_BUSY_MS = 5;

export interface InitStep {
  readonly command: number;
  readonly params: readonly number[];
  /** Pause after the step, as Pimoroni's `_init()` sleeps. */
  readonly waitMs: number;
}

/** Pimoroni's `_init()` sequence for the 160x80 panel (displays.md, rows 1–20). */
export function initSequence(options: { invert: boolean; bgr: boolean; offsetLeft: number; offsetTop: number }): InitStep[] {
  const step = (command: number, params: number[] = [], waitMs = 0): InitStep => ({ command, params, waitMs });
  const { offsetLeft: left, offsetTop: top } = options;
  return [
    step(Cmd.SWRESET, [], 150),
    step(Cmd.SLPOUT, [], 500),
    step(Cmd.FRMCTR1, [0x01, 0x2c, 0x2d]),
    step(Cmd.FRMCTR2, [0x01, 0x2c, 0x2d]),
    step(Cmd.FRMCTR3, [0x01, 0x2c, 0x2d, 0x01, 0x2c, 0x2d]),
    step(Cmd.INVCTR, [0x07]),
    step(Cmd.PWCTR1, [0xa2, 0x02, 0x84]),
    step(Cmd.PWCTR2, [0x0a, 0x00]),
    step(Cmd.PWCTR4, [0x8a, 0x2a]),
    step(Cmd.PWCTR5, [0x8a, 0xee]),
    step(Cmd.VMCTR1, [0x0e]),
    step(options.invert ? Cmd.INVON : Cmd.INVOFF),
    step(Cmd.MADCTL, [madctlValue(options.bgr)]),
    step(Cmd.COLMOD, [COLMOD_16BIT]),
    step(Cmd.CASET, address16(left, left + PANEL_WIDTH - 1)),
    step(Cmd.RASET, address16(top, top + PANEL_HEIGHT - 1)),
    step(Cmd.GMCTRP1, [0x02, 0x1c, 0x07, 0x12, 0x37, 0x32, 0x29, 0x2d, 0x29, 0x25, 0x2b, 0x39, 0x00, 0x01, 0x03, 0x10]),
    step(Cmd.GMCTRN1, [0x03, 0x1d, 0x07, 0x06, 0x2e, 0x2c, 0x29, 0x2d, 0x2e, 0x2e, 0x37, 0x3f, 0x00, 0x00, 0x02, 0x10]),
    step(Cmd.NORON, [], 100),
    step(Cmd.DISPON, [], 100),
  ];
}

/** CASET/RASET parameters: start and end, 16-bit big-endian each. */
export function address16(start: number, end: number): number[] {
  return [start >> 8, start & 0xff, end >> 8, end & 0xff];
}
