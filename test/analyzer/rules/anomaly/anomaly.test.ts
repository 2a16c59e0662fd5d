/**
 * Anomaly rules on the seed scenario, replayed with the events' own times (the same path as `envirowatch analyze`), plus
 * the edge cases the kind documents (README.md beside its code).
 */
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from '../../../../src/analyzer/rules/anomaly/anomaly.js';
import type { AnomalyRule } from '../../../../src/analyzer/rules/anomaly/schema.js';
import { replay } from '../../../../src/analyzer/replay.js';
import { rule, YEAR, t } from '../example-rules.js';

const vpn = (when: string, user: string, ip: string) => `${when} openvpn[53530]: openvpn server 'ovpns1' user '${user}' address '${ip}:12377' - connected`;

describe('anomaly: a VPN user from a new address (pfSense OpenVPN lines)', () => {
  it("learns for 7 days from the user's first logon, then alerts once per new address", async () => {
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
    expect(alerts[0]).toMatchObject({
      ruleId: 'vpn-new-address',
      kind: 'anomaly',
      key: 'corp\\alice',
      value: '203.0.113.2',
      severity: 'warning',
      time: new Date(2026, 0, 8, 8).getTime(),
    });
    expect(alerts[0]!.evidence).toMatchObject({ knownValues: 3, keyFirstSeen: new Date(2026, 0, 1, 8).getTime() });
    expect(alerts[0]!.evidence.events![0]!.source).toBe('vpn.log:4');
  });

  it('keep-alerting until acknowledged; an acknowledged value joins the baseline', async () => {
    const [base] = rule('vpn-new-address') as [AnomalyRule];
    const keep = { ...base, onAlert: 'keep-alerting' as const, learning: 1000 };
    const lines = [vpn('Jan  1 08:00:00', 'a', '10.0.0.1'), vpn('Jan  1 09:00:00', 'a', '10.0.0.2'), vpn('Jan  1 10:00:00', 'a', '10.0.0.2')];
    const { alerts, engine } = await replay(lines, { rules: [keep], reference: YEAR, name: 'x' });
    expect(alerts.map((a) => a.value)).toEqual(['10.0.0.2', '10.0.0.2']);
    expect(engine.acknowledgeValue('vpn-new-address', 'a', '10.0.0.2', t('2026-01-01T11:00:00'))).toBe(true);
    expect(engine.rule('vpn-new-address', AnomalyDetector)!.knownValues('a')).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('bounded memory: values and keys beyond their caps are evicted least recently seen first, and counted', async () => {
    const [base] = rule('vpn-new-address') as [AnomalyRule];
    const capped = { ...base, maxValuesPerKey: 3, maxKeys: 2 };
    const lines = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip, i) => vpn(`Jan  1 08:00:0${i}`, 'a', ip));
    lines.push(vpn('Jan  1 08:01:00', 'b', '10.1.0.1'), vpn('Jan  1 08:02:00', 'c', '10.2.0.1'));
    const { engine } = await replay(lines, { rules: [capped], reference: YEAR, name: 'x' });
    const detector = engine.rule('vpn-new-address', AnomalyDetector)!;
    expect(detector.counters).toMatchObject({ evictedValues: 1, evictedKeys: 1 });
    expect(detector.knownValues('a')).toEqual([]); // key a was the least recently seen
    expect(detector.knownValues('c')).toEqual(['10.2.0.1']);
  });
});
