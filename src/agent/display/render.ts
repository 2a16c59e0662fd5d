/**
 * Screen model → framebuffer, pure apart from the font files read once. Layout for the Enviro's
 * 160x80 LCD (also 80x160 when rotated upright) and the 128x64 OLED: a clock band on top, then the
 * three readings with large values. The LCD colours a row orange at warning and red at critical;
 * the OLED inverts an alerting row while the blink phase is on. Text is drawn anti-aliased with
 * pureimage and converted to RGB565, or thresholded to 1 bit for the OLED.
 */
import type { Bitmap } from 'pureimage';
import { pureimage } from './pureimage.js';
import { createMonoFrame, createRgb565Frame, rgb565, setMonoPixel, type Frame } from './framebuffer.js';
import { ensureFonts, FONT_BOLD, FONT_REGULAR } from './font.js';
import { isAlerting, type RowState, type ScreenModel, type ScreenRow } from './screen-model.js';

export interface RenderTarget {
  readonly format: Frame['kind'];
  readonly width: number;
  readonly height: number;
}

type Context = ReturnType<Bitmap['getContext']>;
type Rgb = readonly [number, number, number];

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
const GREY: Rgb = [140, 140, 140];
const LABEL_GREY: Rgb = [190, 190, 190];
const ORANGE: Rgb = [255, 140, 0];
const RED: Rgb = [220, 0, 0];
const TITLE: Rgb = [0, 190, 255];

/** Row colours on the LCD: background, label, value. */
function colourRow(state: RowState): { background: Rgb; label: Rgb; value: Rgb } {
  switch (state) {
    case 'warning':
      return { background: ORANGE, label: BLACK, value: BLACK };
    case 'critical':
      return { background: RED, label: WHITE, value: WHITE };
    case 'error':
      return { background: BLACK, label: LABEL_GREY, value: RED };
    case 'stale':
    case 'none':
      return { background: BLACK, label: LABEL_GREY, value: GREY };
    default:
      return { background: BLACK, label: LABEL_GREY, value: WHITE };
  }
}

/** Row colours on the OLED: inverted while an alerting row's blink phase is on. */
function monoRow(state: RowState, blinkOn: boolean): { background: Rgb; label: Rgb; value: Rgb } {
  return isAlerting(state) && blinkOn ? { background: WHITE, label: BLACK, value: BLACK } : { background: BLACK, label: WHITE, value: WHITE };
}

const css = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

function fillRect(ctx: Context, x: number, y: number, w: number, h: number, colour: Rgb): void {
  ctx.fillStyle = css(colour);
  ctx.fillRect(x, y, w, h);
}

/** Text with its baseline at y; `align` right puts its right edge at x. */
function text(ctx: Context, value: string, x: number, y: number, size: number, bold: boolean, colour: Rgb, align: 'left' | 'right' | 'center' = 'left'): void {
  ctx.font = `${size}px ${bold ? FONT_BOLD : FONT_REGULAR}`;
  ctx.fillStyle = css(colour);
  const width = ctx.measureText(value).width;
  const left = align === 'right' ? x - width : align === 'center' ? x - width / 2 : x;
  ctx.fillText(value, Math.round(left), y);
}

/** The largest size ≤ `size` at which `value` fits in `width` pixels. */
function fitting(ctx: Context, value: string, size: number, bold: boolean, width: number): number {
  for (let s = size; s > 6; s--) {
    ctx.font = `${s}px ${bold ? FONT_BOLD : FONT_REGULAR}`;
    if (ctx.measureText(value).width <= width) return s;
  }
  return 6;
}

interface Layout {
  /** Height of the clock band. */
  readonly clockBand: number;
  readonly clockSize: number;
  readonly labelSize: number;
  readonly valueSize: number;
  readonly unitSize: number;
  /** Label above the value (narrow portrait screen) instead of beside it. */
  readonly stacked: boolean;
}

function layoutFor(target: RenderTarget): Layout {
  // The OLED's clock band is exactly two 8-pixel pages, so a clock tick rewrites two pages only.
  if (target.format === 'mono') return { clockBand: 16, clockSize: 13, labelSize: 11, valueSize: 15, unitSize: 10, stacked: false };
  if (target.width >= target.height) return { clockBand: 14, clockSize: 12, labelSize: 11, valueSize: 20, unitSize: 11, stacked: false };
  return { clockBand: 16, clockSize: 13, labelSize: 12, valueSize: 22, unitSize: 12, stacked: true };
}

function drawRow(
  ctx: Context,
  row: ScreenRow,
  top: number,
  height: number,
  width: number,
  layout: Layout,
  colours: { background: Rgb; label: Rgb; value: Rgb },
): void {
  fillRect(ctx, 0, top, width, height, colours.background);
  const unitWidth = row.unit ? ((ctx.font = `${layout.unitSize}px ${FONT_REGULAR}`), ctx.measureText(row.unit).width + 2) : 0;
  const baseline = top + height - Math.max(2, Math.round((height - layout.valueSize * 0.75) / 2));
  if (layout.stacked) {
    text(ctx, row.label, 2, top + layout.labelSize, layout.labelSize, false, colours.label);
    const size = fitting(ctx, row.value, layout.valueSize, true, width - unitWidth - 4);
    text(ctx, row.value, width - 2 - unitWidth, top + height - 4, size, true, colours.value, 'right');
    if (row.unit) text(ctx, row.unit, width - 2, top + height - 4, layout.unitSize, false, colours.value, 'right');
    return;
  }
  text(ctx, row.label, 2, baseline, layout.labelSize, false, colours.label);
  ctx.font = `${layout.labelSize}px ${FONT_REGULAR}`;
  const labelWidth = ctx.measureText(row.label).width + 6;
  const size = fitting(ctx, row.value, layout.valueSize, true, width - labelWidth - unitWidth - 4);
  text(ctx, row.value, width - 2 - unitWidth, baseline, size, true, colours.value, 'right');
  if (row.unit) text(ctx, row.unit, width - 2, baseline, layout.unitSize, false, colours.value, 'right');
}

function draw(ctx: Context, model: ScreenModel, target: RenderTarget): void {
  const { width, height } = target;
  const mono = target.format === 'mono';
  const layout = layoutFor(target);
  fillRect(ctx, 0, 0, width, height, BLACK);
  if (model.kind === 'splash') {
    const title = mono ? WHITE : TITLE;
    const lines = [model.hostname, ...(model.addresses.length ? model.addresses.slice(0, 2) : ['no network yet'])];
    text(ctx, 'envirowatch', width / 2, 14, 13, true, title, 'center');
    const step = Math.floor((height - 18) / lines.length);
    lines.forEach((line, i) => {
      const size = fitting(ctx, line, i === 0 ? 14 : 16, i > 0, width - 4);
      text(ctx, line, width / 2, 18 + step * (i + 1) - Math.round((step - size * 0.75) / 2), size, i > 0, WHITE, 'center');
    });
    return;
  }
  text(ctx, model.clock, width - 2, layout.clockBand - 3, layout.clockSize, false, mono ? WHITE : LABEL_GREY, 'right');
  const rowHeight = Math.floor((height - layout.clockBand) / model.rows.length);
  model.rows.forEach((row, i) => {
    const colours = mono ? monoRow(row.state, model.blinkOn) : colourRow(row.state);
    drawRow(ctx, row, layout.clockBand + i * rowHeight, rowHeight, width, layout, colours);
  });
}

/**
 * One bitmap per screen size, reused: draw() starts by filling the whole screen. pureimage's make()
 * allocates a new bitmap and fills it pixel by pixel with a small array per pixel, garbage the
 * agent's small heap carries until a full collection (the LCD agent's RSS grew with it).
 */
const bitmaps = new Map<string, Bitmap>();

function bitmapFor(width: number, height: number): Bitmap {
  const key = `${width}x${height}`;
  let bitmap = bitmaps.get(key);
  if (!bitmap) bitmaps.set(key, (bitmap = pureimage.make(width, height)));
  return bitmap;
}

/** The screen model drawn for `target` (RGB565 for the LCD, 1-bit pages for the OLED). */
export function renderScreen(model: ScreenModel, target: RenderTarget): Frame {
  ensureFonts();
  const bitmap = bitmapFor(target.width, target.height);
  draw(bitmap.getContext('2d'), model, target);
  const { data } = bitmap;
  if (target.format === 'rgb565') {
    const frame = createRgb565Frame(target.width, target.height);
    for (let i = 0; i < frame.pixels.length; i++) frame.pixels[i] = rgb565(data[i * 4]!, data[i * 4 + 1]!, data[i * 4 + 2]!);
    return frame;
  }
  const frame = createMonoFrame(target.width, target.height);
  for (let y = 0; y < target.height; y++) {
    for (let x = 0; x < target.width; x++) {
      const i = (y * target.width + x) * 4;
      // Anti-aliased edges: lit when at least half as bright as white.
      const luminance = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      if (luminance >= 128) setMonoPixel(frame, x, y, true);
    }
  }
  return frame;
}
