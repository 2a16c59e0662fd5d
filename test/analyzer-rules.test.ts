/**
 * The rule engine on the seed scenarios, replayed with the events' own times (the same path as
 * `envirowatch analyze`), plus the edge cases the rules document.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../src/common/config-file.js';
import { ConfigError } from '../src/common/errors.js';
import { formatConfigIssues } from '../src/common/config-file.js';
import { referenceForYear, replay } from '../src/analyzer/replay.js';
import { rulesFileSchema, type Rule } from '../src/analyzer/rules/schema.js';
import { formatRfc5424 } from '../src/common/syslog/format.js';
import { statusChangeMessage } from '../src/agent/syslog/messages.js';
import type { Status } from '../src/agent/readings/thresholds.js';

const EXAMPLE = readFileSync(new URL('../config/rules.example.yaml', import.meta.url), 'utf8');
const exampleRules = parseConfigText(rulesFileSchema, EXAMPLE, 'rules.example.yaml').rules;
const rule = (id: string): Rule[] => exampleRules.filter((r) => r.id === id);
const YEAR = referenceForYear(2026);
const t = (text: string) => new Date(`${text}`).getTime();

const vpn = (when: string, user: string, ip: string) => `${when} openvpn[53530]: openvpn server 'ovpns1' user '${user}' address '${ip}:12377' - connected`;

describe('anomaly: a VPN user from a new address (pfSense OpenVPN lines)', () => {
  it('learns for 7 days from the user\'s first logon, then alerts once per new address', async () => {
    const lines = [
      vpn('Jan  1 08:00:00', 'corp\\alice', '198.51.100.7'),
      vpn('Jan  3 09:00:00', 'corp\\alice', '198.51.100.8'), // still learning: silent
      vpn('Jan  8 07:59:59', 'corp\\alice', '203.0.113.1'), // one second before the end of learning: silent
      vpn('Jan  8 08:00:00', 'corp\\alice', '203.0.113.2'), // exactly at the end: judged, new → alert
      vpn('Jan  9 10:00:00', 'corp\\alice', '198.51.100.7'), // known
      vpn('Jan  9 11:00:00', 'corp\\alice', '203.0.113.2'), // learned when alerted (onAlert: learn)
      vpn('Jan  9 12:00:00', 'corp\\bob', '192.0.2.99'), // bob's own learning starts now
    ];
    const { alerts } = await replay(lines, { rules: rule('vpn-new-address'), reference: YEAR, name: 'vpn.log' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ ruleId: 'vpn-new-address', kind: 'anomaly', key: 'corp\\alice', value: '203.0.113.2', severity: 'warning', time: new Date(2026, 0, 8, 8).getTime() });
    expect(alerts[0]!.evidence).toMatchObject({ knownValues: 3, keyFirstSeen: new Date(2026, 0, 1, 8).getTime() });
    expect(alerts[0]!.evidence.events![0]!.source).toBe('vpn.log:4');
  });

  it('keep-alerting until acknowledged; an acknowledged value joins the baseline', async () => {
    const [base] = rule('vpn-new-address') as [Extract<Rule, { kind: 'anomaly' }>];
    const keep = { ...base, onAlert: 'keep-alerting' as const, learning: 1000 };
    const lines = [vpn('Jan  1 08:00:00', 'a', '10.0.0.1'), vpn('Jan  1 09:00:00', 'a', '10.0.0.2'), vpn('Jan  1 10:00:00', 'a', '10.0.0.2')];
    const { alerts, engine } = await replay(lines, { rules: [keep], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => a.value)).toEqual(['10.0.0.2', '10.0.0.2']);
    engine.anomalies[0]!.acknowledge('a', '10.0.0.2', t('2026-01-01T11:00:00'));
    expect(engine.anomalies[0]!.knownValues('a')).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('bounded memory: values and keys beyond their caps are evicted least recently seen first, and counted', async () => {
    const [base] = rule('vpn-new-address') as [Extract<Rule, { kind: 'anomaly' }>];
    const capped = { ...base, maxValuesPerKey: 3, maxKeys: 2 };
    const lines = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip, i) => vpn(`Jan  1 08:00:0${i}`, 'a', ip));
    lines.push(vpn('Jan  1 08:01:00', 'b', '10.1.0.1'), vpn('Jan  1 08:02:00', 'c', '10.2.0.1'));
    const { engine } = await replay(lines, { rules: [capped], reference: YEAR, name: 'x' });
    const detector = engine.anomalies[0]!;
    expect(detector.counters).toMatchObject({ evictedValues: 1, evictedKeys: 1 });
    expect(detector.knownValues('a')).toEqual([]); // key a was the least recently seen
    expect(detector.knownValues('c')).toEqual(['10.2.0.1']);
  });
});

const logon = (when: string, host: string, id: string, type = 10) => `${when} ${host} Microsoft-Windows-Security-Auditing[4624]: 4624: An account was successfully logged on. Subject: ... Logon Type: ${type} New Logon: Account Name: alice Logon ID: ${id}`;
const logoff = (when: string, host: string, id: string) => `${when} ${host} Microsoft-Windows-Security-Auditing[4634]: 4634: An account was logged off. Account Name: alice Logon ID: ${id}`;

describe('timer: an RDP logon with no logoff in time', () => {
  it('alerts for the session left open past 8 h, not for the one logged off', async () => {
    const lines = [
      logon('Mar  2 09:00:00', 'srv1', '0x3e7a'),
      logon('Mar  2 09:05:00', 'srv1', '0x4f00'),
      logon('Mar  2 09:06:00', 'srv1', '0x5000', 2), // interactive, not RDP: ignored
      logoff('Mar  2 12:00:00', 'srv1', '0x4f00'),
      logoff('Mar  2 13:00:00', 'srv2', '0x9999'), // end without start: counted
      logon('Mar  2 14:00:00', 'srv1', '0x3e7a'), // duplicate start: the first is kept
      'Mar  2 17:30:00 srv1 cron[1]: nothing to do', // time moves on: 09:00 + 8 h has passed
    ];
    const { alerts, engine } = await replay(lines, { rules: rule('rdp-session-too-long'), reference: YEAR, name: 'security.log' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'timer', key: 'srv1/0x3e7a', host: 'srv1', time: new Date(2026, 2, 2, 17).getTime() });
    expect(alerts[0]!.evidence.openForMs).toBe(8.5 * 3_600_000);
    expect(alerts[0]!.summary).toBe(`rdp-session-too-long: srv1/0x3e7a started ${new Date(2026, 2, 2, 9).toISOString()} with no end within 8h`);
    expect(alerts[0]!.evidence.events![0]!.message).toContain('Logon ID: 0x3e7a');
    expect(engine.timers[0]!.counters).toMatchObject({ starts: 3, ends: 2, duplicateStarts: 1, endsWithoutStart: 1, alerts: 1 });
  });
});

describe('engine time: out-of-order timestamps and clock jumps', () => {
  it('an event from the past is processed at the engine\'s time and counted; a jump forward fires each timer once; a jump back fires nothing again', async () => {
    const lines = [
      logon('Mar  2 09:00:00', 'srv1', '0xa1'),
      logon('Mar  2 09:30:00', 'srv1', '0xa2'),
      logoff('Mar  2 08:00:00', 'srv1', '0xa2'), // out of order (an hour before the logon): still ends 0xa2
      'Mar  4 12:00:00 srv1 cron[1]: two days later', // jump forward: 0xa1 fires once
      logon('Mar  2 10:00:00', 'srv1', '0xa3'), // jump back: held from the engine's time (Mar 4 12:00), not Mar 2
      'Mar  4 19:59:59 srv1 cron[1]: just under 8 h later',
    ];
    const { alerts, engine } = await replay(lines, { rules: rule('rdp-session-too-long'), reference: YEAR, name: 'x' });
    expect(alerts.map((a) => a.key)).toEqual(['srv1/0xa1']);
    expect(alerts[0]!.time).toBe(new Date(2026, 2, 2, 17).getTime());
    expect(engine.counters).toEqual({ events: 6, outOfOrder: 2 });
    expect(engine.timers[0]!.pending).toBe(1); // 0xa3, due Mar 4 20:00
  });
});

const heartbeat = (when: string, host: string) => `<134>1 ${when} ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="72.1"] ok`;

describe('eps: a sensor that goes quiet, then recovers', () => {
  it('alerts once when the count drops below the threshold, once on recovery, and for expected hosts never heard from', async () => {
    const [base] = rule('sensor-quiet') as [Extract<Rule, { kind: 'eps' }>];
    const lines: string[] = [];
    const minute = (m: number, s = 0) => new Date(Date.UTC(2026, 4, 1, 10, m, s)).toISOString();
    for (let m = 0; m < 10; m++) lines.push(heartbeat(minute(m), 'sensor-a')); // 10:00-10:09 one per minute
    // 10:10-10:19 silence, then heartbeats again from 10:20
    for (let m = 20; m < 30; m++) lines.push(heartbeat(minute(m), 'sensor-a'));
    lines.push(heartbeat(minute(30, 1), 'sensor-a'));
    const { alerts } = await replay(lines, { rules: [{ ...base, expected: ['sensor-never'] }], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => [a.key, a.state, a.problem, new Date(a.time).toISOString()])).toEqual([
      ['sensor-never', 'below', 'open', '2026-05-01T10:05:00.000Z'],
      ['sensor-a', 'below', 'open', '2026-05-01T10:15:00.000Z'],
      ['sensor-a', 'recovered', 'resolved', '2026-05-01T10:25:00.000Z'],
    ]);
    expect(alerts[2]!.severity).toBe(base.severity); // the problem's, so the channels told of it hear of its end
    expect(alerts[1]!.evidence).toMatchObject({ count: 0, threshold: 3, intervalMs: 300_000 });
  });

  it('no false "below" for the window the analyzer started in, nor for a sender\'s first window', async () => {
    const [base] = rule('sensor-quiet') as [Extract<Rule, { kind: 'eps' }>];
    const at = (m: number, host = 'sensor-a') => heartbeat(new Date(Date.UTC(2026, 4, 1, 10, m)).toISOString(), host);
    // Started at 10:02, mid-window; sensor-b first heard at 10:07, mid-window.
    const lines = [at(2), at(3), at(5), at(6), at(7), at(7, 'sensor-b'), at(8), at(9), at(11), at(15)];
    const { alerts } = await replay(lines, { rules: [base], reference: YEAR, name: 'x' });
    // 10:00-10:05 (2 from sensor-a, started mid-window) and sensor-b's 10:05-10:10 (1, its first) are not judged below;
    // 10:10-10:15: one from sensor-a and none from sensor-b, watched whole: both below.
    expect(alerts.map((a) => [a.key, a.state, new Date(a.time).toISOString()])).toEqual([
      ['sensor-a', 'below', '2026-05-01T10:15:00.000Z'],
      ['sensor-b', 'below', '2026-05-01T10:15:00.000Z'],
    ]);
  });

  it('a flood above the threshold, and per-host overrides', async () => {
    const [base] = rule('sensor-quiet') as [Extract<Rule, { kind: 'eps' }>];
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) lines.push(heartbeat(new Date(Date.UTC(2026, 4, 1, 10, 0, i)).toISOString(), 'sensor-b'));
    lines.push(heartbeat('2026-05-01T10:05:01Z', 'sensor-lab'), heartbeat('2026-05-01T10:10:01Z', 'sensor-b'));
    const { alerts } = await replay(lines, { rules: [{ ...base, above: 10 }], reference: YEAR, name: 'x' });
    // 10:00-10:05: 12 from sensor-b, above 10. 10:05-10:10: none from sensor-b (below 3, straight
    // from above), one from sensor-lab, whose override (below 1) makes that enough.
    expect(alerts.map((a) => [a.key, a.state, new Date(a.time).toISOString()])).toEqual([
      ['sensor-b', 'above', '2026-05-01T10:05:00.000Z'],
      ['sensor-b', 'below', '2026-05-01T10:10:00.000Z'],
    ]);
  });
});

describe('eps on a cron schedule', () => {
  it('judges the windows between fire times, in the schedule\'s time zone, and jumps a long gap', async () => {
    const [base] = rule('sensor-quiet') as [Extract<Rule, { kind: 'eps' }>];
    // Hourly on the hour in Berlin (UTC+2 in May): windows 12:00-13:00 local = 10:00-11:00 UTC.
    const hourly = { ...base, schedule: '0 * * * *', timezone: 'Europe/Berlin', below: 30 };
    const lines: string[] = [];
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 4, 1, h, m)).toISOString();
    for (let m = 0; m < 60; m++) lines.push(heartbeat(at(10, m), 'sensor-a')); // 60 in 10:00-11:00 UTC
    for (let m = 0; m < 20; m++) lines.push(heartbeat(at(11, m), 'sensor-a')); // 20 in the next hour: below 30
    for (let m = 0; m < 60; m++) lines.push(heartbeat(at(12, m), 'sensor-a')); // back
    lines.push(heartbeat(at(19, 30), 'sensor-a')); // six silent hours in between (one alert, not six)
    const { alerts, engine } = await replay(lines, { rules: [hourly], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => [a.state, new Date(a.time).toISOString(), a.evidence.count, a.evidence.intervalMs])).toEqual([
      ['below', '2026-05-01T12:00:00.000Z', 20, 3_600_000],
      ['recovered', '2026-05-01T13:00:00.000Z', 60, 3_600_000],
      ['below', '2026-05-01T14:00:00.000Z', 0, 3_600_000],
    ]);
    expect(alerts[0]!.summary).toBe('sensor-quiet: sensor-a below 30 (20 events in 1h)');
    // 10-11, 11-12, 12-13, then one empty window (13-14) and a jump to 19:00, not six.
    expect(engine.eps[0]!.counters.windows).toBe(4);
  });

  it('windows of unequal length: every 15 minutes in office hours, the night as one window', async () => {
    const [base] = rule('sensor-quiet') as [Extract<Rule, { kind: 'eps' }>];
    const office = { ...base, schedule: '*/15 8-17 * * *', timezone: 'UTC', below: 3 };
    const lines = [heartbeat('2026-05-01T17:44:00Z', 'sensor-a'), heartbeat('2026-05-01T17:50:00Z', 'sensor-a'), heartbeat('2026-05-02T08:16:00Z', 'sensor-a')];
    const { alerts } = await replay(lines, { rules: [office], reference: YEAR, name: 'x' });
    // 17:30-17:45 had 1, but the analyzer only started watching at 17:44: not judged below.
    // 17:45-08:00 the next day, watched whole: 1, below 3.
    expect(alerts.map((a) => [a.state, new Date(a.time).toISOString(), a.evidence.count])).toEqual([['below', '2026-05-02T08:00:00.000Z', 1]]);
  });

  it('explains a bad expression and a time zone without a schedule', () => {
    const text = ['rules:', '  - id: a', '    kind: eps', '    below: 1', '    schedule: "61 * * * *"', '  - id: b', '    kind: eps', '    below: 1', '    schedule: "0 * * * *"', '    timezone: Mars/Olympus', '  - id: c', '    kind: eps', '    below: 1', '    timezone: UTC', ''].join('\n');
    let error: unknown;
    try {
      parseConfigText(rulesFileSchema, text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(formatConfigIssues(error as ConfigError)).toEqual([
      'rules.yaml:5: rules.0.schedule: not a cron expression (Constraint error, got value 61 expected range 0-59); e.g. "*/5 * * * *"',
      'rules.yaml:10: rules.1.timezone: not an IANA time zone, e.g. UTC or Europe/Berlin',
      'rules.yaml:14: rules.2.timezone: timezone applies to a schedule; this rule has none (it counts in fixed intervals)',
    ]);
  });
});

describe('event: a sensor reports a critical reading', () => {
  const at = (minute: number) => Date.UTC(2026, 4, 1, 10, minute);
  const status = (minute: number, host: string, from: Status, to: Status) =>
    formatRfc5424({ facility: 'local0', hostname: host, appName: 'envirowatch', ...statusChangeMessage({ quantity: 'temperature', from, to, value: 28, limit: { side: 'high', limit: 26.7 }, timestamp: at(minute) }, { temperature: 'fahrenheit' }) });

  it('opens a problem per sensor and quantity on the agent\'s STATUS to critical, counts repeats while open, resolves it on leaving critical', async () => {
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
    expect(engine.events[0]!.counters).toEqual({ matched: 4, alerts: 3, suppressed: 1, resolved: 2, resolvesWithoutOpen: 1 });
  });

  it('without resolve, alerts once per key within suppress, counting repeats on the next alert', async () => {
    const [withResolve] = rule('sensor-critical') as [Extract<Rule, { kind: 'event' }>];
    const { resolve: _, ...oneShot } = withResolve;
    const lines = [status(0, 'sensor-a', 'warning', 'critical'), status(1, 'sensor-a', 'critical', 'ok'), status(2, 'sensor-a', 'ok', 'critical'), status(3, 'sensor-b', 'warning', 'critical'), status(6, 'sensor-a', 'warning', 'critical')];
    const { alerts, engine } = await replay(lines, { rules: [oneShot], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => [a.key, a.problem, new Date(a.time).toISOString().slice(11, 16)])).toEqual([
      ['sensor-a/Temperature', undefined, '10:00'],
      ['sensor-b/Temperature', undefined, '10:03'],
      ['sensor-a/Temperature', undefined, '10:06'],
    ]);
    expect(alerts[2]!.summary).toBe('sensor-critical: sensor-a envirowatch: Temperature warning -> critical (82.4 °F, limit high 80.06 °F) (1 more suppressed before)');
    expect(engine.events[0]!.counters).toMatchObject({ matched: 4, alerts: 3, suppressed: 1 });
  });

  it('a resolve whose groups lack the key\'s names is refused at load', () => {
    const text = ['rules:', '  - id: e', '    kind: event', '    match: { regex: "(?<q>[a-z]+) -> critical" }', '    resolve: { regex: "back to ok" }', '    key: ${host}/${q}', ''].join('\n');
    let error: unknown;
    try {
      parseConfigText(rulesFileSchema, text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(formatConfigIssues(error as ConfigError)).toEqual(['rules.yaml:6: rules.0.key: ${q} is not a named group of the regex (it has none) nor an event field']);
  });
});

describe('rules files', () => {
  it('the shipped example is valid', () => {
    expect(exampleRules.map((r) => `${r.id}:${r.kind}`)).toEqual(['vpn-new-address:anomaly', 'rdp-session-too-long:timer', 'sensor-quiet:eps', 'sensor-critical:event']);
  });

  it('explains mistakes with the key path and line: bad regex, unknown template name, missing threshold', () => {
    const text = ['rules:', '  - id: a', '    kind: anomaly', '    match:', '      regex: "user (?<user>\\\\w+"', '    key: ${user}', '    value: ${ip}', '  - id: b', '    kind: anomaly', '    match:', '      regex: "user (?<user>\\\\w+)"', '    key: ${user}', '    value: ${ip}', '  - id: c', '    kind: eps', '  - id: c', '    kind: sometimes', ''].join('\n');
    let error: unknown;
    try {
      parseConfigText(rulesFileSchema, text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(formatConfigIssues(error as ConfigError)).toEqual([
      expect.stringMatching(/^rules\.yaml:5: rules\.0\.match\.regex: not a valid regular expression: .*Unterminated group$/),
      'rules.yaml:17: rules.3.kind: found the text "sometimes": kind must be anomaly, timer, eps or event',
    ]);
  });

  it('an eps rule without thresholds and a duplicate id are errors too', () => {
    const text = ['rules:', '  - id: c', '    kind: eps', '  - id: c', '    kind: eps', '    below: 1', ''].join('\n');
    let error: unknown;
    try {
      parseConfigText(rulesFileSchema, text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(formatConfigIssues(error as ConfigError)).toEqual(['rules.yaml:2: rules.0: an eps rule needs below and/or above', 'rules.yaml:4: rules.1.id: duplicate rule id c']);
  });

  it('names an unknown template group with its line', () => {
    const text = ['rules:', '  - id: b', '    kind: anomaly', '    match:', '      regex: "user (?<user>\\\\w+)"', '    key: ${user}', '    value: ${ip}', ''].join('\n');
    let error: unknown;
    try {
      parseConfigText(rulesFileSchema, text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(formatConfigIssues(error as ConfigError).join('\n')).toMatch(/rules\.yaml:7: rules\.0\.value: \$\{ip\} is not a named group of the regex \(user\)/);
  });
});
