/**
 * `npm run bench:display`: what a display refresh costs on the bus. Runs the real drivers
 * against the register-level emulators on a simulated clock and prints, for the ST7735 (SPI)
 * and the SSD1306 (I²C), bytes and transactions per full refresh and per clock-only refresh (a
 * 40x12 area changed), before (the whole frame every time, as Pimoroni's display() and
 * micropython-lib's show() do) and after (dirty windows), plus a minute of a 1 s clock with
 * readings redrawn every 2 s. For the SSD1306 it also drives the `oled-i2c-bus` package
 * against the same emulator, to show the byte stream its update() and dirty-byte path send.
 * Wire times are computed from the byte counts (SPI 10 MHz; I²C 400 kHz, 9 clocks per byte
 * plus the address byte per transaction), not measured. The emulator checks each picture.
 * Last, the same for the renderer's real screens (a clock tick of the sample room), and the
 * renderer's time per frame on this machine.
 */
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { ManualClock } from '../src/common/clock.js';
import type { TransferStats } from '../src/agent/display/driver.js';
import { createMonoFrame, createRgb565Frame, monoPixel, type MonoFrame, type Rgb565Frame } from '../src/agent/display/framebuffer.js';
import { Ssd1306Driver } from '../src/agent/display/ssd1306/driver.js';
import { Ssd1306Emulator } from '../src/agent/display/ssd1306/emulator.js';
import { St7735Driver } from '../src/agent/display/st7735/driver.js';
import { St7735Emulator } from '../src/agent/display/st7735/emulator.js';
import { EmulatedI2cBus } from '../src/agent/i2c/emulated-bus.js';
import { resolveAgentConfig } from '../src/agent/config/resolve.js';
import { agentConfigSchema } from '../src/agent/config/schema.js';
import { renderScreen } from '../src/agent/display/render.js';
import { sampleScreen } from '../src/agent/display/samples.js';

const SPI_HZ = 10_000_000;
const I2C_HZ = 400_000;
/** Where the clock's digits change (assumed layout): top right, page-aligned on the OLED. */
const CLOCK_AREA = { x: 110, y: 0, width: 40, height: 12 };
const MONO_CLOCK_AREA = { x: 84, y: 0, width: 40, height: 12 };
/** One reading's digits changing every 2 s (assumed layout). */
const READINGS_AREA = { x: 60, y: 30, width: 30, height: 16 };

/** Deterministic pseudo-random bits, so every run prints the same counts. */
let seed = 0x9e3779b9;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

function changeRgb(frame: Rgb565Frame, area: typeof CLOCK_AREA): Rgb565Frame {
  const next = { ...frame, pixels: frame.pixels.slice() };
  for (let y = area.y; y < area.y + area.height; y++)
    for (let x = area.x; x < area.x + area.width; x++) if (random() < 0.5) next.pixels[y * frame.width + x] = Math.floor(random() * 0x10000);
  return next;
}

function changeMono(frame: MonoFrame, area: typeof CLOCK_AREA): MonoFrame {
  const next = { ...frame, pages: frame.pages.slice() };
  for (let y = area.y; y < area.y + area.height; y++)
    for (let x = area.x; x < area.x + area.width; x++) if (random() < 0.5) next.pages[(y >> 3) * frame.width + x]! ^= 1 << (y & 7);
  return next;
}

const spiMs = (s: TransferStats) => ((s.bytes * 8) / SPI_HZ) * 1000;
const i2cMs = (s: TransferStats) => (((s.bytes + s.transactions) * 9) / I2C_HZ) * 1000;
const rows: string[][] = [['display', 'refresh', 'bytes', 'transactions', 'wire ms', 'of full', 'picture ok']];
/** `ok`: the emulator's picture equals the frame sent; undefined where no picture is compared. */
function row(display: string, what: string, stats: TransferStats, full: TransferStats, ms: number, ok?: boolean): void {
  rows.push([
    display,
    what,
    String(stats.bytes),
    String(stats.transactions),
    ms.toFixed(2),
    `${((100 * stats.bytes) / full.bytes).toFixed(1)} %`,
    ok === undefined ? '-' : ok ? 'yes' : 'NO',
  ]);
}

// ST7735
{
  const clock = new ManualClock();
  const emulator = new St7735Emulator({ clock });
  const driver = new St7735Driver({ spi: emulator.spi, dc: emulator.dc, backlight: emulator.backlight, clock });
  await driver.open();
  const init = { bytes: emulator.traffic.bytes, transactions: emulator.traffic.transfers };
  let frame = createRgb565Frame(160, 80);
  for (let i = 0; i < frame.pixels.length; i++) frame.pixels[i] = Math.floor(random() * 0x10000);
  const full = await driver.show(frame);
  row('ST7735', 'init (open)', init, full, spiMs(init));
  row('ST7735', 'full frame', full, full, spiMs(full), isDeepStrictEqual(emulator.frame(), frame));
  frame = changeRgb(frame, CLOCK_AREA);
  const tick = await driver.show(frame);
  row('ST7735', 'clock only, before (full)', full, full, spiMs(full));
  row('ST7735', 'clock only, after (dirty)', tick, full, spiMs(tick), isDeepStrictEqual(emulator.frame(), frame));
  let minute = { bytes: 0, transactions: 0 };
  for (let second = 1; second <= 60; second++) {
    frame = changeRgb(frame, CLOCK_AREA);
    if (second % 2 === 0) frame = changeRgb(frame, READINGS_AREA);
    const s = await driver.show(frame);
    minute = { bytes: minute.bytes + s.bytes, transactions: minute.transactions + s.transactions };
  }
  const minuteBefore = { bytes: full.bytes * 60, transactions: full.transactions * 60 };
  row('ST7735', '1 min, before (full)', minuteBefore, minuteBefore, spiMs(minuteBefore));
  row('ST7735', '1 min, after (dirty)', minute, minuteBefore, spiMs(minute), isDeepStrictEqual(emulator.frame(), frame));
}

// SSD1306, our driver
const ADDRESS = 0x3c;
let monoFull: TransferStats;
{
  const bus = new EmulatedI2cBus(1);
  const emulator = new Ssd1306Emulator();
  bus.attach(ADDRESS, emulator);
  const driver = new Ssd1306Driver({ bus, busName: 'emulated', address: ADDRESS });
  await driver.open();
  const traffic = bus.trafficFor(ADDRESS);
  const init = { bytes: traffic.bytes, transactions: traffic.transactions };
  let frame = createMonoFrame(128, 64);
  for (let i = 0; i < frame.pages.length; i++) frame.pages[i] = Math.floor(random() * 256);
  monoFull = await driver.show(frame);
  row('SSD1306', 'init (open)', init, monoFull, i2cMs(init));
  row('SSD1306', 'full frame', monoFull, monoFull, i2cMs(monoFull), isDeepStrictEqual(emulator.frame(), frame));
  frame = changeMono(frame, MONO_CLOCK_AREA);
  const tick = await driver.show(frame);
  row('SSD1306', 'clock only, before (full)', monoFull, monoFull, i2cMs(monoFull));
  row('SSD1306', 'clock only, after (dirty)', tick, monoFull, i2cMs(tick), isDeepStrictEqual(emulator.frame(), frame));
  const straddling = changeMono(frame, { ...MONO_CLOCK_AREA, y: 6 });
  const tick3 = await driver.show(straddling);
  row('SSD1306', 'clock on 3 pages (y 6-17)', tick3, monoFull, i2cMs(tick3), isDeepStrictEqual(emulator.frame(), straddling));
}

// SSD1306 through oled-i2c-bus (its own init, update() and dirty-byte path via drawPixel)
{
  interface Oled {
    buffer: Buffer;
    update(): void;
    drawPixel(pixels: Array<[number, number, number]>, sync?: boolean): void;
  }
  const Oled = createRequire(import.meta.url)('oled-i2c-bus') as new (wire: unknown, options: object) => Oled;
  const emulator = new Ssd1306Emulator();
  const counts = { bytes: 0, transactions: 0 };
  const wire = {
    i2cWriteSync(_address: number, length: number, buffer: Buffer) {
      counts.bytes += length;
      counts.transactions += 1;
      emulator.write(buffer[0]!, buffer.subarray(1, length));
      return length;
    },
    i2cReadSync(_address: number, length: number, buffer: Buffer) {
      counts.bytes += length;
      counts.transactions += 1;
      buffer.set(emulator.read(0, length));
      return length;
    },
  };
  const take = () => {
    const taken = { ...counts };
    Object.assign(counts, { bytes: 0, transactions: 0 });
    return taken;
  };
  const oled = new Oled(wire, { width: 128, height: 64, address: ADDRESS });
  const init = take();
  const frame = createMonoFrame(128, 64);
  for (let i = 0; i < frame.pages.length; i++) frame.pages[i] = Math.floor(random() * 256);
  oled.buffer.set(frame.pages);
  oled.update();
  await sleep(20);
  const full = take();
  row('oled-i2c-bus', 'init (constructor)', init, monoFull, i2cMs(init));
  row('oled-i2c-bus', 'full frame (update)', full, monoFull, i2cMs(full), isDeepStrictEqual(emulator.frame(), frame));
  const ticked = changeMono(frame, MONO_CLOCK_AREA);
  const changed: Array<[number, number, number]> = [];
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 128; x++) if (monoPixel(ticked, x, y) !== monoPixel(frame, x, y)) changed.push([x, y, monoPixel(ticked, x, y) ? 1 : 0]);
  oled.drawPixel(changed, true);
  await sleep(20);
  const tick = take();
  row('oled-i2c-bus', 'clock only (dirty bytes)', tick, monoFull, i2cMs(tick), isDeepStrictEqual(emulator.frame(), ticked));
}

// The real screens: the renderer's frames of the sample room, a clock tick one second later.
const sampleConfig = resolveAgentConfig(agentConfigSchema.parse({}));
const renderTimes: string[] = [];
for (const [name, target] of [
  ['ST7735', { format: 'rgb565', width: 160, height: 80 }],
  ['SSD1306', { format: 'mono', width: 128, height: 64 }],
] as const) {
  const screen = sampleScreen('normal', sampleConfig);
  if (screen.kind !== 'readings') throw new Error('readings screen expected');
  const clock = new ManualClock();
  const st7735 = name === 'ST7735' ? new St7735Emulator({ clock }) : undefined;
  const bus = new EmulatedI2cBus(1);
  const ssd1306 = new Ssd1306Emulator();
  bus.attach(ADDRESS, ssd1306);
  const driver = st7735
    ? new St7735Driver({ spi: st7735.spi, dc: st7735.dc, backlight: st7735.backlight, clock })
    : new Ssd1306Driver({ bus, busName: 'emulated', address: ADDRESS });
  await driver.open();
  const first = renderScreen(screen, target);
  const full = await driver.show(first);
  const next = renderScreen({ ...screen, clock: '14:05:10' }, target);
  const tick = await driver.show(next);
  const picture = isDeepStrictEqual(st7735 ? st7735.frame() : ssd1306.frame(), next);
  row(name, 'rendered screen, full', full, full, st7735 ? spiMs(full) : i2cMs(full));
  row(name, 'rendered clock tick (dirty)', tick, full, st7735 ? spiMs(tick) : i2cMs(tick), picture);
  const started = performance.now();
  const FRAMES = 50;
  for (let i = 0; i < FRAMES; i++) renderScreen({ ...screen, clock: `14:05:${String(i % 60).padStart(2, '0')}` }, target);
  renderTimes.push(`${name} ${((performance.now() - started) / FRAMES).toFixed(1)} ms`);
}

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
for (const r of rows) console.log(r.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
console.log(`\nrendering one frame (pureimage, DejaVu Sans, after the first): ${renderTimes.join(', ')}`);
console.log(
  `"of full" compares with our driver's full refresh of the same display. Wire ms: SPI at ${SPI_HZ / 1e6} MHz, I²C at ${I2C_HZ / 1e3} kHz (computed).`,
);
