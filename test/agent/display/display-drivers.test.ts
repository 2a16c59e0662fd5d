/** The DisplayDriver contract (display-driver.contract.ts) for the ST7735 LCD and the SSD1306 OLED, each on its emulator. */
import { ManualClock } from '../../../src/common/clock.js';
import { EmulatedI2cBus } from '../../../src/agent/i2c/emulated-bus.js';
import { Ssd1306Driver } from '../../../src/agent/display/ssd1306/driver.js';
import { Ssd1306Emulator } from '../../../src/agent/display/ssd1306/emulator.js';
import { St7735Driver } from '../../../src/agent/display/st7735/driver.js';
import { St7735Emulator } from '../../../src/agent/display/st7735/emulator.js';
import { randomMono, randomRgb565, withMonoChange, withRgb565Change } from '../../helpers/display-frames.js';
import { describeDisplayDriverContract } from './display-driver.contract.js';

describeDisplayDriverContract('ST7735 (160x80 landscape, rotation 270)', () => {
  const clock = new ManualClock();
  const emulator = new St7735Emulator({ clock, viewRotation: 270 });
  return {
    driver: new St7735Driver({ spi: emulator.spi, dc: emulator.dc, backlight: emulator.backlight, clock, rotation: 270 }),
    glass: () => emulator.frame(),
    bytesReceived: () => emulator.traffic.bytes,
    failNextTransfer: () => emulator.failNextTransfers(1),
    failure: { code: 'EIO', message: /^ST7735 on emulated ST7735 spidev: sending a frame failed: .*Input\/output error/ },
    settle: () => clock.advance(1000),
    randomFrame: (random) => randomRgb565(160, 80, random),
    withChange: withRgb565Change,
    // CASET, RASET, RAMWR (1 + 4 + 1 + 4 + 1) + 160·80·2 pixel bytes in 4096-byte spidev transfers.
    full: { bytes: 11 + 160 * 80 * 2, transactions: 5 + Math.ceil((160 * 80 * 2) / 4096) },
    clock: { area: { x: 110, y: 4, width: 40, height: 12 }, bytes: 11 + 40 * 12 * 2, transactions: 6 },
  };
});

describeDisplayDriverContract('SSD1306 (128x64 on I²C)', () => {
  const bus = new EmulatedI2cBus(1);
  const emulator = new Ssd1306Emulator();
  bus.attach(0x3c, emulator);
  return {
    driver: new Ssd1306Driver({ bus, busName: 'emulated bus 1' }),
    glass: () => emulator.frame(),
    bytesReceived: () => bus.trafficFor(0x3c).bytes,
    failNextTransfer: () => bus.failNext(0x3c, 1),
    failure: { code: 'EREMOTEIO', message: /^SSD1306 at 0x3C on emulated bus 1: sending a frame failed: Remote I\/O error/ },
    settle: () => {},
    randomFrame: (random) => randomMono(128, 64, random),
    withChange: withMonoChange,
    // COLADDR + PAGEADDR with control byte (7), then control 0x40 + 1024 bytes.
    full: { bytes: 7 + 1 + 1024, transactions: 2 },
    clock: { area: { x: 84, y: 48, width: 40, height: 12 }, bytes: 7 + 1 + 40 * 2, transactions: 2 }, // pages 6 and 7
  };
});
