import { describe, expect, it } from 'vitest';
import { crossedLimit, evaluateLevel, type Level, type Thresholds } from '../../../src/agent/readings/thresholds.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { parseConfigText } from '../../../src/common/config-file.js';

const temperature: Thresholds = { high: { warning: 25, critical: 26.5 }, hysteresis: 0.5 };
const humidity: Thresholds = { low: { warning: 15, critical: 10 }, hysteresis: 1 };

/** Feeds values one after another, as the loop does, and returns the level after each. */
function run(values: number[], thresholds: Thresholds): Level[] {
  let level: Level = 'ok';
  return values.map((value) => (level = evaluateLevel(value, thresholds, level)));
}

describe('threshold model', () => {
  it('enters a level when the value crosses its limit (strictly)', () => {
    expect(run([24, 25, 25.01, 26.5, 26.51], temperature)).toEqual(['ok', 'ok', 'warning', 'warning', 'critical']);
    expect(run([20, 15, 14.9, 10, 9.9], humidity)).toEqual(['ok', 'ok', 'warning', 'warning', 'critical']);
  });

  it('does not flap when the value hovers at a limit', () => {
    // Noise of ±0.2 around the critical limit 26.5 with hysteresis 0.5: one change, not six.
    const hovering = [26.6, 26.4, 26.6, 26.3, 26.6, 26.4, 26.55];
    const levels = run(hovering, temperature);
    expect(levels).toEqual(Array(hovering.length).fill('critical'));
    const humid = run([9.8, 10.2, 9.9, 10.5, 9.7], humidity);
    expect(humid).toEqual(Array(5).fill('critical'));
  });

  it('leaves a level only once back inside by the hysteresis, stepping down through warning', () => {
    expect(run([27, 26.1, 25.99, 25.2, 24.6, 24.49], temperature)).toEqual(['critical', 'critical', 'warning', 'warning', 'warning', 'ok']);
    expect(run([9, 10.9, 11.1, 15.5, 16.1], humidity)).toEqual(['critical', 'critical', 'warning', 'warning', 'ok']);
  });

  it('jumps straight to critical and straight back to ok when the value moves far', () => {
    expect(run([20, 30, 20], temperature)).toEqual(['ok', 'critical', 'ok']);
  });

  it('names the limit that was crossed', () => {
    expect(crossedLimit(27, temperature, 'critical')).toEqual({ side: 'high', limit: 26.5 });
    expect(crossedLimit(12, humidity, 'warning')).toEqual({ side: 'low', limit: 15 });
    expect(crossedLimit(20, temperature, 'ok')).toBeUndefined();
  });

  it('defaults to the original limits: red above 80 °F and below 10 %RH, warning a little inside', () => {
    const resolved = resolveAgentConfig(parseConfigText(agentConfigSchema, ''));
    const t = resolved.thresholds.temperature!;
    expect(t.high?.critical).toBeCloseTo((80 - 32) / 1.8, 10); // 26.67 °C
    expect(t.high?.warning).toBeCloseTo((77 - 32) / 1.8, 10); // 25 °C
    expect(t.hysteresis).toBeCloseTo(1 / 1.8, 10); // 1 °F
    expect(resolved.thresholds.humidity).toMatchObject({ low: { critical: 10, warning: 15 } });
    expect(resolved.thresholds.light).toBeUndefined();
    // 80.1 °F is critical, 80 °F is not.
    expect(evaluateLevel((80.1 - 32) / 1.8, t, 'ok')).toBe('critical');
    expect(evaluateLevel((80 - 32) / 1.8, t, 'ok')).toBe('warning');
  });

  it('takes configured limits in the configured unit', () => {
    const yaml = 'units:\n  temperature: celsius\nthresholds:\n  temperature:\n    high: { critical: 30 }\n    low: { critical: 5 }\n    hysteresis: 2\n';
    const resolved = resolveAgentConfig(parseConfigText(agentConfigSchema, yaml));
    expect(resolved.thresholds.temperature).toEqual({
      high: { warning: undefined, critical: 30 },
      low: { warning: undefined, critical: 5 },
      hysteresis: 2,
    });
  });

  it('gives configured limits without a hysteresis the default for their quantity and unit', () => {
    const celsius = resolveAgentConfig(
      parseConfigText(
        agentConfigSchema,
        'units:\n  temperature: celsius\nthresholds:\n  temperature:\n    high: { critical: 30 }\n  light:\n    low: { critical: 5 }\n',
      ),
    );
    expect(celsius.thresholds.temperature!.hysteresis).toBe(0.5);
    expect(celsius.thresholds.light!.hysteresis).toBe(1);
    const fahrenheit = resolveAgentConfig(parseConfigText(agentConfigSchema, 'thresholds:\n  temperature:\n    high: { critical: 90 }\n'));
    expect(fahrenheit.thresholds.temperature!.hysteresis).toBeCloseTo(1 / 1.8, 10); // 1 °F
  });
});
