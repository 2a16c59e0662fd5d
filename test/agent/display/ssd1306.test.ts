import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { parseConfigText } from '../../../src/common/config-file.js';
import { ConfigError } from '../../../src/common/errors.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { openDisplay } from '../../../src/agent/display/factory.js';
import { EmulatedI2cBus } from '../../../src/agent/i2c/emulated-bus.js';
import { createMonoFrame, monoPixel, type MonoFrame } from '../../../src/agent/display/framebuffer.js';
import { DisplayHardwareError } from '../../../src/agent/display/hardware-error.js';
import { Ssd1306Driver, type Ssd1306Options } from '../../../src/agent/display/ssd1306/driver.js';
import { Ssd1306Emulator } from '../../../src/agent/display/ssd1306/emulator.js';
import { randomMono, seeded } from '../../helpers/display-frames.js';

const ADDRESS = 0x3c;

function setup(options: Partial<Ssd1306Options> = {}) {
  const bus = new EmulatedI2cBus(1);
  const emulator = new Ssd1306Emulator();
  bus.attach(options.address ?? ADDRESS, emulator);
  const driver = new Ssd1306Driver({ bus, busName: 'emulated bus 1', ...options });
  return { bus, emulator, driver, traffic: () => bus.trafficFor(options.address ?? ADDRESS) };
}

/** displays.md, SSD1306 "Init" (micropython-lib) without 0xAD, with our contrast default 0xFF. */
const MICROPYTHON_INIT: Array<[number, number[]]> = [
  [0xae, []],
  [0x20, [0x00]],
  [0x40, []],
  [0xa1, []],
  [0xa8, [0x3f]],
  [0xc8, []],
  [0xd3, [0x00]],
  [0xda, [0x12]],
  [0xd5, [0x80]],
  [0xd9, [0xf1]],
  [0xdb, [0x30]],
  [0x81, [0xff]],
  [0xa4, []],
  [0xa6, []],
  [0x8d, [0x14]],
  [0xaf, []],
];

/** COLADDR + PAGEADDR with control byte (7), then control 0x40 + 1024 bytes. */
const FULL_BYTES = 7 + 1 + 1024;

const rotated180 = (frame: MonoFrame): MonoFrame => {
  const out = createMonoFrame(128, 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (monoPixel(frame, x, y)) out.pages[((63 - y) >> 3) * 128 + 127 - x]! |= 1 << ((63 - y) & 7);
  return out;
};

// Frames, changed windows, the clock refresh's cost and recovery: the DisplayDriver contract (display-drivers.test.ts).
describe('SSD1306 driver against the register-level emulator', () => {
  it("sends micropython-lib's init sequence in one transaction, as the controller decodes it", async () => {
    const { emulator, driver, traffic } = setup();
    await driver.open();
    expect(emulator.log.map((c) => [c.command, c.args])).toEqual(MICROPYTHON_INIT);
    expect(traffic()).toMatchObject({ transactions: 1, bytes: 1 + 25 });
    expect(emulator.state).toMatchObject({ displayOn: true, chargePump: true, mode: 0, segmentRemap: true, comScanReversed: true, contrast: 0xff });
  });

  it('rotation 180 turns the picture by remap and scan direction, not by resending', async () => {
    const { emulator, driver } = setup({ rotation: 180 });
    await driver.open();
    expect(emulator.state).toMatchObject({ segmentRemap: false, comScanReversed: false });
    const frame = randomMono(128, 64, seeded(22));
    await driver.show(frame);
    expect(emulator.frame(180)).toEqual(frame);
    expect(emulator.frame(0)).toEqual(rotated180(frame));
  });

  it('sets the configured contrast', async () => {
    const { emulator, driver } = setup({ contrast: 0x40 });
    await driver.open();
    expect(emulator.state.contrast).toBe(0x40);
  });

  it('a device that does not answer (NACK) rejects open, naming address and bus', async () => {
    const { bus, driver } = setup({ address: 0x3d });
    bus.setAbsent(0x3d, true);
    const error = await driver.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DisplayHardwareError);
    expect(error).toMatchObject({
      code: 'EREMOTEIO',
      message: expect.stringMatching(/^SSD1306 at 0x3D on emulated bus 1: initialising failed: Remote I\/O error .*is the display connected/),
    });
  });

  it('close turns the display off and leaves a shared bus open', async () => {
    const { emulator, driver, bus } = setup();
    await driver.open();
    await driver.close();
    expect(emulator.state.displayOn).toBe(false);
    await bus.readByte(ADDRESS, 0); // still usable
  });
});

describe('SSD1306 emulator', () => {
  function ready() {
    const bus = new EmulatedI2cBus(1);
    const emulator = new Ssd1306Emulator();
    bus.attach(ADDRESS, emulator);
    const write = (...bytes: number[]) => bus.write(ADDRESS, Uint8Array.from(bytes));
    return { emulator, write };
  }

  it('powers up in page mode, off, with noise in RAM', () => {
    const { emulator } = ready();
    expect(emulator.state).toMatchObject({ mode: 2, displayOn: false, chargePump: false });
    expect(emulator.frame().pages.every((b) => b === 0)).toBe(true);
    expect(new Set(Array.from({ length: 128 }, (_, x) => emulator.ramByte(x, 0))).size).toBeGreaterThan(16);
  });

  it('parses Co=1 single-byte control pairs, and inverts with 0xA7', async () => {
    const { emulator, write } = ready();
    // 0x80 cmd pairs: charge pump on, A1, C8, display on; then 0xC0: one data byte.
    await write(
      0x80,
      0x8d,
      0x80,
      0x14,
      0x80,
      0xa1,
      0x80,
      0xc8,
      0x80,
      0xaf,
      0x80,
      0x20,
      0x80,
      0x00,
      0x80,
      0x21,
      0x80,
      0,
      0x80,
      127,
      0x80,
      0x22,
      0x80,
      0,
      0x80,
      7,
      0xc0,
      0x01,
    );
    expect(emulator.state).toMatchObject({ displayOn: true, chargePump: true, mode: 0 });
    expect(emulator.ramByte(0, 0)).toBe(0x01);
    expect(monoPixel(emulator.frame(), 0, 0)).toBe(true);
    await write(0x80, 0xa7);
    expect(monoPixel(emulator.frame(), 0, 0)).toBe(false);
    expect(emulator.state.inverted).toBe(true);
  });

  it('wraps the pointer in horizontal, vertical and page addressing modes', async () => {
    const { emulator, write } = ready();
    await write(0x00, 0x20, 0x00, 0x21, 10, 11, 0x22, 2, 3);
    await write(0x40, 1, 2, 3, 4, 5);
    expect([emulator.ramByte(10, 2), emulator.ramByte(11, 2), emulator.ramByte(10, 3), emulator.ramByte(11, 3)]).toEqual([5, 2, 3, 4]);
    await write(0x00, 0x20, 0x01, 0x21, 20, 21, 0x22, 0, 1);
    await write(0x40, 1, 2, 3);
    expect([emulator.ramByte(20, 0), emulator.ramByte(20, 1), emulator.ramByte(21, 0)]).toEqual([1, 2, 3]);
    await write(0x00, 0x20, 0x02, 0xb5, 0x0e, 0x17);
    await write(0x40, 9, 8, 7);
    expect([emulator.ramByte(126, 5), emulator.ramByte(127, 5)]).toEqual([7, 8]); // 9 at 126 overwritten after the wrap
  });
});

describe('openDisplay for the SSD1306', () => {
  it("in simulation sits on the sensors' emulated bus beside them, at the configured address", async () => {
    const display = parseConfigText(agentConfigSchema, 'display:\n  type: ssd1306\n  ssd1306:\n    address: 0x3D\n    rotation: 180\n').display;
    const bus = new EmulatedI2cBus(1);
    const opened = await openDisplay(display, { simulate: true, clock: new ManualClock(), sensorsI2c: { busNumber: 1, bus } });
    const { driver, emulation } = opened!;
    await driver.open();
    const frame = randomMono(128, 64, seeded(31));
    await driver.show(frame);
    expect(emulation!.frame()).toEqual(frame);
    expect(bus.trafficFor(0x3d).transactions).toBe(3);
    expect(emulation!.traffic()).toEqual({ bytes: 26 + FULL_BYTES, transactions: 3 });
  });

  it('rejects an address other than 0x3C/0x3D and a rotation other than 0/180 in the config', () => {
    expect(() => parseConfigText(agentConfigSchema, 'display:\n  ssd1306:\n    address: 0x3E\n    rotation: 90\n', 'agent.yaml')).toThrow(ConfigError);
  });
});
