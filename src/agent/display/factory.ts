import type { Clock } from '../../common/clock.js';
import type { I2cBus } from '../i2c/bus.js';
import { EmulatedI2cBus } from '../i2c/emulated-bus.js';
import { LinuxI2cBus } from '../i2c/linux-bus.js';
import type { DisplayConfig } from './config.js';
import type { DisplayDriver } from './driver.js';
import type { Frame } from './framebuffer.js';
import { openGpioOutput, type GpioLine } from './gpio.js';
import { LinuxSpiBus } from './spi.js';
import { Ssd1306Driver } from './ssd1306/driver.js';
import { Ssd1306Emulator } from './ssd1306/emulator.js';
import { St7735Driver } from './st7735/driver.js';
import { St7735Emulator } from './st7735/emulator.js';

/** With `simulate`: the emulated controller behind the driver. */
export interface DisplayEmulation {
  /** What the glass shows now, upright (logical orientation), e.g. for `--display-snapshot`. */
  frame(): Frame;
  /** Bytes and transactions the controller has received since start. */
  traffic(): { bytes: number; transactions: number };
}

export interface OpenedDisplay {
  /** Not yet initialised: call `open()` before the first `show()`. */
  readonly driver: DisplayDriver;
  readonly emulation?: DisplayEmulation | undefined;
}

export interface DisplayFactoryOptions {
  simulate: boolean;
  clock: Clock;
  /** The sensors' I²C bus, which an SSD1306 shares unless display.ssd1306.bus names another. */
  sensorsI2c?: SensorsI2c | undefined;
}

/** The sensors' bus and its number; the number is unknown while `i2c.bus: auto` still looks for the header bus. */
export interface SensorsI2c {
  readonly bus: I2cBus;
  readonly busNumber: number | undefined;
}

/**
 * The driver for `display.type`, over the real buses (spidev + GPIO character device for the
 * ST7735, I²C for the SSD1306) or, with `simulate`, over the register-level emulators.
 * `none` → undefined.
 */
export async function openDisplay(config: DisplayConfig, options: DisplayFactoryOptions): Promise<OpenedDisplay | undefined> {
  if (config.type === 'none') return undefined;
  if (config.type === 'st7735') return openSt7735(config.st7735, options);
  return openSsd1306(config.ssd1306, options);
}

async function openSt7735(settings: DisplayConfig['st7735'], options: DisplayFactoryOptions): Promise<OpenedDisplay> {
  const { clock } = options;
  const panel = { rotation: settings.rotation, invert: settings.invert, bgr: settings.bgr, offsetLeft: settings.offsetLeft, offsetTop: settings.offsetTop };
  if (options.simulate) {
    const emulator = new St7735Emulator({ clock, viewRotation: settings.rotation });
    // Without a backlight line the backlight is wired on.
    if (settings.backlightLine === null) emulator.backlight.set(true);
    const driver = new St7735Driver({
      spi: emulator.spi,
      dc: emulator.dc,
      backlight: settings.backlightLine === null ? undefined : emulator.backlight,
      clock,
      ...panel,
    });
    return {
      driver,
      emulation: { frame: () => emulator.frame(), traffic: () => ({ bytes: emulator.traffic.bytes, transactions: emulator.traffic.transfers }) },
    };
  }
  const lines: GpioLine[] = [];
  try {
    const line = async (offset: number) => {
      const opened = await openGpioOutput({ chip: settings.gpioChip, line: offset, consumer: 'envirowatch-display', initial: false });
      lines.push(opened);
      return opened;
    };
    const dc = await line(settings.dcLine);
    const backlight = settings.backlightLine === null ? undefined : await line(settings.backlightLine);
    const spi = await LinuxSpiBus.open({ bus: settings.spiBus, device: settings.spiDevice, speedHz: settings.speedHz });
    return { driver: new St7735Driver({ spi, dc, backlight, clock, ...panel }) };
  } catch (error) {
    for (const line of lines) line.release();
    throw error;
  }
}

async function openSsd1306(settings: DisplayConfig['ssd1306'], options: DisplayFactoryOptions): Promise<OpenedDisplay> {
  const shared = options.sensorsI2c;
  // null: the sensors' bus, whichever number i2c.bus resolved to (unknown while auto still looks for it).
  const sharedBus = shared && (settings.bus === null || settings.bus === shared.busNumber) ? shared.bus : undefined;
  const busNumber = settings.bus ?? shared?.busNumber;
  const busName = busNumber === undefined ? "the sensors' I²C bus" : options.simulate ? `emulated I²C bus ${busNumber}` : `/dev/i2c-${busNumber}`;
  const common = { address: settings.address, rotation: settings.rotation, contrast: settings.contrast, busName };
  if (options.simulate) {
    const bus = sharedBus instanceof EmulatedI2cBus ? sharedBus : new EmulatedI2cBus(busNumber ?? 'emulated');
    const emulator = new Ssd1306Emulator();
    bus.attach(settings.address, emulator);
    const driver = new Ssd1306Driver({ bus, ownsBus: bus !== sharedBus, ...common });
    const traffic = bus.trafficFor(settings.address);
    return {
      driver,
      emulation: { frame: () => emulator.frame(settings.rotation), traffic: () => ({ bytes: traffic.bytes, transactions: traffic.transactions }) },
    };
  }
  if (sharedBus) return { driver: new Ssd1306Driver({ bus: sharedBus, ownsBus: false, ...common }) };
  if (busNumber === undefined) throw new Error("display.ssd1306.bus: null means the sensors' I²C bus, and there is none here");
  return { driver: new Ssd1306Driver({ bus: await LinuxI2cBus.open(busNumber), ownsBus: true, ...common }) };
}
