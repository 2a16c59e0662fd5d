import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { SensorAgent } from './agent.js';
import type { ResolvedAgentConfig } from './config/resolve.js';
import { SysfsCpuTemperature, type CpuTemperatureSource } from './cpu-temperature.js';
import type { I2cBus } from './i2c/bus.js';
import { LinuxI2cBus, RetryingLinuxI2cBus } from './i2c/linux-bus.js';
import { Bme280 } from './sensors/bme280/index.js';
import { Ltr559 } from './sensors/ltr559/index.js';
import { SimulatedBoard } from './simulation/board.js';

export interface AgentRuntime {
  readonly agent: SensorAgent;
  readonly bus: I2cBus;
  /** Present with `--simulate`: the emulated board playing the scripted room. */
  readonly board?: SimulatedBoard | undefined;
  close(): Promise<void>;
}

async function openBus(busNumber: number, retryMissing: boolean, logger: Logger): Promise<I2cBus> {
  try {
    return await LinuxI2cBus.open(busNumber);
  } catch (error) {
    if (!retryMissing) throw error;
    logger.error('I²C bus not available; the sensors report error, and the bus is tried again at every poll', { error });
    return new RetryingLinuxI2cBus(busNumber);
  }
}

/** Wires bus, drivers and CPU source from the config: the real I²C bus, or the simulated board. */
export async function createAgentRuntime(options: {
  config: ResolvedAgentConfig;
  simulate: boolean;
  clock: Clock;
  logger: Logger;
  /** The long-running agent: a missing bus is retried at every poll (sensors in error) instead of failing the start. */
  retryMissingBus?: boolean;
}): Promise<AgentRuntime> {
  const { config, simulate, clock, logger } = options;
  const settings = config.config;
  const board = simulate ? new SimulatedBoard({ clock, correctionFactor: settings.cpuCorrection.factor }) : undefined;
  const bus: I2cBus = board ? board.bus : await openBus(settings.i2c.bus, options.retryMissingBus ?? false, logger);

  const { bme280, ltr559 } = settings.sensors;
  const sensors = {
    bme280: bme280.enabled
      ? new Bme280({ bus, clock, ...(bme280.address === 'auto' ? {} : { address: bme280.address }), mode: bme280.mode, oversampling: bme280.oversampling, filter: bme280.filter })
      : undefined,
    ltr559: ltr559.enabled
      ? new Ltr559({ bus, clock, address: ltr559.address, gain: ltr559.gain, integrationTimeMs: ltr559.integrationTimeMs, proximity: ltr559.proximity })
      : undefined,
  };

  let cpu: CpuTemperatureSource | undefined;
  if (settings.cpuCorrection.enabled) cpu = board ? board.cpu : new SysfsCpuTemperature(settings.cpuCorrection.path);

  const agent = new SensorAgent({ config, sensors, cpu, clock, logger });
  return { agent, bus, board, close: () => bus.close() };
}
