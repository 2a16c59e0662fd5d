/**
 * EPS rules on a sensor going quiet, replayed with the events' own times (the same path as `envirowatch analyze`), plus
 * the edge cases the kind documents (README.md beside its code).
 */
import { describe, expect, it } from 'vitest';
import { EpsMonitor } from '../../../../src/analyzer/rules/eps/eps.js';
import type { EpsRule } from '../../../../src/analyzer/rules/eps/schema.js';
import type { EpsSink } from '../../../../src/analyzer/rules/eps/store.js';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { replay } from '../../../../src/analyzer/replay.js';
import { rule, YEAR } from '../example-rules.js';
import { rulesFileIssues } from '../rules-file-issues.js';

const heartbeat = (when: string, host: string) => `<134>1 ${when} ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="72.1"] ok`;

describe('eps: a sensor that goes quiet, then recovers', () => {
  it('alerts once when the count drops below the threshold, once on recovery, and for expected hosts never heard from', async () => {
    const [base] = rule('sensor-quiet') as [EpsRule];
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
    const [base] = rule('sensor-quiet') as [EpsRule];
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
    const [base] = rule('sensor-quiet') as [EpsRule];
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

describe('eps with many keys in the daemon', () => {
  it('judges a closed window 5,000 keys a second, shared among the advances by their time, so the event loop is never held long; a key first seen meanwhile waits for its own window', () => {
    const [base] = rule('sensor-quiet') as [EpsRule];
    const sink: EpsSink = { epsState: () => {}, epsWindow: () => {} }; // a store: the daemon
    const monitor = new EpsMonitor({ ...base, match: { ...base.match, app: undefined }, interval: 60_000, below: 1, above: undefined, overrides: {} }, sink);
    const event = (host: string) => parseSyslog(`<14>1 - ${host} envirowatch - - - HEARTBEAT`, { receivedAt: 0, source: 'x:1' });
    const start = Date.UTC(2026, 4, 1);
    monitor.advance(start); // watching from a window's start: the next is watched whole
    for (let i = 0; i < 12_500; i++) monitor.process(event(`host-${i}`), start + 1000);
    // The window they sent in: all ok (judged as the next advances come; no alerts).
    expect([monitor.advance(start + 60_000), monitor.advance(start + 60_001), monitor.advance(start + 60_002)].map((a) => a.length)).toEqual([0, 0, 0]);
    // A second's share at the window's end.
    const counts = [monitor.advance(start + 120_000).length];
    // A key first seen while the silent window is judged (an event also moves the judging on, by its share of a second): not one of that window's keys.
    counts.push(monitor.process(event('late'), start + 120_500).length);
    // Events 10 ms apart: 50 keys each, not 5,000 each.
    for (let i = 1; i <= 3; i++) counts.push(monitor.process(event('late'), start + 120_500 + 10 * i).length);
    // The same millisecond again: nothing more is due.
    counts.push(monitor.advance(start + 120_530).length);
    // The next window's end judges the rest of the silent one at once, then starts on its own.
    const rest = monitor.advance(start + 180_000);
    expect([...counts, rest.length]).toEqual([5_000, 2_500, 50, 50, 50, 0, 4_850]);
    expect(rest.every((alert) => alert.key !== 'late' && alert.state === 'below' && alert.time === start + 120_000)).toBe(true);
    expect(monitor.counters).toMatchObject({ alerts: 12_500, windows: 3 });
  });
});

describe('eps on a cron schedule', () => {
  it("judges the windows between fire times, in the schedule's time zone, and jumps a long gap", async () => {
    const [base] = rule('sensor-quiet') as [EpsRule];
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
    expect(engine.ruleCounters()['sensor-quiet']!.counters['windows']).toBe(4);
  });

  it('windows of unequal length: every 15 minutes in office hours, the night as one window', async () => {
    const [base] = rule('sensor-quiet') as [EpsRule];
    const office = { ...base, schedule: '*/15 8-17 * * *', timezone: 'UTC', below: 3 };
    const lines = [heartbeat('2026-05-01T17:44:00Z', 'sensor-a'), heartbeat('2026-05-01T17:50:00Z', 'sensor-a'), heartbeat('2026-05-02T08:16:00Z', 'sensor-a')];
    const { alerts } = await replay(lines, { rules: [office], reference: YEAR, name: 'x' });
    // 17:30-17:45 had 1, but the analyzer only started watching at 17:44: not judged below.
    // 17:45-08:00 the next day, watched whole: 1, below 3.
    expect(alerts.map((a) => [a.state, new Date(a.time).toISOString(), a.evidence.count])).toEqual([['below', '2026-05-02T08:00:00.000Z', 1]]);
  });

  it('explains a bad expression and a time zone without a schedule', () => {
    const text = [
      'rules:',
      '  - id: a',
      '    kind: eps',
      '    below: 1',
      '    schedule: "61 * * * *"',
      '  - id: b',
      '    kind: eps',
      '    below: 1',
      '    schedule: "0 * * * *"',
      '    timezone: Mars/Olympus',
      '  - id: c',
      '    kind: eps',
      '    below: 1',
      '    timezone: UTC',
      '',
    ].join('\n');
    expect(rulesFileIssues(text)).toEqual([
      'rules.yaml:5: rules.0.schedule: not a cron expression (Constraint error, got value 61 expected range 0-59); e.g. "*/5 * * * *"',
      'rules.yaml:10: rules.1.timezone: not an IANA time zone, e.g. UTC or Europe/Berlin',
      'rules.yaml:14: rules.2.timezone: timezone applies to a schedule; this rule has none (it counts in fixed intervals)',
    ]);
  });
});
