/**
 * The rules the analyzer ships: the two sensor rules it runs by default, equal in config/analyzer.yaml
 * and in the code, and the commented seed examples there, which must work once uncommented on the
 * real formats: pfSense OpenVPN lines, and Windows logon/logoff events as NXLog and Snare forward them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/common/config-file.js';
import { analyzerConfigSchema } from '../../src/analyzer/config.js';
import { defaultRules } from '../../src/analyzer/default-rules.js';
import { referenceForYear, replay } from '../../src/analyzer/replay.js';
import type { Rule } from '../../src/analyzer/rules/schema.js';

const SAMPLE = readFileSync(new URL('../../config/analyzer.yaml', import.meta.url), 'utf8');

/** Rules compared by what they say: regexes by source, compiled templates by their text. */
const comparable = (value: unknown) =>
  JSON.parse(JSON.stringify(value, (_, v: unknown) => (v instanceof RegExp ? `/${v.source}/` : typeof v === 'function' ? undefined : v)));

/** config/analyzer.yaml with the commented, ready-to-enable rules enabled. */
function withSeedsEnabled(): Rule[] {
  const [head, seeds] = SAMPLE.split('  # Ready to enable: remove the leading "# " of each rule line ("## " lines stay comments).\n');
  const enabled = seeds!
    .split('\n')
    .map((line) => line.replace(/^ {2}# ?/, '  '))
    .join('\n');
  return parseConfigText(analyzerConfigSchema, `${head}${enabled}`, 'analyzer.yaml').rules;
}

describe('shipped rules', () => {
  it('config/analyzer.yaml documents every key at its default, the default rules included', () => {
    const sample = parseConfigText(analyzerConfigSchema, SAMPLE, 'analyzer.yaml');
    expect(comparable(sample)).toEqual(comparable(parseConfigText(analyzerConfigSchema, '')));
    expect(sample.rules.map((rule) => `${rule.id}:${rule.kind}`)).toEqual(['sensor-silent:eps', 'sensor-critical:event']);
    expect(comparable(sample.rules)).toEqual(comparable(defaultRules()));
    expect(parseConfigText(analyzerConfigSchema, 'rules: []').rules).toEqual([]);
  });

  it('the commented seed examples parse once enabled', () => {
    expect(withSeedsEnabled().map((rule) => `${rule.id}:${rule.kind}`)).toEqual([
      'sensor-silent:eps',
      'sensor-critical:event',
      'vpn-new-address:anomaly',
      'rdp-session-open:timer',
    ]);
  });

  it('vpn-new-address on pfSense OpenVPN lines, with and without a host name', async () => {
    const rules = withSeedsEnabled().filter((rule) => rule.id === 'vpn-new-address');
    const lines = [
      "Jan  6 08:00:00 openvpn[53530]: openvpn server 'ovpns1' user 'domain\\username' address '25.22.29.248:12377' - connected",
      "Jan  9 08:00:00 fw1 openvpn[53530]: openvpn server 'ovpns1' user 'domain\\username' address '25.22.29.249:12377' - connected", // learning
      "Jan 13 20:36:00 fw1 openvpn[53530]: openvpn server 'ovpns1' user 'domain\\username' address '25.22.29.248:40001' - connected", // known
      "Jan 14 07:00:00 openvpn[53530]: openvpn server 'ovpns1' user 'domain\\username' address '198.51.100.77:12377' - connected", // new
    ];
    const { alerts } = await replay(lines, { rules, reference: referenceForYear(2026), name: 'openvpn.log' });
    expect(alerts.map((a) => [a.key, a.value])).toEqual([['domain\\username', '198.51.100.77']]);
  });

  it('rdp-session-open on Windows events as NXLog and Snare forward them: only the session never logged off alerts', async () => {
    const rules = withSeedsEnabled().filter((rule) => rule.id === 'rdp-session-open');
    const logon = (type: number, account: string, logonId: string) =>
      `An account was successfully logged on.    Subject:   Security ID:  S-1-5-18   Account Name:  DC01$   Account Domain:  CORP   Logon ID:  0x3E7    Logon Information:   Logon Type:  ${type}   Restricted Admin Mode: No   Virtual Account:  No   Elevated Token:  Yes    Impersonation Level:  Impersonation    New Logon:   Security ID:  S-1-5-21-1-2-3-1104   Account Name:  ${account}   Account Domain:  CORP   Logon ID:  ${logonId}   Linked Logon ID:  0x0   Network Account Name: -   Network Account Domain: -   Logon GUID:  {00000000-0000-0000-0000-000000000000}`;
    const loggedOff = (account: string, logonId: string) =>
      `An account was logged off.    Subject:   Security ID:  S-1-5-21-1-2-3-1104   Account Name:  ${account}   Account Domain:  CORP   Logon ID:  ${logonId}    Logon Type:   10`;
    const userLogoff = (account: string, logonId: string) =>
      `User initiated logoff:    Subject:   Security ID:  S-1-5-21-1-2-3-1105   Account Name:  ${account}   Account Domain:  CORP   Logon ID:  ${logonId}`;
    // NXLog im_msvistalog + to_syslog_bsd; Snare's tab-separated MSWinEventLog record.
    const nxlog = (time: string, message: string) => `<14>Nov 24 ${time} DC01 Microsoft-Windows-Security-Auditing[612]: ${message}`;
    const snare = (time: string, id: number, message: string) =>
      `<13>Nov 24 ${time} WS12 MSWinEventLog\t1\tSecurity\t4711\tMon Nov 24 ${time} 2026\t${id}\tMicrosoft-Windows-Security-Auditing\tCORP\\bob\tN/A\tSuccess Audit\tWS12\tLogon\t\t${message}\t4711`;
    const lines = [
      nxlog('09:00:00', logon(10, 'alice', '0x5A3C1F')),
      snare('09:05:00', 4624, logon(10, 'bob', '0x77AB01')),
      nxlog('09:10:00', logon(10, 'carol', '0x6B0002')), // never logged off
      nxlog('09:15:00', logon(3, 'svc-backup', '0x6B0003')), // a network logon, not RDP
      nxlog('10:00:00', loggedOff('alice', '0x5A3C1F')),
      snare('11:00:00', 4647, userLogoff('bob', '0x77AB01')),
      nxlog('17:30:00', 'The Windows Filtering Platform has permitted a connection.'), // time moves past 09:10 + 8 h
    ];
    const { alerts, engine } = await replay(lines, { rules, reference: referenceForYear(2026), name: 'security.log' });
    expect(alerts.map((a) => a.key)).toEqual(['DC01/0x6B0002']);
    expect(engine.ruleCounters()['rdp-session-open']!.counters).toMatchObject({ starts: 3, ends: 2, endsWithoutStart: 0 });
  });
});
