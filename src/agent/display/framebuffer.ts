/**
 * The two framebuffer formats the renderer produces and the display drivers send. Kept here,
 * apart from both, so rendering (pure) and transmission (I/O) agree on one layout.
 *
 * Both are in the *logical* (landscape, as the user reads it) orientation; a driver rotates
 * into its controller's native layout while sending.
 */

/** Colour frame: one RGB565 value per pixel, row-major, `pixels[y * width + x]`. */
export interface Rgb565Frame {
  readonly kind: 'rgb565';
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint16Array;
}

/**
 * Monochrome frame in the SSD1306's own page layout (MONO_VLSB): byte `page * width + x`,
 * bit `y & 7` (LSB = top row of the page), page = `y >> 3`. A set bit is a lit pixel.
 */
export interface MonoFrame {
  readonly kind: 'mono';
  readonly width: number;
  readonly height: number;
  readonly pages: Uint8Array;
}

export type Frame = Rgb565Frame | MonoFrame;

export function createRgb565Frame(width: number, height: number): Rgb565Frame {
  return { kind: 'rgb565', width, height, pixels: new Uint16Array(width * height) };
}

export function createMonoFrame(width: number, height: number): MonoFrame {
  if (height % 8 !== 0) throw new RangeError(`mono frame height must be a multiple of 8, got ${height}`);
  return { kind: 'mono', width, height, pages: new Uint8Array((width * height) / 8) };
}

/** RGB888 → RGB565, as Pimoroni's driver packs it. */
export function rgb565(r: number, g: number, b: number): number {
  return ((r & 0xf8) << 8) | ((g & 0xfc) << 3) | (b >> 3);
}

export function monoPixel(frame: MonoFrame, x: number, y: number): boolean {
  return ((frame.pages[(y >> 3) * frame.width + x]! >> (y & 7)) & 1) === 1;
}

export function setMonoPixel(frame: MonoFrame, x: number, y: number, lit: boolean): void {
  const index = (y >> 3) * frame.width + x;
  const bit = 1 << (y & 7);
  frame.pages[index] = lit ? frame.pages[index]! | bit : frame.pages[index]! & ~bit;
}
