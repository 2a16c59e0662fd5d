import type { MonoFrame, Rgb565Frame } from './framebuffer.js';

/**
 * What changed between two frames, as the few windows worth sending. Pure: the drivers turn
 * the windows into controller commands. One algorithm serves both displays by working on
 * "cells": an RGB565 pixel (2 bytes) for the ST7735, a page byte (8 vertical pixels, 1 byte)
 * for the SSD1306, so a mono window is in columns × pages.
 */

/** A window in cells, inclusive of x/y, exclusive of x + width / y + height. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What a window costs on the wire, to decide between merging, splitting and a full frame. */
export interface WindowCost {
  /** Bytes each window costs besides its cells (address commands, control bytes). */
  readonly perWindowBytes: number;
  readonly bytesPerCell: number;
  /** At most this many windows; more are merged, cheapest merge first. */
  readonly maxWindows: number;
}

/** ST7735: CASET + 4, RASET + 4, RAMWR = 11 bytes per window; RGB565 = 2 bytes per pixel. */
export const ST7735_WINDOW_COST: WindowCost = { perWindowBytes: 11, bytesPerCell: 2, maxWindows: 8 };
/** SSD1306: control 0x00 + COLADDR a b + PAGEADDR a b, then the data's control 0x40 = 8 bytes. */
export const SSD1306_WINDOW_COST: WindowCost = { perWindowBytes: 8, bytesPerCell: 1, maxWindows: 8 };

/** Above this many raw windows (noise-like changes) the changes are covered by their bounding box. */
const RAW_WINDOW_LIMIT = 64;

export function windowBytes(rect: Rect, cost: WindowCost): number {
  return cost.perWindowBytes + rect.width * rect.height * cost.bytesPerCell;
}

export function totalBytes(rects: readonly Rect[], cost: WindowCost): number {
  return rects.reduce((sum, rect) => sum + windowBytes(rect, cost), 0);
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * Windows covering every changed cell of a width × height grid: runs of changed cells per row
 * (bridging gaps cheaper than a new window), stacked into rectangles over consecutive rows, then
 * merged while a merge saves bytes, then down to `maxWindows`; one full-grid window when that is
 * no dearer. No change → no windows.
 */
export function changedWindows(width: number, height: number, changed: (x: number, y: number) => boolean, cost: WindowCost): Rect[] {
  const full: Rect = { x: 0, y: 0, width, height };
  const bridge = Math.floor(cost.perWindowBytes / cost.bytesPerCell);
  const closed: Rect[] = [];
  let open: Rect[] = [];
  let tooMany = false;
  let bounds: Rect | undefined;

  for (let y = 0; y < height; y++) {
    const runs: Array<[number, number]> = [];
    for (let x = 0; x < width; x++) {
      if (!changed(x, y)) continue;
      const last = runs.at(-1);
      if (last && x - last[1] - 1 <= bridge) last[1] = x;
      else runs.push([x, x]);
    }
    const stillOpen: Rect[] = [];
    for (const [x0, x1] of runs) {
      const run: Rect = { x: x0, y, width: x1 - x0 + 1, height: 1 };
      bounds = bounds ? union(bounds, run) : run;
      const index = open.findIndex((rect) => rect.x <= x1 + bridge && x0 <= rect.x + rect.width - 1 + bridge);
      if (index >= 0) {
        stillOpen.push(union(open[index]!, run));
        open.splice(index, 1);
      } else stillOpen.push(run);
    }
    closed.push(...open);
    open = stillOpen;
    if (closed.length + open.length > RAW_WINDOW_LIMIT) tooMany = true;
  }
  if (!bounds) return [];
  const rects = tooMany ? [bounds] : merge([...closed, ...open], cost);
  return totalBytes(rects, cost) >= windowBytes(full, cost) ? [full] : rects;
}

/** Greedy pairwise merging: the best saving first; then the cheapest merges until few enough. */
function merge(input: Rect[], cost: WindowCost): Rect[] {
  const rects = [...input];
  for (;;) {
    let best: { i: number; j: number; extra: number; merged: Rect } | undefined;
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const merged = union(rects[i]!, rects[j]!);
        const extra = windowBytes(merged, cost) - windowBytes(rects[i]!, cost) - windowBytes(rects[j]!, cost);
        if (!best || extra < best.extra) best = { i, j, extra, merged };
      }
    }
    if (!best || (best.extra > 0 && rects.length <= cost.maxWindows)) return rects;
    rects.splice(best.j, 1);
    rects.splice(best.i, 1, best.merged);
  }
}

/** Changed pixels of an RGB565 frame as windows in logical pixel coordinates; everything without a previous frame. */
export function changedRgb565Windows(previous: Rgb565Frame | undefined, next: Rgb565Frame, cost: WindowCost = ST7735_WINDOW_COST): Rect[] {
  const { width, height } = next;
  if (!previous || previous.width !== width || previous.height !== height) return [{ x: 0, y: 0, width, height }];
  const a = previous.pixels;
  const b = next.pixels;
  return changedWindows(width, height, (x, y) => a[y * width + x] !== b[y * width + x], cost);
}

/**
 * Changed page bytes of a mono frame as windows in columns (x) × pages (y): per page the
 * changed column ranges, stacked over pages where one window is cheaper.
 */
export function changedMonoWindows(previous: MonoFrame | undefined, next: MonoFrame, cost: WindowCost = SSD1306_WINDOW_COST): Rect[] {
  const { width } = next;
  const pages = next.height / 8;
  if (!previous || previous.width !== width || previous.height !== next.height) return [{ x: 0, y: 0, width, height: pages }];
  const a = previous.pages;
  const b = next.pages;
  return changedWindows(width, pages, (x, page) => a[page * width + x] !== b[page * width + x], cost);
}
