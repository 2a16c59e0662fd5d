import { describe, expect, it } from 'vitest';
import { parseConfigText, formatConfigIssues } from '../../../src/common/config-file.js';
import { ConfigError } from '../../../src/common/errors.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';

function problems(yaml: string): string[] {
  try {
    parseConfigText(agentConfigSchema, yaml, 'agent.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return formatConfigIssues(error as ConfigError);
  }
  throw new Error('expected the config to be rejected');
}

describe('agent config schema', () => {
  it('fills every default from an empty file', () => {
    const config = parseConfigText(agentConfigSchema, '');
    expect(config.i2c.bus).toBe('auto');
    expect(config.poll).toEqual({ interval: 2000, staleAfter: 10_000 });
    expect(config.sensors.bme280).toMatchObject({
      enabled: true,
      address: 'auto',
      mode: 'forced',
      filter: 0,
      oversampling: { temperature: 1, pressure: 1, humidity: 1 },
    });
    expect(config.sensors.ltr559).toMatchObject({ enabled: true, address: 0x23 });
    expect(config.cpuCorrection).toEqual({ enabled: true, factor: 2.25, samples: 5, path: '/sys/class/thermal/thermal_zone0/temp' });
    expect(config.units.temperature).toBe('fahrenheit');
    expect(config.thresholds.temperature).toBeUndefined();
  });

  it('reads hex I²C addresses and durations', () => {
    const config = parseConfigText(agentConfigSchema, 'sensors:\n  bme280:\n    address: 0x77\npoll:\n  interval: 1m30s\n  staleAfter: 5m\n');
    expect(config.sensors.bme280.address).toBe(0x77);
    expect(config.poll.interval).toBe(90_000);
  });

  it('reports every mistake at once, with the key path and line', () => {
    const yaml = [
      'poll:', //                                  line 1
      '  interval: 2x', //                          line 2: bad duration
      '  intervall: 3s', //                         line 3: unknown key
      'sensors:', //                                line 4
      '  bme280:', //                               line 5
      '    oversampling:', //                       line 6
      '      humidity: 3', //                       line 7: not an oversampling setting
      'thresholds:', //                             line 8
      '  temperature:', //                          line 9
      '    high: { warning: 90, critical: 80 }', // line 10: warning above critical
      'unit: celsius', //                           line 11: unknown top-level key
    ].join('\n');
    expect(problems(yaml).sort()).toEqual([
      'agent.yaml:10: thresholds.temperature.high.warning: high warning (90) must not be above high critical (80)',
      'agent.yaml:11: unit: unknown key (check its spelling and indentation)',
      'agent.yaml:2: poll.interval: "2x" is not a duration like 500ms, 2s, 1m or 1h',
      'agent.yaml:3: poll.intervall: unknown key (check its spelling and indentation)',
      'agent.yaml:7: sensors.bme280.oversampling.humidity: must be one of 0, 1, 2, 4, 8 or 16 (0 skips the channel)',
    ]);
  });

  it('reports a forbidden temperature oversampling together with other mistakes beside it', () => {
    expect(problems('sensors:\n  bme280:\n    oversampling: { temperature: 0, pressure: 3 }\n').sort()).toEqual([
      'agent.yaml:3: sensors.bme280.oversampling.pressure: must be one of 0, 1, 2, 4, 8 or 16 (0 skips the channel)',
      'agent.yaml:3: sensors.bme280.oversampling.temperature: cannot be 0: pressure and humidity are compensated with the temperature',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    // A line indented one space too far (line 3) is reported there, once (the parser blames line 2, twice).
    expect(problems('poll:\n  interval: 2s\n   staleAfter: 10s\n')).toEqual([
      expect.stringMatching(/^agent\.yaml:3: YAML syntax: indented deeper than line 2/),
    ]);
    expect(problems('units:\n  temperature: celsius\nunits:\n  temperature: fahrenheit\n')).toEqual([
      expect.stringMatching(/^agent\.yaml:3: YAML syntax: Map keys must be unique/),
    ]);
  });

  it('names the expected type when a value has the wrong one', () => {
    expect(problems('i2c:\n  bus: one\ncpuCorrection:\n  factor: -1\n').sort()).toEqual([
      'agent.yaml:2: i2c.bus: found the text "one": must be auto (the GPIO header bus, found through sysfs) or a bus number N of /dev/i2c-N',
      'agent.yaml:4: cpuCorrection.factor: found the number -1, expected number to be >0',
    ]);
  });

  it('accepts the shipped sample, which documents exactly the defaults', async () => {
    const { readFile } = await import('node:fs/promises');
    const sample = await readFile(new URL('../../../config/agent.yaml', import.meta.url), 'utf8');
    expect(parseConfigText(agentConfigSchema, sample)).toEqual(parseConfigText(agentConfigSchema, ''));
  });
});
