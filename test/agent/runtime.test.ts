/**
 * The agent opens the GPIO header bus on each board: `createAgentRuntime` on fake sysfs trees
 * (Pi 3 / Zero 2 W and Pi 4 / 400 numbering, see test/helpers/fake-sysfs.ts) with the bus
 * opener replaced by emulated buses, the Enviro board's chips only on the header bus.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/clock.js';
import { parseConfigText } from '../../src/common/config-file.js';
import { createLogger } from '../../src/common/logger.js';
import { agentConfigSchema } from '../../src/agent/config/schema.js';
import { resolveAgentConfig } from '../../src/agent/config/resolve.js';
import { EmulatedI2cBus } from '../../src/agent/i2c/emulated-bus.js';
import { createAgentRuntime } from '../../src/agent/runtime.js';
import { SimulatedBoard } from '../../src/agent/simulation/board.js';
import { FakeSysfs, PI3_ADAPTERS, PI4_ADAPTERS, PI4_DDC_ADAPTERS, type FakeAdapter } from '../helpers/fake-sysfs.js';

const NO_CPU = 'cpuCorrection:\n  enabled: false\n';

async function runtimeOn(adapters: readonly FakeAdapter[], headerBus: number, yaml = NO_CPU, retryMissingBus = false) {
  const clock = new ManualClock();
  const logs: string[] = [];
  const sysfs = await FakeSysfs.create(adapters);
  const board = new SimulatedBoard({ clock, correctionFactor: 2.25 });
  const opened: number[] = [];
  const runtime = await createAgentRuntime({
    config: resolveAgentConfig(parseConfigText(agentConfigSchema, yaml)),
    simulate: false,
    clock,
    logger: createLogger({ level: 'info', sink: (_level, line) => logs.push(line) }),
    retryMissingBus,
    sysfsRoot: sysfs.root,
    openI2cBus: async (busNumber) => {
      opened.push(busNumber);
      return busNumber === headerBus ? board.bus : new EmulatedI2cBus(busNumber);
    },
  });
  return { runtime, sysfs, opened, logs };
}

describe('createAgentRuntime: which I²C bus', () => {
  it.each([
    ['Pi 3 B / Zero 2 W', PI3_ADAPTERS, 1],
    ['Pi 4 B / 400', PI4_ADAPTERS, 3],
  ])('by default opens the header bus on a %s, reads the sensors there, and says why', async (_board, adapters, header) => {
    const { runtime, opened, logs } = await runtimeOn(adapters, header);
    expect(opened).toEqual([header]);
    expect(runtime.i2c).toMatchObject({ number: header });
    expect(logs.join('\n')).toContain(`I²C bus /dev/i2c-${header}: the GPIO header bus: bcm2835 (i2c@7e804000)`);
    const snapshot = await runtime.agent.pollOnce();
    expect(snapshot.sensors.every((sensor) => sensor.ok)).toBe(true);
  });

  it('an explicit i2c.bus is opened as given (here an HDMI bus on a Pi 4: the sensors report error)', async () => {
    const { runtime, opened } = await runtimeOn(PI4_ADAPTERS, 3, `${NO_CPU}i2c:\n  bus: 1\n`);
    expect(opened).toEqual([1]);
    expect((await runtime.agent.pollOnce()).sensors.every((sensor) => !sensor.ok)).toBe(true);
  });

  it('one-shot (read): no header bus fails the start with the buses seen', async () => {
    await expect(runtimeOn(PI4_DDC_ADAPTERS, 3)).rejects.toThrow(/found no GPIO header bus .*I²C buses seen: i2c-0 fef04500\.i2c/);
  });

  it('the agent waits for the header bus (i2c-bcm2835 loaded after it started) and never takes an HDMI bus meanwhile', async () => {
    const { runtime, sysfs, opened } = await runtimeOn(PI4_DDC_ADAPTERS, 3, NO_CPU, true);
    const before = await runtime.agent.pollOnce();
    expect(before.sensors.map((sensor) => sensor.error)).toEqual([
      expect.stringContaining('found no GPIO header bus'),
      expect.stringContaining('found no GPIO header bus'),
    ]);
    expect(runtime.i2c).toBeUndefined();
    await sysfs.add(PI4_ADAPTERS.slice(2));
    const after = await runtime.agent.pollOnce();
    expect(after.sensors.every((sensor) => sensor.ok)).toBe(true);
    expect(opened).toEqual([3]);
    expect(runtime.i2c).toMatchObject({ number: 3 });
  });
});
