import { describe, expect, it } from 'vitest';
import {
  changedMonoWindows,
  changedRgb565Windows,
  changedWindows,
  ST7735_WINDOW_COST,
  totalBytes,
  windowBytes,
  type Rect,
} from '../../../src/agent/display/dirty.js';
import { createMonoFrame, createRgb565Frame } from '../../../src/agent/display/framebuffer.js';
import { randomMono, randomRgb565, seeded, withMonoChange, withRgb565Change } from '../../helpers/display-frames.js';

const inside = (rects: readonly Rect[], x: number, y: number) => rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);

describe('RGB565 dirty rectangles', () => {
  it('sends the whole frame when there is no previous one, and nothing when nothing changed', () => {
    const frame = randomRgb565(160, 80, seeded(1));
    expect(changedRgb565Windows(undefined, frame)).toEqual([{ x: 0, y: 0, width: 160, height: 80 }]);
    expect(changedRgb565Windows(frame, { ...frame, pixels: frame.pixels.slice() })).toEqual([]);
  });

  it('finds one pixel, and a changed block exactly', () => {
    const a = createRgb565Frame(160, 80);
    const b = createRgb565Frame(160, 80);
    b.pixels[5 * 160 + 7] = 1;
    expect(changedRgb565Windows(a, b)).toEqual([{ x: 7, y: 5, width: 1, height: 1 }]);
    const c = withRgb565Change(a, { x: 100, y: 60, width: 40, height: 12 }, seeded(2));
    expect(changedRgb565Windows(a, c)).toEqual([{ x: 100, y: 60, width: 40, height: 12 }]);
  });

  it('keeps distant changes apart and merges near ones', () => {
    const a = createRgb565Frame(160, 80);
    const far = createRgb565Frame(160, 80);
    far.pixels[0] = 1;
    far.pixels[79 * 160 + 159] = 1;
    expect(changedRgb565Windows(a, far)).toEqual([
      { x: 0, y: 0, width: 1, height: 1 },
      { x: 159, y: 79, width: 1, height: 1 },
    ]);
    const near = createRgb565Frame(160, 80);
    near.pixels[10 * 160 + 10] = 1;
    near.pixels[10 * 160 + 13] = 1; // 2-pixel gap: 4 bytes, cheaper than a second window (11 bytes)
    expect(changedRgb565Windows(a, near)).toEqual([{ x: 10, y: 10, width: 4, height: 1 }]);
  });

  it('covers every changed pixel within the window cap, never dearer than a full frame', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seeded(seed);
      const a = randomRgb565(160, 80, random);
      let b = a;
      const areas = 1 + Math.floor(random() * 20);
      for (let i = 0; i < areas; i++) {
        const width = 1 + Math.floor(random() * 30);
        const height = 1 + Math.floor(random() * 20);
        b = withRgb565Change(b, { x: Math.floor(random() * (160 - width)), y: Math.floor(random() * (80 - height)), width, height }, random);
      }
      const rects = changedRgb565Windows(a, b);
      expect(rects.length).toBeGreaterThan(0);
      expect(rects.length).toBeLessThanOrEqual(ST7735_WINDOW_COST.maxWindows);
      expect(totalBytes(rects, ST7735_WINDOW_COST)).toBeLessThanOrEqual(windowBytes({ x: 0, y: 0, width: 160, height: 80 }, ST7735_WINDOW_COST));
      for (let y = 0; y < 80; y++) for (let x = 0; x < 160; x++) if (a.pixels[y * 160 + x] !== b.pixels[y * 160 + x]) expect(inside(rects, x, y)).toBe(true);
    }
  });

  it('falls back to one full window when the changes are everywhere', () => {
    const random = seeded(3);
    expect(changedRgb565Windows(randomRgb565(160, 80, random), randomRgb565(160, 80, random))).toEqual([{ x: 0, y: 0, width: 160, height: 80 }]);
    // Two opposite corners changed, each large: two windows still cost less than the full frame.
    const a = createRgb565Frame(160, 80);
    const b = withRgb565Change(withRgb565Change(a, { x: 0, y: 0, width: 50, height: 30 }, random), { x: 110, y: 50, width: 50, height: 30 }, random);
    expect(changedRgb565Windows(a, b)).toHaveLength(2);
  });

  it('merges down to the cap, cheapest merge first', () => {
    const grid: Array<[number, number]> = [];
    for (let i = 0; i < 12; i++) grid.push([i * 13, (i % 3) * 30]);
    const rects = changedWindows(160, 80, (x, y) => grid.some(([gx, gy]) => gx === x && gy === y), { perWindowBytes: 11, bytesPerCell: 2, maxWindows: 4 });
    expect(rects).toHaveLength(4);
    for (const [x, y] of grid) expect(inside(rects, x, y)).toBe(true);
  });
});

describe('mono dirty page windows', () => {
  it('gives the changed column range of each page, stacked over pages when cheaper', () => {
    const a = createMonoFrame(128, 64);
    const b = withMonoChange(a, { x: 80, y: 0, width: 40, height: 12 }, seeded(4));
    expect(changedMonoWindows(a, b)).toEqual([{ x: 80, y: 0, width: 40, height: 2 }]);
    const c = createMonoFrame(128, 64);
    c.pages[3 * 128 + 5] = 1;
    c.pages[3 * 128 + 120] = 1;
    expect(changedMonoWindows(a, c)).toEqual([
      { x: 5, y: 3, width: 1, height: 1 },
      { x: 120, y: 3, width: 1, height: 1 },
    ]);
  });

  it('sends everything without a previous frame or when most bytes changed', () => {
    const random = seeded(5);
    expect(changedMonoWindows(undefined, createMonoFrame(128, 64))).toEqual([{ x: 0, y: 0, width: 128, height: 8 }]);
    expect(changedMonoWindows(randomMono(128, 64, random), randomMono(128, 64, random))).toEqual([{ x: 0, y: 0, width: 128, height: 8 }]);
  });
});
