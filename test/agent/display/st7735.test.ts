import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { parseConfigText } from '../../../src/common/config-file.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { openDisplay } from '../../../src/agent/display/factory.js';
import { rgb565, type Rgb565Frame, createRgb565Frame } from '../../../src/agent/display/framebuffer.js';
import { St7735Driver, type St7735Options } from '../../../src/agent/display/st7735/driver.js';
import { St7735Emulator } from '../../../src/agent/display/st7735/emulator.js';
import type { St7735Rotation } from '../../../src/agent/display/st7735/rotation.js';
import { randomRgb565, seeded, withRgb565Change } from '../../helpers/display-frames.js';

function setup(options: Partial<St7735Options> = {}, panel: { viewRotation?: St7735Rotation } = {}) {
  const clock = new ManualClock();
  const emulator = new St7735Emulator({ clock, viewRotation: options.rotation ?? 270, ...panel });
  const driver = new St7735Driver({ spi: emulator.spi, dc: emulator.dc, backlight: emulator.backlight, clock, ...options });
  return { clock, emulator, driver };
}

/** displays.md, "Init sequence", rows 1–20 (invert and bgr at their defaults). */
const PIMORONI_INIT: Array<[number, number[]]> = [
  [0x01, []],
  [0x11, []],
  [0xb1, [0x01, 0x2c, 0x2d]],
  [0xb2, [0x01, 0x2c, 0x2d]],
  [0xb3, [0x01, 0x2c, 0x2d, 0x01, 0x2c, 0x2d]],
  [0xb4, [0x07]],
  [0xc0, [0xa2, 0x02, 0x84]],
  [0xc1, [0x0a, 0x00]],
  [0xc3, [0x8a, 0x2a]],
  [0xc4, [0x8a, 0xee]],
  [0xc5, [0x0e]],
  [0x21, []],
  [0x36, [0xc8]],
  [0x3a, [0x05]],
  [0x2a, [0x00, 0x1a, 0x00, 0x69]],
  [0x2b, [0x00, 0x01, 0x00, 0xa0]],
  [0xe0, [0x02, 0x1c, 0x07, 0x12, 0x37, 0x32, 0x29, 0x2d, 0x29, 0x25, 0x2b, 0x39, 0x00, 0x01, 0x03, 0x10]],
  [0xe1, [0x03, 0x1d, 0x07, 0x06, 0x2e, 0x2c, 0x29, 0x2d, 0x2e, 0x2e, 0x37, 0x3f, 0x00, 0x00, 0x02, 0x10]],
  [0x13, []],
  [0x29, []],
];

/** node-libgpiod is an optional native module, not built on every machine. */
const libgpiodMissing = await import('node-libgpiod' as string).then(
  () => false,
  () => true,
);

// Frames, changed windows, the clock refresh's cost and recovery: the DisplayDriver contract (display-drivers.test.ts).
describe('ST7735 driver against the register-level emulator', () => {
  it("sends Pimoroni's init sequence, with its pauses, as the controller decodes it", async () => {
    const { emulator, driver } = setup();
    await driver.open();
    expect(emulator.log.map((c) => [c.command, c.params])).toEqual(PIMORONI_INIT);
    expect(emulator.log.some((c) => c.ignored)).toBe(false);
    const at = (command: number) => emulator.log.find((c) => c.command === command)!.at;
    expect(at(0x11) - at(0x01)).toBeGreaterThanOrEqual(150);
    expect(at(0xb1) - at(0x11)).toBeGreaterThanOrEqual(500);
    expect(emulator.state).toMatchObject({ sleeping: false, displayOn: true, inverted: true, madctl: 0xc8, colmod: 0x05, backlight: false });
  });

  it('switches the backlight on only once the first frame is in RAM', async () => {
    const { emulator, driver } = setup();
    await driver.open();
    expect(emulator.state.backlight).toBe(false);
    await driver.show(randomRgb565(160, 80, seeded(10)));
    expect(emulator.state.backlight).toBe(true);
  });

  it.each([0, 90, 180, 270] as const)('rotation %i: the emulator shows the frame upright', async (rotation) => {
    const { emulator, driver } = setup({ rotation });
    await driver.open();
    const frame = randomRgb565(driver.width, driver.height, seeded(13 + rotation));
    await driver.show(frame);
    expect(emulator.frame()).toEqual(frame);
    await driver.show(withRgb565Change(frame, { x: 3, y: 5, width: 20, height: 9 }, seeded(1)));
    expect(emulator.frame()).toEqual(withRgb565Change(frame, { x: 3, y: 5, width: 20, height: 9 }, seeded(1)));
    expect([driver.width, driver.height]).toEqual(rotation % 180 === 0 ? [80, 160] : [160, 80]);
  });

  it('puts logical pixels at the documented controller addresses (offsets 26/1, rotation)', async () => {
    const red = rgb565(255, 0, 0);
    const blue = rgb565(0, 0, 255);
    for (const [rotation, address, native] of [
      [0, [26, 1], [0, 0]],
      [270, [26 + 79, 1], [79, 0]], // logical (0,0), top left of the landscape picture → native column 79, row 0
      [90, [26, 1 + 159], [0, 159]],
    ] as const) {
      const { emulator, driver } = setup({ rotation });
      await driver.open();
      const frame = createRgb565Frame(driver.width, driver.height);
      frame.pixels.fill(blue);
      frame.pixels[0] = red;
      await driver.show(frame);
      expect(emulator.pixelAtAddress(address[0], address[1])).toBe(red);
      expect(emulator.frame(0).pixels[native[1] * 80 + native[0]]).toBe(red);
      expect(emulator.state).toMatchObject({ columns: [26, 105], rows: [1, 160] });
    }
  });

  it('with wrong offsets, colour order or inversion the glass shows it', async () => {
    const frame = randomRgb565(160, 80, seeded(14));
    const shown = async (options: Partial<St7735Options>): Promise<Rgb565Frame> => {
      const { emulator, driver } = setup(options);
      await driver.open();
      await driver.show(frame);
      return emulator.frame();
    };
    const shifted = await shown({ offsetLeft: 0 });
    expect(shifted).not.toEqual(frame);
    const notInverted = await shown({ invert: false });
    expect(Array.from(notInverted.pixels)).toEqual(Array.from(frame.pixels, (v) => v ^ 0xffff));
    const rgbOrder = await shown({ bgr: false });
    expect(Array.from(rgbOrder.pixels)).toEqual(Array.from(frame.pixels, (v) => ((v & 0x1f) << 11) | (v & 0x7e0) | (v >> 11)));
  });

  it('close switches the backlight and display off', async () => {
    const { emulator, driver } = setup();
    await driver.open();
    await driver.show(randomRgb565(160, 80, seeded(17)));
    await driver.close();
    expect(emulator.state).toMatchObject({ backlight: false, displayOn: false });
    expect(emulator.frame().pixels.every((v) => v === 0)).toBe(true);
  });
});

describe('ST7735 emulator', () => {
  function send(emulator: St7735Emulator, command: number, data: number[] = []) {
    emulator.dc.set(false);
    void emulator.spi.transfer(Uint8Array.of(command));
    emulator.dc.set(true);
    if (data.length) void emulator.spi.transfer(Uint8Array.from(data));
  }

  it('wraps a RAM write inside the CASET/RASET window', () => {
    const emulator = new St7735Emulator({ clock: new ManualClock() });
    send(emulator, 0x3a, [0x05]);
    send(emulator, 0x2a, [0, 10, 0, 11]);
    send(emulator, 0x2b, [0, 20, 0, 21]);
    // Six pixels into a 2x2 window: the last two overwrite the first two.
    send(emulator, 0x2c, [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]);
    expect([emulator.pixelAtAddress(10, 20), emulator.pixelAtAddress(11, 20), emulator.pixelAtAddress(10, 21), emulator.pixelAtAddress(11, 21)]).toEqual([
      5, 6, 3, 4,
    ]);
  });

  it('decodes 18-bit pixels while COLMOD is at its reset value', () => {
    const emulator = new St7735Emulator({ clock: new ManualClock() });
    send(emulator, 0x2a, [0, 0, 0, 0]);
    send(emulator, 0x2b, [0, 0, 0, 0]);
    send(emulator, 0x2c, [0xfc, 0x00, 0xfc]);
    expect(emulator.pixelAtAddress(0, 0)).toBe(rgb565(255, 0, 255));
  });

  it('ignores commands within 5 ms of SWRESET', () => {
    const clock = new ManualClock();
    const emulator = new St7735Emulator({ clock });
    send(emulator, 0x01);
    send(emulator, 0x11);
    expect(emulator.state.sleeping).toBe(true);
    clock.advance(5);
    send(emulator, 0x11);
    expect(emulator.state.sleeping).toBe(false);
    expect(emulator.log.map((c) => c.ignored)).toEqual([false, true, false]);
  });

  it('rejects transfers over the spidev buffer like the kernel', async () => {
    const emulator = new St7735Emulator({ clock: new ManualClock() });
    await expect(emulator.spi.transfer(new Uint8Array(4097))).rejects.toMatchObject({ code: 'EMSGSIZE' });
    expect(emulator.traffic).toEqual({ transfers: 1, bytes: 0, failed: 1 });
  });
});

describe('openDisplay for the ST7735', () => {
  const config = (yaml: string) => parseConfigText(agentConfigSchema, yaml).display;

  it('is off by default, and in simulation drives the emulated Enviro LCD', async () => {
    expect(await openDisplay(config(''), { simulate: true, clock: new ManualClock() })).toBeUndefined();
    const opened = await openDisplay(config('display:\n  type: st7735\n'), { simulate: true, clock: new ManualClock() });
    const { driver, emulation } = opened!;
    expect([driver.width, driver.height, driver.format]).toEqual([160, 80, 'rgb565']);
    await driver.open();
    const frame = randomRgb565(160, 80, seeded(30));
    const stats = await driver.show(frame);
    expect(emulation!.frame()).toEqual(frame);
    expect(emulation!.traffic().bytes).toBeGreaterThan(stats.bytes); // init + frame
    await driver.close();
  });

  it('with no backlight line the emulated backlight is wired on', async () => {
    const { driver, emulation } = (await openDisplay(config('display:\n  type: st7735\n  st7735:\n    backlightLine: null\n    rotation: 90\n'), {
      simulate: true,
      clock: new ManualClock(),
    }))!;
    await driver.open();
    const frame = randomRgb565(160, 80, seeded(32));
    await driver.show(frame);
    expect(emulation!.frame()).toEqual(frame);
  });

  it.skipIf(!libgpiodMissing)('on hardware without node-libgpiod, names the module and the package to install', async () => {
    await expect(openDisplay(config('display:\n  type: st7735\n'), { simulate: false, clock: new ManualClock() })).rejects.toThrow(
      /node-libgpiod native module is not available .*libgpiod-dev/,
    );
  });
});
