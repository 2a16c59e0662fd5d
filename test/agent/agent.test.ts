import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/common/config-file.js';
import { createLogger } from '../../src/common/logger.js';
import { SensorAgent } from '../../src/agent/agent.js';
import { agentConfigSchema } from '../../src/agent/config/schema.js';
import { resolveAgentConfig } from '../../src/agent/config/resolve.js';
import { SysfsCpuTemperature, type CpuTemperatureSource } from '../../src/agent/cpu-temperature.js';
import { Bme280, Bme280Emulator } from '../../src/agent/sensors/bme280/index.js';
import { SIMULATED_BME280_ADDRESS, SIMULATED_LTR559_ADDRESS } from '../../src/agent/simulation/board.js';
import { roomAt } from '../../src/agent/simulation/scenario.js';
import type { AgentSnapshot } from '../../src/agent/agent.js';
import { agentFixture } from '../helpers/agent-fixture.js';

const NO_CPU = 'cpuCorrection:\n  enabled: false\n';

function quantity(snapshot: AgentSnapshot, name: string) {
  const state = snapshot.quantities.find((q) => q.quantity === name);
  if (!state) throw new Error(`no ${name} in snapshot`);
  return state;
}

describe('sensor agent loop', () => {
  it('recovers the room from the heated chip: corrected temperature and recomputed humidity', async () => {
    const { poll, board } = await agentFixture();
    const room = roomAt(0); // 23 °C, 40 %RH, 1013.25 hPa, 320 lux, CPU 48 °C
    const snapshot = await poll();
    const temperature = quantity(snapshot, 'temperature');
    // The chip sits at (2.25 × 23 + 48) / 3.25 = 30.69 °C; the correction brings it back.
    expect(temperature.reading!.raw).toBeCloseTo(30.69, 1);
    expect(temperature.reading!.value).toBeCloseTo(room.temperatureC, 1);
    expect(quantity(snapshot, 'humidity').reading!.value).toBeCloseTo(room.humidityRH, 0);
    expect(quantity(snapshot, 'humidity').reading!.raw).toBeLessThan(30); // drier at the warm chip
    expect(quantity(snapshot, 'pressure').reading!.value).toBeCloseTo(1013.25, 0);
    expect(quantity(snapshot, 'light').reading!.value / room.lux).toBeCloseTo(1, 1);
    expect(snapshot.quantities.every((q) => q.status === 'ok')).toBe(true);
    expect(snapshot.cpuAverageC).toBe(48);
    expect(board.bus.traffic.failed).toBe(0);
  });

  it('marks a sensor that stops answering as error, logs it once, and re-initialises it when it answers again', async () => {
    const { poll, board, events, logs } = await agentFixture();
    await poll();
    board.bus.setAbsent(SIMULATED_BME280_ADDRESS, true);
    for (let i = 0; i < 5; i++) {
      const snapshot = await poll();
      expect(['temperature', 'humidity', 'pressure'].map((q) => quantity(snapshot, q).status)).toEqual(['error', 'error', 'error']);
      expect(quantity(snapshot, 'light').status).toBe('ok'); // the other sensor keeps working
      expect(quantity(snapshot, 'temperature').reading).toBeDefined(); // last good value kept
    }
    expect(events.fault).toHaveLength(1);
    expect(events.fault[0]).toMatchObject({ sensor: 'bme280' });
    expect(events.fault[0]!.reason).toMatch(/Remote I\/O error|no BME280/i);
    expect(logs.filter((l) => l.level === 'warn' && l.line.includes('sensor fault'))).toHaveLength(1);

    // Replugged chip powers up fresh: a new emulator at the same address.
    board.bus.attach(SIMULATED_BME280_ADDRESS, new Bme280Emulator({ clock: board.clock }));
    board.bus.setAbsent(SIMULATED_BME280_ADDRESS, false);
    const after = await poll();
    expect(quantity(after, 'temperature').status).toBe('ok');
    // Down from the first failed poll to the first good one: five intervals (plus the conversion time).
    expect(events.recovered).toEqual([expect.objectContaining({ sensor: 'bme280', downtimeMs: expect.closeTo(5 * 2000, -2) })]);
    expect(events.statusChange.filter((c) => c.quantity === 'temperature').map((c) => `${c.from}→${c.to}`)).toEqual(['ok→error', 'error→ok']);
  });

  it('survives transient bus errors on the next transfers and comes back by itself', async () => {
    const { poll, board, events } = await agentFixture(NO_CPU);
    await poll();
    board.bus.failNext(SIMULATED_LTR559_ADDRESS, 2, 'EIO');
    const during = await poll();
    expect(quantity(during, 'light')).toMatchObject({ status: 'error' });
    expect(quantity(during, 'light').reason).toMatch(/Input\/output error/);
    let snapshot = during;
    for (let i = 0; i < 3 && quantity(snapshot, 'light').status !== 'ok'; i++) snapshot = await poll();
    expect(quantity(snapshot, 'light').status).toBe('ok');
    expect(events.fault).toHaveLength(1);
    expect(events.recovered).toHaveLength(1);
  });

  it('raises threshold changes from the one model, without flapping around the limit', async () => {
    const { poll, board, events } = await agentFixture(NO_CPU);
    const conditions = { humidityRH: 40, pressurePa: 101_325 };
    board.bme280.setConditions({ temperatureC: 22, ...conditions });
    await poll();
    // Defaults: warning above 77 °F = 25 °C, critical above 80 °F = 26.67 °C, hysteresis 1 °F = 0.56 °C:
    // critical holds down to 26.11 °C, warning down to 24.44 °C (24.5 is still warning).
    for (const celsius of [25.5, 26.9, 26.6, 26.9, 26.5, 26.9, 25.9, 24.5, 24.3]) {
      board.bme280.setConditions({ temperatureC: celsius, ...conditions });
      await poll();
    }
    const changes = events.statusChange.filter((c) => c.quantity === 'temperature');
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['ok→warning', 'warning→critical', 'critical→warning', 'warning→ok']);
    expect(changes[1]!.limit).toEqual({ side: 'high', limit: expect.closeTo(26.667, 2) });
    expect(changes[1]!.value).toBeCloseTo(26.9, 1);
  });

  it('reports stale values when the loop stops', async () => {
    const { poll, agent, clock } = await agentFixture();
    await poll();
    expect(agent.snapshot().quantities.every((q) => q.status === 'ok')).toBe(true);
    clock.advance(10_000); // no poll for 12 s in all: past poll.staleAfter (10 s)
    const hung = agent.snapshot();
    expect(hung.quantities.every((q) => q.status === 'stale')).toBe(true);
    expect(quantity(hung, 'temperature').reason).toMatch(/last reading 12 s old/);
  });

  it('reads a BMP280 for temperature and pressure and says why humidity is missing', async () => {
    const { poll, board } = await agentFixture(NO_CPU);
    board.bus.attach(SIMULATED_BME280_ADDRESS, new Bme280Emulator({ clock: board.clock, model: 'BMP280' }));
    const snapshot = await poll();
    expect(quantity(snapshot, 'temperature').status).toBe('ok');
    expect(quantity(snapshot, 'pressure').status).toBe('ok');
    expect(quantity(snapshot, 'humidity')).toMatchObject({ status: 'error', reason: 'BMP280: no humidity' });
  });

  it('corrects for CPU heat once the CPU temperature becomes readable (thermal module loaded after the agent), saying so once each way', async () => {
    const { board, clock } = await agentFixture(NO_CPU);
    const logs: string[] = [];
    let thermalLoaded = false;
    const cpu: CpuTemperatureSource = {
      read: async () => {
        if (!thermalLoaded) throw new Error("ENOENT: no such file or directory, open '/sys/class/thermal/thermal_zone0/temp'");
        return 48;
      },
    };
    const agent = new SensorAgent({
      config: resolveAgentConfig(parseConfigText(agentConfigSchema, '')),
      sensors: { bme280: new Bme280({ bus: board.bus, clock }) },
      cpu,
      clock,
      logger: createLogger({ sink: (_level, line) => logs.push(line) }),
    });
    const before = await agent.pollOnce();
    await agent.pollOnce();
    expect(before.cpuAverageC).toBeUndefined();
    expect(quantity(before, 'temperature').reading!.value).toBe(quantity(before, 'temperature').reading!.raw);

    thermalLoaded = true;
    const after = await agent.pollOnce();
    await agent.pollOnce();
    expect(after.cpuAverageC).toBe(48);
    expect(quantity(after, 'temperature').reading!.value).toBeLessThan(quantity(after, 'temperature').reading!.raw);
    expect(logs).toEqual([
      expect.stringMatching(/CPU temperature not readable: heat correction off until it is .*ENOENT/),
      expect.stringContaining('CPU temperature readable now: heat correction on'),
    ]);
  });

  it('reads the kernel thermal zone file in millidegrees', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-'));
    await writeFile(join(dir, 'temp'), '48312\n');
    expect(await new SysfsCpuTemperature(join(dir, 'temp')).read()).toBe(48.312);
    await writeFile(join(dir, 'temp'), 'garbage');
    await expect(new SysfsCpuTemperature(join(dir, 'temp')).read()).rejects.toThrow(/not a temperature/);
  });

  it('announces error → ok when a sensor missing at start-up appears', async () => {
    const { poll, board, events } = await agentFixture();
    board.bus.setAbsent(SIMULATED_BME280_ADDRESS, true);
    await poll();
    board.bus.setAbsent(SIMULATED_BME280_ADDRESS, false);
    await poll();
    expect(events.statusChange.filter((c) => c.quantity === 'temperature').map((c) => `${c.from}→${c.to}`)).toEqual(['stale→error', 'error→ok']);
  });

  it('keeps polling and notifying other listeners when a listener throws', async () => {
    const { poll, agent, board, events, logs } = await agentFixture();
    agent.prependListener('fault', () => {
      throw new Error('listener bug');
    });
    await poll();
    board.bus.setAbsent(SIMULATED_LTR559_ADDRESS, true);
    await poll();
    expect(events.fault).toHaveLength(1); // the fixture's listener, after the throwing one
    expect(logs.some((l) => l.level === 'error' && l.line.includes('event listener failed') && l.line.includes('listener bug'))).toBe(true);
    board.bus.setAbsent(SIMULATED_LTR559_ADDRESS, false);
    expect(quantity(await poll(), 'light').status).toBe('ok');
  });

  it('has no quantity for a BME280 channel configured off', async () => {
    const { poll } = await agentFixture('sensors:\n  bme280:\n    oversampling: { humidity: 0 }\n');
    const snapshot = await poll();
    expect(snapshot.quantities.map((q) => q.quantity)).toEqual(['temperature', 'pressure', 'light', 'proximity']);
    expect(snapshot.quantities.every((q) => q.status === 'ok')).toBe(true);
  });

  it('keeps the age of a light value the chip did not renew', async () => {
    const { poll, board } = await agentFixture();
    const first = await poll();
    board.ltr559.setFaults({ noNewData: true });
    const repeated = await poll();
    expect(quantity(repeated, 'light').reading!.timestamp).toBe(quantity(first, 'light').reading!.timestamp);
    expect(quantity(repeated, 'temperature').reading!.timestamp).toBeGreaterThan(quantity(first, 'temperature').reading!.timestamp);
  });

  it('bright sun on the LTR-559 is a saturated light reading with its usual status, not an error', async () => {
    const { poll, board, events } = await agentFixture(NO_CPU);
    board.ltr559.setConditions({ lux: 100_000 });
    for (let polls = 0; polls < 3; polls++) await poll(); // 3 polls × 2 s: past the driver's 2 s stale limit
    const light = quantity(await poll(), 'light');
    expect(light).toMatchObject({ status: 'ok', reading: { saturated: true } });
    expect(light.reading!.value).toBeCloseTo((65535 * 23237) / 40000, 3); // both channels at full scale, gain 4, 100 ms
    expect(events.fault).toEqual([]);
  });

  it('plays the scripted minute: warning then critical, the humidity dip, the BME280 dropout and recovery', async () => {
    const { poll, events } = await agentFixture('', { followScenario: true });
    for (let i = 0; i < 30; i++) await poll(); // 60 s at 2 s
    const changes = (q: string) => events.statusChange.filter((c) => c.quantity === q).map((c) => `${c.from}→${c.to}`);
    // The BME280 is off the bus from 30 s to 36 s, while the room is at its hottest (27.5 °C = 81.5 °F).
    expect(changes('temperature')).toEqual(['ok→warning', 'warning→critical', 'critical→error', 'error→critical', 'critical→warning', 'warning→ok']);
    expect(changes('humidity').slice(0, 2)).toEqual(['ok→warning', 'warning→critical']);
    expect(events.fault.map((f) => f.sensor)).toEqual(['bme280']);
    expect(events.recovered).toEqual([expect.objectContaining({ sensor: 'bme280', downtimeMs: expect.closeTo(6000, -2) })]);
  });

  it('runs one poll per interval until stopped', async () => {
    const { agent, clock } = await agentFixture(NO_CPU);
    const stop = new AbortController();
    const times: number[] = [];
    agent.on('reading', (s) => {
      times.push(s.timestamp);
      if (times.length === 5) stop.abort();
    });
    const start = clock.now();
    await agent.run(stop.signal);
    // Fixed rate: polls start every 2 s; each reading is stamped when its conversions are done
    // (the first one also waits for start-up: reset and the LTR-559's first integration).
    const lateBy = times.map((t, k) => t - start - k * 2000);
    expect(lateBy[0]).toBeLessThan(300);
    expect(lateBy[1]).toBeLessThan(50);
    expect(new Set(lateBy.slice(1)).size).toBe(1);
  });
});
