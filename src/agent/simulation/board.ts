import type { Clock } from '../../common/clock.js';
import type { CpuTemperatureSource } from '../cpu-temperature.js';
import { EmulatedI2cBus } from '../i2c/emulated-bus.js';
import { recomputeHumidity, sensorTemperatureFor } from '../readings/heat-correction.js';
import { Bme280Emulator } from '../sensors/bme280/index.js';
import { Ltr559Emulator } from '../sensors/ltr559/index.js';
import { roomAt, type RoomConditions } from './scenario.js';

export const SIMULATED_BME280_ADDRESS = 0x76;
export const SIMULATED_LTR559_ADDRESS = 0x23;

/**
 * A Pimoroni Enviro board on an emulated I²C bus, playing the scripted room. The BME280 sits
 * above a warm CPU, so the chip sees air warmer (and relatively drier) than the room; the
 * agent's correction should recover the room's values.
 */
export class SimulatedBoard {
  readonly bus = new EmulatedI2cBus('simulated');
  readonly bme280: Bme280Emulator;
  readonly ltr559: Ltr559Emulator;
  readonly cpu: CpuTemperatureSource;
  readonly clock: Clock;
  private room: RoomConditions;
  private readonly startedAt: number;
  private readonly correctionFactor: number;

  constructor(options: { clock: Clock; correctionFactor: number; startedAt?: number }) {
    this.clock = options.clock;
    this.correctionFactor = options.correctionFactor;
    this.startedAt = options.startedAt ?? options.clock.now();
    this.bme280 = new Bme280Emulator({ clock: options.clock });
    this.ltr559 = new Ltr559Emulator({ clock: options.clock });
    this.bus.attach(SIMULATED_BME280_ADDRESS, this.bme280);
    this.bus.attach(SIMULATED_LTR559_ADDRESS, this.ltr559);
    this.room = roomAt(0);
    this.cpu = { read: async () => this.room.cpuC };
    this.update();
  }

  /** Sets the chips' physical conditions to the scripted room at the clock's current time. */
  update(): RoomConditions {
    const room = roomAt(this.clock.now() - this.startedAt);
    this.room = room;
    const chipC = sensorTemperatureFor(room.temperatureC, room.cpuC, this.correctionFactor);
    this.bme280.setConditions({
      temperatureC: chipC,
      humidityRH: recomputeHumidity(room.humidityRH, room.temperatureC, chipC),
      pressurePa: room.pressurePa,
    });
    this.ltr559.setConditions({ lux: room.lux, proximity: room.proximity });
    this.bus.setAbsent(SIMULATED_BME280_ADDRESS, room.bme280Absent);
    return room;
  }
}
