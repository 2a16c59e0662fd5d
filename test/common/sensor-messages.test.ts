/**
 * The agent → analyzer message format, defined once in src/common/sensor-messages.ts: what the
 * agent's own code formats is what the analyzer's shipped rules and sensor data read. Every
 * status change the agent can report goes through syslog formatting and parsing, then the shipped
 * sensor-critical rule's match and resolve; every quantity of a heartbeat comes back as a reading.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/common/config-file.js';
import { analyzerConfigSchema } from '../../src/analyzer/config.js';
import type { AgentSnapshot, QuantityState } from '../../src/agent/agent.js';
import { QUANTITIES } from '../../src/agent/readings/quantities.js';
import { heartbeatMessage, statusChangeMessage } from '../../src/agent/syslog/messages.js';
import { defaultRules } from '../../src/analyzer/default-rules.js';
import { matchEvent } from '../../src/analyzer/rules/match.js';
import type { EventRule } from '../../src/analyzer/rules/event/schema.js';
import { heartbeatReadings, heartbeatVersion } from '../../src/analyzer/store/sensor-data.js';
import { SENSOR_STATUSES } from '../../src/common/sensor-messages.js';
import { formatRfc3164, formatRfc5424 } from '../../src/common/syslog/format.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';

const sensorCritical = defaultRules().find((rule) => rule.id === 'sensor-critical') as EventRule;
const AT = Date.UTC(2026, 11, 4, 12);
const read = (line: string) => parseSyslog(line, { receivedAt: AT, source: '192.0.2.7:514' });
const header = { facility: 'local0', hostname: 'sensor-7', appName: 'envirowatch', procId: '42' } as const;

describe('STATUS messages and the shipped sensor-critical rule', () => {
  const pairs = SENSOR_STATUSES.flatMap((from) => SENSOR_STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));

  it.each(['rfc5424', 'rfc3164'] as const)(
    'every status change the agent formats (%s) opens a problem iff it enters critical and resolves it iff it leaves critical, keyed by host and quantity',
    (format) => {
      const formatter = format === 'rfc5424' ? formatRfc5424 : formatRfc3164;
      for (const quantity of QUANTITIES) {
        for (const [from, to] of pairs) {
          const message = statusChangeMessage(
            { quantity, from, to, value: 30, limit: { side: 'high', limit: 26.7 }, timestamp: AT },
            { temperature: 'celsius' },
          );
          const event = read(formatter({ ...header, ...message }));
          const opens = matchEvent(sensorCritical.match, event);
          const resolves = matchEvent(sensorCritical.resolve!, event);
          expect({ quantity, from, to, opens: opens !== undefined, resolves: resolves !== undefined }).toEqual({
            quantity,
            from,
            to,
            opens: to === 'critical',
            resolves: from === 'critical',
          });
          const groups = opens ?? resolves;
          if (groups) expect(sensorCritical.key.apply(groups, event)).toBe(`sensor-7/${message.message.split(' ')[0]}`);
        }
      }
    },
  );

  it("the demo's sensor-critical (config/demo-analyzer.yaml) matches and resolves with the shipped regexes", () => {
    const demo = parseConfigText(
      analyzerConfigSchema,
      readFileSync(new URL('../../config/demo-analyzer.yaml', import.meta.url), 'utf8'),
      'demo-analyzer.yaml',
    ).rules.find((rule) => rule.id === 'sensor-critical') as EventRule;
    expect([demo.match.regex.source, demo.resolve?.regex.source]).toEqual([sensorCritical.match.regex.source, sensorCritical.resolve!.regex.source]);
  });
});

describe("HEARTBEAT messages and the analyzer's sensor data", () => {
  it('every quantity the agent sends comes back as a reading with its value, unit and status', () => {
    const quantities: QuantityState[] = QUANTITIES.map(
      (quantity, i) =>
        ({
          quantity,
          sensor: quantity === 'light' || quantity === 'proximity' ? 'ltr559' : 'bme280',
          reading: { value: 10 + i, timestamp: AT } as QuantityState['reading'],
          level: 'ok',
          status: i === 1 ? 'warning' : 'ok',
        }) as QuantityState,
    );
    const snapshot = { timestamp: AT, quantities, sensors: [] } as AgentSnapshot;
    const event = read(formatRfc5424({ ...header, ...heartbeatMessage(snapshot, { temperature: 'celsius' }, '1.2.0-rc.1') }));
    expect(heartbeatReadings(event).map(({ quantity, value, unit, status }) => [quantity, value, unit, status])).toEqual([
      ['temperature', 10, '°C', 'ok'],
      ['humidity', 11, '%RH', 'warning'],
      ['pressure', 12, 'hPa', 'ok'],
      ['light', 13, 'lux', 'ok'],
      ['proximity', 14, 'counts', 'ok'],
    ]);
    expect(heartbeatVersion(event)).toBe('1.2.0-rc.1');
  });

  it('a heartbeat without a version (an older agent), or with an overlong one, gives none', () => {
    const line = (sd: string) => read(`<134>1 2026-12-04T12:00:00Z sensor-7 envirowatch 42 HEARTBEAT ${sd} Temperature 21 °C ok`);
    expect(heartbeatVersion(line('[readings@21600 temperature="21"]'))).toBeUndefined();
    expect(heartbeatVersion(line(`[readings@21600 temperature="21"][agent@21600 version="${'9'.repeat(65)}"]`))).toBeUndefined();
    expect(heartbeatVersion(line('[readings@21600 temperature="21"][agent@21600 version="0.2.0"]'))).toBe('0.2.0');
  });
});
