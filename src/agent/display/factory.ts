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
  /** The sensors' I²C bus and its number (i2c.bus), which an SSD1306 shares unless display.ssd1306.bus names another. */
  sensorsI2c?: { busNumber: number; bus: I2cBus } | undefined;
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
    const driver = new St7735Driver({ spi: emulator.spi, dc: emulator.dc, backlight: settings.backlightLine === null ? undefined : emulator.backlight, clock, ...panel });
    return { driver, emulation: { frame: () => emulator.frame(), traffic: () => ({ bytes: emulator.traffic.bytes, transactions: emulator.traffic.transfers }) } };
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
  const busNumber = settings.bus ?? shared?.busNumber ?? 1;
  const useShared = shared !== undefined && shared.busNumber === busNumber;
  const common = { address: settings.address, rotation: settings.rotation, contrast: settings.contrast };
  if (options.simulate) {
    const bus = useShared && shared.bus instanceof EmulatedI2cBus ? shared.bus : new EmulatedI2cBus(busNumber);
    const emulator = new Ssd1306Emulator();
    bus.attach(settings.address, emulator);
    const driver = new Ssd1306Driver({ bus, busName: `emulated I²C bus ${busNumber}`, ownsBus: bus !== shared?.bus, ...common });
    const traffic = bus.trafficFor(settings.address);
    return { driver, emulation: { frame: () => emulator.frame(settings.rotation), traffic: () => ({ bytes: traffic.bytes, transactions: traffic.transactions }) } };
  }
  const bus = useShared ? shared.bus : await LinuxI2cBus.open(busNumber);
  return { driver: new Ssd1306Driver({ bus, busName: `/dev/i2c-${busNumber}`, ownsBus: !useShared, ...common }) };
}
