import { PANEL_HEIGHT, PANEL_WIDTH } from './registers.js';
import type { Rect } from '../dirty.js';

/**
 * Software rotation as Pimoroni's driver does it (`np.rot90(image, rotation // 90)`, counter-
 * clockwise quarter turns from the logical image to the panel's native 80x160 portrait layout;
 * MADCTL stays fixed). 90 and 270 give a 160x80 landscape logical frame, 0 and 180 an 80x160
 * portrait one. Shared by the driver (logical → native) and the emulator (native → logical).
 */
export type St7735Rotation = 0 | 90 | 180 | 270;

export function logicalSize(rotation: St7735Rotation): { width: number; height: number } {
  return rotation === 90 || rotation === 270 ? { width: PANEL_HEIGHT, height: PANEL_WIDTH } : { width: PANEL_WIDTH, height: PANEL_HEIGHT };
}

/** Logical pixel (x, y) → native panel column and row. */
export function toNative(rotation: St7735Rotation, x: number, y: number): [column: number, row: number] {
  switch (rotation) {
    case 0:
      return [x, y];
    case 90:
      return [y, PANEL_HEIGHT - 1 - x];
    case 180:
      return [PANEL_WIDTH - 1 - x, PANEL_HEIGHT - 1 - y];
    case 270:
      return [PANEL_WIDTH - 1 - y, x];
  }
}

/** Native panel column and row → logical pixel (x, y); the inverse of toNative. */
export function toLogical(rotation: St7735Rotation, column: number, row: number): [x: number, y: number] {
  switch (rotation) {
    case 0:
      return [column, row];
    case 90:
      return [PANEL_HEIGHT - 1 - row, column];
    case 180:
      return [PANEL_WIDTH - 1 - column, PANEL_HEIGHT - 1 - row];
    case 270:
      return [row, PANEL_WIDTH - 1 - column];
  }
}

/** A logical rectangle → the native window holding the same pixels (rotation keeps rectangles rectangles). */
export function nativeWindow(rotation: St7735Rotation, rect: Rect): Rect {
  const [c0, r0] = toNative(rotation, rect.x, rect.y);
  const [c1, r1] = toNative(rotation, rect.x + rect.width - 1, rect.y + rect.height - 1);
  const x = Math.min(c0, c1);
  const y = Math.min(r0, r1);
  return { x, y, width: Math.abs(c1 - c0) + 1, height: Math.abs(r1 - r0) + 1 };
}
