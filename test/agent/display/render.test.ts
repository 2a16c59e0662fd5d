/**
 * The renderer: golden pictures of the sample screens for both displays (framebuffer SHA-256;
 * the PNGs beside the hashes were looked at by eye), and what the screen model decides.
 * UPDATE_GOLDEN=1 npx vitest run test/agent/display/render.test.ts rewrites the goldens.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AgentSnapshot, QuantityState } from '../../../src/agent/agent.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { monoPixel, type Frame } from '../../../src/agent/display/framebuffer.js';
import { frameToPng } from '../../../src/agent/display/png.js';
import { renderScreen, type RenderTarget } from '../../../src/agent/display/render.js';
import { SAMPLE_NAMES, sampleScreen } from '../../../src/agent/display/samples.js';
import { readingsScreen, type ReadingsScreen } from '../../../src/agent/display/screen-model.js';

const GOLDEN_DIR = new URL('../../golden/display/', import.meta.url);
const TARGETS: Record<'st7735' | 'ssd1306', RenderTarget> = {
  st7735: { format: 'rgb565', width: 160, height: 80 },
  ssd1306: { format: 'mono', width: 128, height: 64 },
};
const config = resolveAgentConfig(agentConfigSchema.parse({}));

function frameHash(frame: Frame): string {
  const bytes = frame.kind === 'rgb565' ? Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength) : Buffer.from(frame.pages);
  return createHash('sha256').update(`${frame.kind} ${frame.width}x${frame.height}\n`).update(bytes).digest('hex');
}

describe('golden pictures', () => {
  const hashesFile = new URL('hashes.json', GOLDEN_DIR);
  const hashes: Record<string, string> = existsSync(hashesFile) ? JSON.parse(readFileSync(hashesFile, 'utf8')) : {};
  const update = process.env['UPDATE_GOLDEN'] === '1';
  const updated: Record<string, string> = { ...hashes };

  for (const [type, target] of Object.entries(TARGETS)) {
    for (const sample of SAMPLE_NAMES) {
      const name = `${type}-${sample}`;
      it(name, async () => {
        const frame = renderScreen(sampleScreen(sample, config), target);
        const hash = frameHash(frame);
        const png = fileURLToPath(new URL(`${name}.png`, GOLDEN_DIR));
        if (update) {
          writeFileSync(png, await frameToPng(frame));
          updated[name] = hash;
          writeFileSync(hashesFile, `${JSON.stringify(updated, null, 2)}\n`);
          return;
        }
        if (hash !== hashes[name]) {
          const fresh = png.replace(/\.png$/, '.new.png');
          writeFileSync(fresh, await frameToPng(frame));
          expect.fail(
            `${name} differs from its golden picture: compare ${png} with ${fresh}; if the new one is right, run UPDATE_GOLDEN=1 npx vitest run test/agent/display/render.test.ts`,
          );
        }
      });
    }
  }
});

function snapshotWith(states: Partial<Record<'temperature' | 'humidity' | 'light', Pick<QuantityState, 'status'> & { value?: number }>>): AgentSnapshot {
  const quantities = Object.entries(states).map(([quantity, s]): QuantityState => ({
    quantity: quantity as QuantityState['quantity'],
    sensor: quantity === 'light' ? 'ltr559' : 'bme280',
    reading: s.value === undefined ? undefined : { quantity: quantity as QuantityState['quantity'], value: s.value, raw: s.value, timestamp: 0 },
    level: 'ok',
    status: s.status,
  }));
  return { timestamp: 0, quantities, sensors: [] };
}

const screen = (snapshot: AgentSnapshot | undefined, temperature: 'fahrenheit' | 'celsius' = 'fahrenheit', blinkOn = true): ReadingsScreen =>
  readingsScreen(snapshot, { units: { temperature }, now: new Date(2026, 0, 2, 3, 4, 5), blinkOn });

describe('screen model', () => {
  it('shows values in the configured unit, the clock as HH:MM:SS', () => {
    const snapshot = snapshotWith({
      temperature: { status: 'ok', value: 22.5 },
      humidity: { status: 'ok', value: 40.6 },
      light: { status: 'ok', value: 320.4 },
    });
    expect(screen(snapshot)).toEqual({
      kind: 'readings',
      clock: '03:04:05',
      blinkOn: true,
      rows: [
        { label: 'Temp', value: '72.5', unit: '°F', state: 'ok' },
        { label: 'Humid', value: '41', unit: '%RH', state: 'ok' },
        { label: 'Light', value: '320', unit: 'lux', state: 'ok' },
      ],
    });
    expect(screen(snapshot, 'celsius').rows[0]).toEqual({ label: 'Temp', value: '22.5', unit: '°C', state: 'ok' });
  });

  it('ERR for a sensor in error, -- before any reading or for a disabled sensor, the status as the agent decided it', () => {
    const snapshot = snapshotWith({ temperature: { status: 'error', value: 22 }, humidity: { status: 'critical', value: 9 } });
    expect(screen(snapshot).rows).toEqual([
      { label: 'Temp', value: 'ERR', unit: '', state: 'error' },
      { label: 'Humid', value: '9', unit: '%RH', state: 'critical' },
      { label: 'Light', value: '--', unit: '', state: 'none' },
    ]);
    expect(screen(undefined).rows.map((row) => row.value)).toEqual(['--', '--', '--']);
  });

  it('takes the level from the agent (its hysteresis): a value back under the limit stays critical while the agent says so', () => {
    // 79.5 °F is under the 80 °F critical limit, but within the 1 °F hysteresis the agent keeps it critical.
    const held = snapshotWith({ temperature: { status: 'critical', value: (79.5 - 32) / 1.8 } });
    const frame = renderScreen(screen(held), TARGETS.st7735);
    const red = frame.kind === 'rgb565' ? frame.pixels[30 * 160 + 1] : undefined;
    expect(red).toBe(0xd800); // rgb565(220, 0, 0): the critical row's background
  });
});

describe('rendering', () => {
  const alertingAndNormal = screen(
    snapshotWith({ temperature: { status: 'critical', value: 30 }, humidity: { status: 'ok', value: 40 }, light: { status: 'ok', value: 300 } }),
  );
  const litIn = (frame: Frame, top: number, bottom: number) => {
    let lit = 0;
    if (frame.kind !== 'mono') throw new Error('mono expected');
    for (let y = top; y < bottom; y++) for (let x = 0; x < frame.width; x++) if (monoPixel(frame, x, y)) lit++;
    return lit;
  };

  it('on the OLED an alerting row is inverted only in the blink phase; normal rows never change', () => {
    const on = renderScreen({ ...alertingAndNormal, blinkOn: true }, TARGETS.ssd1306);
    const off = renderScreen({ ...alertingAndNormal, blinkOn: false }, TARGETS.ssd1306);
    // Row 1 (temperature) is pixels 16-31: mostly lit when inverted, mostly dark when not.
    expect(litIn(on, 16, 32)).toBeGreaterThan(128 * 16 * 0.6);
    expect(litIn(off, 16, 32)).toBeLessThan(128 * 16 * 0.4);
    expect(litIn(on, 32, 64)).toBe(litIn(off, 32, 64));
    expect(Buffer.from(on.kind === 'mono' ? on.pages.subarray(4 * 128) : [])).toEqual(Buffer.from(off.kind === 'mono' ? off.pages.subarray(4 * 128) : []));
  });

  it('a clock tick changes only the clock band (the first two OLED pages)', () => {
    const a = renderScreen(alertingAndNormal, TARGETS.ssd1306);
    const b = renderScreen({ ...alertingAndNormal, clock: '03:04:06' }, TARGETS.ssd1306);
    if (a.kind !== 'mono' || b.kind !== 'mono') throw new Error('mono expected');
    expect(Buffer.from(a.pages.subarray(2 * 128))).toEqual(Buffer.from(b.pages.subarray(2 * 128)));
    expect(Buffer.from(a.pages.subarray(0, 2 * 128))).not.toEqual(Buffer.from(b.pages.subarray(0, 2 * 128)));
  });

  it('draws the upright 80x160 LCD too', () => {
    const frame = renderScreen(sampleScreen('normal', config), { format: 'rgb565', width: 80, height: 160 });
    expect([frame.width, frame.height]).toEqual([80, 160]);
    expect(frame.kind === 'rgb565' && frame.pixels.some((p) => p === 0xffff)).toBe(true);
  });

  it('writes a PNG of the frame, scaled', async () => {
    const png = await frameToPng(renderScreen(sampleScreen('splash', config), TARGETS.st7735), 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 160]);
  });
});
