/** The agent's `snmp:` config section (snmpConfigSchema). */
import { describe, expect, it } from 'vitest';
import { snmpConfigSchema } from '../../../src/agent/snmp/config.js';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';

const ALICE: SnmpV3User = { name: 'alice', authProtocol: 'SHA-256', authPassword: 'alice-auth-pass', privProtocol: 'AES', privPassword: 'alice-priv-pass' };

describe('snmpConfigSchema', () => {
  it('defaults to every IPv4 address on port 161 with no community at all', () => {
    expect(snmpConfigSchema.parse({})).toEqual({
      mode: 'agent',
      agentx: { socket: '/var/agentx/master', timeout: 5000, reconnectMaxDelay: 30_000 },
      addresses: ['0.0.0.0'],
      port: 161,
      communities: [],
      sysContact: '',
      sysLocation: '',
      sysName: null,
      v3Users: [],
      engineId: null,
      engineBootsFile: null,
      notifications: { receivers: [] },
    });
  });

  it('reports every bad key at once', () => {
    const result = snmpConfigSchema.safeParse({
      mode: 'proxy',
      addresses: ['localhost'],
      port: 70000,
      communities: [{ name: 'public', sources: ['10.0.0.0/33', '::1'] }],
      colour: 'red',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['', 'addresses.0', 'communities.0.sources.0', 'mode', 'port']);
  });
});

describe('snmpConfigSchema: SNMPv3', () => {
  it('engineId in hex (0x and colons allowed), 5–32 bytes, not all zeros', () => {
    expect(snmpConfigSchema.parse({ engineId: '0x80:00:54:60:05:01' }).engineId).toBe('800054600501');
    for (const bad of ['8000', 'zz00546005', '0000000000']) expect(snmpConfigSchema.safeParse({ engineId: bad }).success, bad).toBe(false);
  });

  it('users need 8-character passwords and unique names; none by default', () => {
    expect(snmpConfigSchema.parse({}).v3Users ?? []).toEqual([]);
    const short = snmpConfigSchema.safeParse({ v3Users: [{ ...ALICE, authPassword: 'short' }] });
    expect(short.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['v3Users.0.authPassword: must be at least 8 characters']);
    expect(snmpConfigSchema.safeParse({ v3Users: [ALICE, ALICE] }).success).toBe(false);
    expect(snmpConfigSchema.safeParse({ v3Users: [{ ...ALICE, authProtocol: 'MD5' }] }).success).toBe(false);
  });
});
