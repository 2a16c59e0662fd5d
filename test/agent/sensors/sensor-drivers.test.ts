/** The SensorDriver contract (sensor-driver.contract.ts) for the BME280 and the LTR-559, each on its emulator. */
import { expect } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { EmulatedI2cBus } from '../../../src/agent/i2c/emulated-bus.js';
import { Bme280, Bme280Emulator } from '../../../src/agent/sensors/bme280/index.js';
import { Ltr559, Ltr559Emulator } from '../../../src/agent/sensors/ltr559/index.js';
import { describeSensorDriverContract } from './sensor-driver.contract.js';

describeSensorDriverContract('BME280', () => {
  const clock = new ManualClock();
  const bus = new EmulatedI2cBus(1);
  bus.attach(0x76, new Bme280Emulator({ clock, conditions: { temperatureC: 25, humidityRH: 40, pressurePa: 101_325 } }));
  return {
    driver: new Bme280({ bus, clock }),
    bus,
    address: 0x76,
    expectConditions: (m) => {
      expect(m.temperatureC).toBeCloseTo(25, 1);
      expect(m.humidityRH).toBeCloseTo(40, 0);
      expect(m.pressurePa! / 100).toBeCloseTo(1013.25, 0);
    },
  };
});

describeSensorDriverContract('LTR-559', () => {
  const clock = new ManualClock();
  const bus = new EmulatedI2cBus(1);
  bus.attach(0x23, new Ltr559Emulator({ clock, conditions: { lux: 350, proximity: 300 } }));
  return {
    driver: new Ltr559({ bus, clock }),
    bus,
    address: 0x23,
    expectConditions: (m) => {
      expect(m.lux / 350).toBeCloseTo(1, 2);
      expect(m).toMatchObject({ fresh: true, saturated: false, proximity: 300 });
    },
  };
});
