import { createMonoFrame, createRgb565Frame, type MonoFrame, type Rgb565Frame } from '../../src/agent/display/framebuffer.js';

/** A small seeded PRNG (mulberry32), so random frames are the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomRgb565(width: number, height: number, random: () => number): Rgb565Frame {
  const frame = createRgb565Frame(width, height);
  for (let i = 0; i < frame.pixels.length; i++) frame.pixels[i] = Math.floor(random() * 0x10000);
  return frame;
}

export function randomMono(width: number, height: number, random: () => number): MonoFrame {
  const frame = createMonoFrame(width, height);
  for (let i = 0; i < frame.pages.length; i++) frame.pages[i] = Math.floor(random() * 256);
  return frame;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A copy of `frame` where pixels inside `area` changed, as when clock digits tick: about half of them, always the corners. */
export function withRgb565Change(frame: Rgb565Frame, area: Area, random: () => number): Rgb565Frame {
  const next = { ...frame, pixels: frame.pixels.slice() };
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const corner = (x === area.x || x === area.x + area.width - 1) && (y === area.y || y === area.y + area.height - 1);
      if (corner || random() < 0.5) next.pixels[y * frame.width + x] = next.pixels[y * frame.width + x]! ^ 0xffff;
    }
  }
  return next;
}

export function withMonoChange(frame: MonoFrame, area: Area, random: () => number): MonoFrame {
  const next = { ...frame, pages: frame.pages.slice() };
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const corner = (x === area.x || x === area.x + area.width - 1) && (y === area.y || y === area.y + area.height - 1);
      if (corner || random() < 0.5) next.pages[(y >> 3) * frame.width + x] = next.pages[(y >> 3) * frame.width + x]! ^ (1 << (y & 7));
    }
  }
  return next;
}
