import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { SensorAgent } from './agent.js';
import type { ResolvedAgentConfig } from './config/resolve.js';
import { SysfsCpuTemperature, type CpuTemperatureSource } from './cpu-temperature.js';
import type { I2cBus } from './i2c/bus.js';
import { chooseI2cBus, type I2cBusChoice } from './i2c/header-bus.js';
import { LinuxI2cBus, RetryingI2cBus } from './i2c/linux-bus.js';
import { Bme280 } from './sensors/bme280/index.js';
import { Ltr559 } from './sensors/ltr559/index.js';
import { SimulatedBoard } from './simulation/board.js';

export interface AgentRuntime {
  readonly agent: SensorAgent;
  readonly bus: I2cBus;
  /** The I²C bus chosen and why; undefined when simulated, or while the agent still waits for its bus. */
  readonly i2c: I2cBusChoice | undefined;
  /** Present with `--simulate`: the emulated board playing the scripted room. */
  readonly board?: SimulatedBoard | undefined;
  close(): Promise<void>;
}

export interface AgentRuntimeOptions {
  config: ResolvedAgentConfig;
  simulate: boolean;
  clock: Clock;
  logger: Logger;
  /** The long-running agent: a missing bus is retried at every poll (sensors in error) instead of failing the start. */
  retryMissingBus?: boolean;
  /** Where sysfs is, for `i2c.bus: auto`; default `/sys` (tests pass a fake tree). */
  sysfsRoot?: string;
  /** Opens /dev/i2c-N; default the real bus (tests pass emulated ones). */
  openI2cBus?: (busNumber: number) => Promise<I2cBus>;
}

/** Wires bus, drivers and CPU source from the config: the real I²C bus, or the simulated board. */
export async function createAgentRuntime(options: AgentRuntimeOptions): Promise<AgentRuntime> {
  const { config, simulate, clock, logger } = options;
  const settings = config.config;
  const board = simulate ? new SimulatedBoard({ clock, correctionFactor: settings.cpuCorrection.factor }) : undefined;
  let i2c: I2cBusChoice | undefined;
  const openChosenBus = async (): Promise<I2cBus> => {
    const choice = await chooseI2cBus(settings.i2c.bus, options.sysfsRoot ?? '/sys');
    const bus = await (options.openI2cBus ?? LinuxI2cBus.open)(choice.number);
    i2c = choice;
    logger.info(`I²C bus /dev/i2c-${choice.number}: ${choice.reason}`);
    return bus;
  };
  let bus: I2cBus;
  if (board) bus = board.bus;
  else {
    try {
      bus = await openChosenBus();
    } catch (error) {
      if (!options.retryMissingBus) throw error;
      logger.error('I²C bus not available; the sensors report error, and the bus is looked for again at every poll', { error });
      bus = new RetryingI2cBus(openChosenBus);
    }
  }

  const { bme280, ltr559 } = settings.sensors;
  const sensors = {
    bme280: bme280.enabled
      ? new Bme280({
          bus,
          clock,
          ...(bme280.address === 'auto' ? {} : { address: bme280.address }),
          mode: bme280.mode,
          oversampling: bme280.oversampling,
          filter: bme280.filter,
        })
      : undefined,
    ltr559: ltr559.enabled
      ? new Ltr559({ bus, clock, address: ltr559.address, gain: ltr559.gain, integrationTimeMs: ltr559.integrationTimeMs, proximity: ltr559.proximity })
      : undefined,
  };

  let cpu: CpuTemperatureSource | undefined;
  if (settings.cpuCorrection.enabled) cpu = board ? board.cpu : new SysfsCpuTemperature(settings.cpuCorrection.path);

  const agent = new SensorAgent({ config, sensors, cpu, clock, logger });
  return {
    agent,
    bus,
    get i2c() {
      return i2c;
    },
    board,
    close: () => bus.close(),
  };
}
