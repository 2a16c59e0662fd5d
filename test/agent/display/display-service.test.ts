/**
 * The display service on the controllers' emulators: what reaches the emulated glass (decoded from
 * the bytes the drivers sent) equals the renderer's frame for the screen model; clock ticks send
 * little; failures are reported once, retried with backoff, and recovery reported once.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { createLogger, type LogLevel } from '../../../src/common/logger.js';
import type { AgentSnapshot } from '../../../src/agent/agent.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { displayConfigSchema } from '../../../src/agent/display/config.js';
import { DisplayService } from '../../../src/agent/display/display-service.js';
import type { Frame } from '../../../src/agent/display/framebuffer.js';
import { renderScreen } from '../../../src/agent/display/render.js';
import { clockText, screenRows } from '../../../src/agent/display/screen-model.js';
import { Ssd1306Driver } from '../../../src/agent/display/ssd1306/driver.js';
import { Ssd1306Emulator } from '../../../src/agent/display/ssd1306/emulator.js';
import { St7735Driver } from '../../../src/agent/display/st7735/driver.js';
import { St7735Emulator } from '../../../src/agent/display/st7735/emulator.js';
import { EmulatedI2cBus } from '../../../src/agent/i2c/emulated-bus.js';
import { agentFixture } from '../../helpers/agent-fixture.js';

const config = resolveAgentConfig(agentConfigSchema.parse({}));
const displayConfig = displayConfigSchema.parse({ type: 'st7735', splash: '5s', refresh: { clock: '1s', readings: '2s' }, blink: '500ms' });
const HOST = { hostname: 'sensor-7', addresses: ['10.0.0.7'] };

function setup(snapshot: () => AgentSnapshot | undefined) {
  const clock = new ManualClock(new Date(2026, 10, 23, 9, 0, 0).getTime());
  const logs: { level: LogLevel; line: string }[] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
  const frames: Frame[] = [];
  return {
    clock,
    logs,
    logger,
    frames,
    common: { config: displayConfig, units: config.units, snapshot, host: () => HOST, clock, logger, onFrame: (frame: Frame) => frames.push(frame) },
  };
}

function lcd(clock: ManualClock) {
  const emulator = new St7735Emulator({ clock });
  const driver = new St7735Driver({ spi: emulator.spi, dc: emulator.dc, backlight: emulator.backlight, clock });
  return { emulator, driver };
}

describe('display service on the ST7735 emulator', () => {
  it('shows the splash, then the clock and readings: the emulated glass equals the rendered frame', async () => {
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    const { clock, common } = setup(() => snapshot);
    const { emulator, driver } = lcd(clock);
    const service = new DisplayService({ ...common, driver });

    expect(await service.tick()).toBe(5_000); // the splash stays for display.splash
    expect(emulator.frame()).toEqual(renderScreen({ kind: 'splash', ...HOST }, driver));

    clock.advance(5_000);
    expect(await service.tick()).toBe(1_000);
    const expected = renderScreen(
      { kind: 'readings', clock: clockText(new Date(clock.now())), rows: screenRows(snapshot, config.units), blinkOn: true },
      driver,
    );
    expect(emulator.frame()).toEqual(expected);
    expect(emulator.state).toMatchObject({ displayOn: true, backlight: true });
  });

  it('a clock tick sends under 10 % of a full frame; readings refresh at refresh.readings', async () => {
    const fixture = await agentFixture();
    let snapshot: AgentSnapshot = await fixture.poll();
    const { clock, common } = setup(() => snapshot);
    const { emulator, driver } = lcd(clock);
    const service = new DisplayService({ ...common, driver, config: { ...displayConfig, splash: 0 } });
    await service.tick();
    const full = emulator.traffic.bytes;
    emulator.resetTraffic();
    clock.advance(1_000);
    // The room changed, but readings are redrawn only every 2 s: this tick is the clock alone.
    snapshot = {
      ...snapshot,
      quantities: snapshot.quantities.map((q) => (q.quantity === 'temperature' ? { ...q, reading: { ...q.reading!, value: q.reading!.value + 5 } } : q)),
    };
    await service.tick();
    expect(emulator.traffic.bytes).toBeGreaterThan(0);
    expect(emulator.traffic.bytes / full).toBeLessThan(0.1);
    clock.advance(1_000);
    await service.tick();
    expect(emulator.frame()).toEqual(
      renderScreen({ kind: 'readings', clock: clockText(new Date(clock.now())), rows: screenRows(snapshot, config.units), blinkOn: true }, driver),
    );
  });

  it('an SPI failure is reported once, retried with backoff, and the recovery reported once', async () => {
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    const { clock, logs, common } = setup(() => snapshot);
    const { emulator, driver } = lcd(clock);
    const health: boolean[] = [];
    const service = new DisplayService({ ...common, driver, config: { ...displayConfig, splash: 0 }, onHealth: (failed) => health.push(failed) });
    await service.tick();
    emulator.failNextTransfers(1_000);
    const delays = [];
    // Each step has a new clock second to send (an unchanged frame would send nothing, and fail nothing).
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      delays.push(await service.tick());
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000]);
    emulator.failNextTransfers(0);
    clock.advance(1_000);
    expect(await service.tick()).toBe(1_000);
    expect(logs.filter((log) => log.level === 'warn').map((log) => log.line)).toEqual([
      expect.stringMatching(/msg="display failed; retrying in the background" error=".*sending a frame failed: SPI transfer .* failed: Input\/output error"/),
    ]);
    expect(logs.filter((log) => log.line.includes('display recovered'))).toHaveLength(1);
    expect(service.counters).toMatchObject({ failures: 4, opens: 5 });
    expect(health).toEqual([true, false]); // what the syslog forwarder hears: one failure, one recovery
    expect(emulator.frame()).toEqual(
      renderScreen({ kind: 'readings', clock: clockText(new Date(clock.now())), rows: screenRows(snapshot, config.units), blinkOn: true }, driver),
    );
  });
});

describe('display service on the SSD1306 emulator', () => {
  it('an absent OLED is retried until it answers; alerting rows blink at display.blink', async () => {
    const { clock, logs, common, frames } = setup(() => undefined);
    const bus = new EmulatedI2cBus(1);
    const emulator = new Ssd1306Emulator();
    bus.attach(0x3c, emulator);
    bus.setAbsent(0x3c, true);
    const driver = new Ssd1306Driver({ bus, busName: 'emulated', address: 0x3c });
    const service = new DisplayService({ ...common, driver, config: { ...displayConfig, splash: 0 }, snapshot: () => undefined });
    expect(await service.tick()).toBe(1_000);
    expect(await service.tick()).toBe(2_000);
    bus.setAbsent(0x3c, false);
    expect(await service.tick()).toBe(1_000); // nothing alerting yet ("--" rows): no blinking
    expect(emulator.frame()).toEqual(frames.at(-1));
    expect(logs.filter((log) => log.level === 'warn')).toHaveLength(1);

    // A room above a (low) critical limit: the service steps at the blink interval and the row alternates.
    const hot = await agentFixture('thresholds:\n  temperature:\n    high:\n      warning: 40\n      critical: 50\n');
    const hotSnapshot = await hot.poll();
    expect(hotSnapshot.quantities.find((q) => q.quantity === 'temperature')?.status).toBe('critical');
    const blinking = new DisplayService({ ...common, driver, config: { ...displayConfig, splash: 0 }, snapshot: () => hotSnapshot });
    expect(await blinking.tick()).toBe(500);
    const first = emulator.frame();
    clock.advance(500);
    await blinking.tick();
    expect(emulator.frame()).not.toEqual(first);
    const rows = screenRows(hotSnapshot, config.units);
    expect(emulator.frame()).toEqual(
      renderScreen({ kind: 'readings', rows, clock: clockText(new Date(clock.now())), blinkOn: Math.floor(clock.monotonic() / 500) % 2 === 0 }, driver),
    );
  });
});
