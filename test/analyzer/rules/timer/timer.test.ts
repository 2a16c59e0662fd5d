/**
 * Timer rules on the seed scenario, replayed with the events' own times (the same path as `envirowatch analyze`), plus
 * the edge cases the kind documents (README.md beside its code).
 */
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { replay } from '../../../../src/analyzer/replay.js';
import type { Held } from '../../../../src/analyzer/rules/timer/held.js';
import type { TimerRule } from '../../../../src/analyzer/rules/timer/schema.js';
import { TimerTracker } from '../../../../src/analyzer/rules/timer/timer.js';
import { rule, YEAR } from '../example-rules.js';

const logon = (when: string, host: string, id: string, type = 10) =>
  `${when} ${host} Microsoft-Windows-Security-Auditing[4624]: 4624: An account was successfully logged on. Subject: ... Logon Type: ${type} New Logon: Account Name: alice Logon ID: ${id}`;
const logoff = (when: string, host: string, id: string) =>
  `${when} ${host} Microsoft-Windows-Security-Auditing[4634]: 4634: An account was logged off. Account Name: alice Logon ID: ${id}`;

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
    expect(engine.ruleCounters()['rdp-session-too-long']!.counters).toMatchObject({ starts: 3, ends: 2, duplicateStarts: 1, endsWithoutStart: 1, alerts: 1 });
  });
});

describe('timer: what a held start keeps', () => {
  it('a start held past a second is kept compact, and its alert carries the event exactly as received', () => {
    const [rdp] = rule('rdp-session-too-long') as [TimerRule];
    const held: Held[] = [];
    const tracker = new TimerTracker(rdp, { timerHeld: (_rule, _key, start) => held.push(start), timerReleased: () => {} });
    const start = Date.UTC(2026, 2, 2, 9);
    const text = `<134>1 2026-03-02T09:00:00.123456+01:00 srv1 Microsoft-Windows-Security-Auditing 4624 - [origin@6876 ip="192.0.2.7"][x@1 a="1" a="2"] 4624: An account was successfully logged on. Logon Type: 10 Logon ID: 0x3e7a é`;
    const event = parseSyslog(text, { receivedAt: start, source: '192.0.2.7:514' });
    tracker.process(event, start);
    tracker.advance(start + 999);
    expect(held[0]!.event).toBe(event); // young: most starts end soon, and never pay for the encoding
    tracker.advance(start + 2000); // compaction runs once a second: within two
    expect(typeof held[0]!.event).toBe('string');
    const [alert] = tracker.advance(start + 8 * 3_600_000);
    expect(alert!.host).toBe('srv1');
    expect(alert!.evidence.events).toEqual([event]);
    expect(JSON.stringify(alert!.evidence.events)).toBe(JSON.stringify([event]));
  });
});

describe('engine time: out-of-order timestamps and clock jumps', () => {
  it("an event from the past is processed at the engine's time and counted; a jump forward fires each timer once; a jump back fires nothing again", async () => {
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
    expect(engine.pending()).toBe(1); // 0xa3, due Mar 4 20:00
  });
});
