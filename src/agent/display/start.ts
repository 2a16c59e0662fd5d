/**
 * The agent's display, started beside SNMP when display.type is not none. Loaded with a dynamic
 * import so that an agent without a display never loads the renderer or its fonts.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot } from '../agent.js';
import type { UnitSystem } from '../readings/units.js';
import type { DisplayConfig } from './config.js';
import { DisplayService } from './display-service.js';
import { openDisplay, type SensorsI2c } from './factory.js';
import { currentHost } from './host-info.js';
import { frameToPng } from './png.js';

export interface RunningDisplay {
  readonly service: DisplayService;
  stop(): Promise<void>;
}

export async function startDisplay(options: {
  config: DisplayConfig;
  simulate: boolean;
  units: UnitSystem;
  snapshot: () => AgentSnapshot | undefined;
  clock: Clock;
  logger: Logger;
  sensorsI2c?: SensorsI2c | undefined;
  /** With `simulate`: keep this PNG showing the emulated screen, rewritten whenever it changes. */
  snapshotPng?: string | undefined;
  onHealth?: ((failed: boolean, error?: unknown) => void) | undefined;
}): Promise<RunningDisplay | undefined> {
  const { config, logger } = options;
  const opened = await openDisplay(config, { simulate: options.simulate, clock: options.clock, sensorsI2c: options.sensorsI2c });
  if (!opened) return undefined;
  const { emulation } = opened;
  let writing = Promise.resolve();
  let pngFailed = false;
  const onFrame =
    options.snapshotPng && emulation
      ? () => {
          // What the emulated glass shows (decoded from the bytes sent), written whole then renamed
          // so a viewer never reads half a file. One write at a time.
          const target = options.snapshotPng!;
          writing = writing
            .then(async () => {
              await writeFile(`${target}.tmp`, await frameToPng(emulation.frame()));
              await rename(`${target}.tmp`, target);
            })
            .catch((error: unknown) => {
              if (!pngFailed) logger.warn('cannot write the display snapshot', { file: target, error });
              pngFailed = true;
            });
        }
      : undefined;
  const service = new DisplayService({
    driver: opened.driver,
    config,
    units: options.units,
    snapshot: options.snapshot,
    host: currentHost,
    clock: options.clock,
    logger,
    onFrame,
    onHealth: options.onHealth,
  });
  const stop = new AbortController();
  const running = service.run(stop.signal).catch((error: unknown) => logger.error('display stopped unexpectedly', { error }));
  logger.info('display started', { type: config.type, simulate: options.simulate, ...(options.snapshotPng ? { snapshot: options.snapshotPng } : {}) });
  return {
    service,
    stop: async () => {
      stop.abort();
      await running;
      await writing;
    },
  };
}
