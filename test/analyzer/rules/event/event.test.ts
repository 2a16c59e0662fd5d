/**
 * Event rules on the agent's STATUS messages, replayed with the events' own times (the same path as `envirowatch analyze`), plus
 * the edge cases the kind documents (README.md beside its code).
 */
import { describe, expect, it } from 'vitest';
import type { EventRule } from '../../../../src/analyzer/rules/event/schema.js';
import { replay } from '../../../../src/analyzer/replay.js';
import { formatRfc5424 } from '../../../../src/common/syslog/format.js';
import { statusChangeMessage } from '../../../../src/agent/syslog/messages.js';
import type { Status } from '../../../../src/agent/readings/thresholds.js';
import { rule, YEAR } from '../example-rules.js';
import { rulesFileIssues } from '../rules-file-issues.js';

describe('event: a sensor reports a critical reading', () => {
  const at = (minute: number) => Date.UTC(2026, 4, 1, 10, minute);
  const status = (minute: number, host: string, from: Status, to: Status) =>
    formatRfc5424({
      facility: 'local0',
      hostname: host,
      appName: 'envirowatch',
      ...statusChangeMessage(
        { quantity: 'temperature', from, to, value: 28, limit: { side: 'high', limit: 26.7 }, timestamp: at(minute) },
        { temperature: 'fahrenheit' },
      ),
    });

  it("opens a problem per sensor and quantity on the agent's STATUS to critical, counts repeats while open, resolves it on leaving critical", async () => {
    const lines = [
      status(0, 'sensor-a', 'warning', 'critical'), // opens sensor-a
      status(1, 'sensor-a', 'ok', 'critical'), // the agent restarted and reports it again: a repeat while open, counted
      status(2, 'sensor-b', 'warning', 'critical'), // opens sensor-b
      status(3, 'sensor-a', 'critical', 'warning'), // resolves sensor-a
      status(4, 'sensor-a', 'warning', 'ok'), // leaves warning: neither
      status(4, 'sensor-c', 'critical', 'ok'), // critical since before the analyzer heard of it: nothing open, counted
      status(5, 'sensor-a', 'ok', 'critical'), // opens sensor-a again
      status(6, 'sensor-b', 'critical', 'error'), // resolves sensor-b: error is not critical
    ];
    const { alerts, engine } = await replay(lines, { rules: rule('sensor-critical'), reference: YEAR, name: 'x' });
    expect(alerts.map((a) => [a.key, a.problem, new Date(a.time).toISOString().slice(11, 16), a.severity])).toEqual([
      ['sensor-a/Temperature', 'open', '10:00', 'crit'],
      ['sensor-b/Temperature', 'open', '10:02', 'crit'],
      ['sensor-a/Temperature', 'resolved', '10:03', 'crit'],
      ['sensor-a/Temperature', 'open', '10:05', 'crit'],
      ['sensor-b/Temperature', 'resolved', '10:06', 'crit'],
    ]);
    expect(alerts[2]!.summary).toBe('sensor-critical: sensor-a envirowatch: Temperature critical -> warning (82.4 °F, limit high 80.06 °F)');
    expect(engine.ruleCounters()['sensor-critical']!.counters).toEqual({ matched: 4, alerts: 3, suppressed: 1, resolved: 2, resolvesWithoutOpen: 1 });
  });

  it('without resolve, alerts once per key within suppress, counting repeats on the next alert', async () => {
    const [withResolve] = rule('sensor-critical') as [EventRule];
    const { resolve: _, ...oneShot } = withResolve;
    const lines = [
      status(0, 'sensor-a', 'warning', 'critical'),
      status(1, 'sensor-a', 'critical', 'ok'),
      status(2, 'sensor-a', 'ok', 'critical'),
      status(3, 'sensor-b', 'warning', 'critical'),
      status(6, 'sensor-a', 'warning', 'critical'),
    ];
    const { alerts, engine } = await replay(lines, { rules: [oneShot], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => [a.key, a.problem, new Date(a.time).toISOString().slice(11, 16)])).toEqual([
      ['sensor-a/Temperature', undefined, '10:00'],
      ['sensor-b/Temperature', undefined, '10:03'],
      ['sensor-a/Temperature', undefined, '10:06'],
    ]);
    expect(alerts[2]!.summary).toBe(
      'sensor-critical: sensor-a envirowatch: Temperature warning -> critical (82.4 °F, limit high 80.06 °F) (1 more suppressed before)',
    );
    expect(engine.ruleCounters()['sensor-critical']!.counters).toMatchObject({ matched: 4, alerts: 3, suppressed: 1 });
  });

  it("a resolve whose groups lack the key's names is refused at load", () => {
    const text = [
      'rules:',
      '  - id: e',
      '    kind: event',
      '    match: { regex: "(?<q>[a-z]+) -> critical" }',
      '    resolve: { regex: "back to ok" }',
      '    key: ${host}/${q}',
      '',
    ].join('\n');
    expect(rulesFileIssues(text)).toEqual(['rules.yaml:6: rules.0.key: ${q} is not a named group of the regex (it has none) nor an event field']);
  });
});
