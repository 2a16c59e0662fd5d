/**
 * The agent's SNMPv3 (USM) against Net-SNMP's own tools (authPriv, HMAC-SHA-2 and AES) over
 * 127.0.0.1, including every refusal. The USM without the tools: test/snmp/v3/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../../src/agent/agent.js';
import type { SnmpConfig } from '../../../src/agent/snmp/config.js';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { tlv } from '../../helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, sendRaw, startSnmpAgent, v3Args, type RunningSnmpAgent, type V3Credentials } from '../../helpers/snmp-tools.js';

const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
const ENGINE_ID = '8000546005656e7669726f'; // 80005460 (21600, new format), 05 (octets), "enviro"
const USERS: SnmpV3User[] = [
  { name: 'alice', authProtocol: 'SHA-256', authPassword: 'alice-auth-pass', privProtocol: 'AES', privPassword: 'alice-priv-pass' },
  { name: 'bob', authProtocol: 'SHA-512', authPassword: 'bob-auth-pass', privProtocol: 'AES-128', privPassword: 'bob-priv-pass' },
  { name: 'carol', authProtocol: 'SHA-224', authPassword: 'carol-auth-pass', privProtocol: 'AES', privPassword: 'carol-priv-pass' },
  { name: 'dave', authProtocol: 'SHA-384', authPassword: 'dave-auth-pass', privProtocol: 'AES', privPassword: 'dave-priv-pass' },
  { name: 'erin', authProtocol: 'SHA', authPassword: 'erin-auth-pass', privProtocol: 'AES', privPassword: 'erin-priv-pass' },
  // AES-192/256: keys extended (SHA-1's 20 bytes, SHA-224's 28) or not (SHA-256/512), as Net-SNMP does.
  { name: 'frank', authProtocol: 'SHA', authPassword: 'frank-auth-pass', privProtocol: 'AES-192', privPassword: 'frank-priv-pass' },
  { name: 'grace', authProtocol: 'SHA', authPassword: 'grace-auth-pass', privProtocol: 'AES-256', privPassword: 'grace-priv-pass' },
  { name: 'heidi', authProtocol: 'SHA-224', authPassword: 'heidi-auth-pass', privProtocol: 'AES-256', privPassword: 'heidi-priv-pass' },
  { name: 'ivan', authProtocol: 'SHA-256', authPassword: 'ivan-auth-pass', privProtocol: 'AES-256', privPassword: 'ivan-priv-pass' },
  { name: 'judy', authProtocol: 'SHA-512', authPassword: 'judy-auth-pass', privProtocol: 'AES-192', privPassword: 'judy-priv-pass' },
];
/** How the Net-SNMP tools name the same user; they know AES-128 only as AES. */
const credentials = (user: SnmpV3User): V3Credentials => ({
  user: user.name,
  authProtocol: user.authProtocol,
  authPassword: user.authPassword,
  privProtocol: user.privProtocol === 'AES-128' ? 'AES' : user.privProtocol,
  privPassword: user.privPassword,
});
const ALICE = credentials(USERS[0]!);
const FAST = ['-t', '1', '-r', '0'];
const lines = (text: string) => text.split('\n').filter(Boolean);

describe('SNMPv3 against Net-SNMP', () => {
  let running: RunningSnmpAgent | undefined;
  let snapshot: AgentSnapshot;
  beforeAll(() => requireNetSnmpTools());
  afterEach(async () => {
    if (running) {
      // No password or key ever reaches the log.
      const logged = running.logs.map((l) => l.line).join('\n');
      for (const user of USERS) for (const secret of [user.authPassword, user.privPassword]) expect(logged).not.toContain(secret);
      await running.stop();
    }
    running = undefined;
  });

  async function start(config: Partial<SnmpConfig> = {}): Promise<RunningSnmpAgent> {
    const fixture = await agentFixture();
    snapshot = await fixture.poll();
    running = await startSnmpAgent({ snapshot: () => snapshot, config: { communities: [], v3Users: USERS, engineId: ENGINE_ID, ...config } });
    return running;
  }

  function originalNine(): string[] {
    const value = (quantity: string) => snapshot.quantities.find((q) => q.quantity === quantity)!.reading!.value;
    return [
      ...[1, 2, 3].map((row) => `iso.3.6.1.4.1.21600.1.5.1.1.1.1.${row} = INTEGER: ${row}`),
      ...['Temperature', 'Humidity', 'Light'].map((name, i) => `iso.3.6.1.4.1.21600.1.5.1.1.1.2.${i + 1} = STRING: "${name}"`),
      `iso.3.6.1.4.1.21600.1.5.1.1.1.3.1 = INTEGER: ${Math.round(value('temperature') * 1.8 + 32)}`,
      `iso.3.6.1.4.1.21600.1.5.1.1.1.3.2 = INTEGER: ${Math.round(value('humidity'))}`,
      `iso.3.6.1.4.1.21600.1.5.1.1.1.3.3 = INTEGER: ${Math.round(value('light'))}`,
    ];
  }

  for (const [tool, user] of [
    ['snmpwalk', ALICE],
    ['snmpbulkwalk', ALICE],
    ['snmpwalk', credentials(USERS[1]!)],
    ['snmpbulkwalk', credentials(USERS[1]!)],
  ] as const) {
    it(`${tool} authPriv ${user.authProtocol}+AES reads the sensor table`, async () => {
      const agent = await start();
      const result = await runTool(tool, [...v3Args(user), agent.target, TABLE]);
      expect(result.stderr).toBe('');
      const walk = lines(result.stdout);
      expect(walk.filter((line) => /\.21600\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line))).toEqual(originalNine());
      // 5 rows × 9 columns; the walk ends with the table (the SNMP entity's objects follow it).
      expect(walk).toHaveLength(5 * 9);
      expect(agent.agent.usmStats).toMatchObject({ unknownEngineIDs: 1, wrongDigests: 0, decryptionErrors: 0 });
      expect(agent.agent.counters.internalErrors).toBe(0);
    });
  }

  it('snmpget works for every auth protocol (SHA-224, SHA-384, HMAC-SHA-1-96 too) and AES-192/256, and a walk from .1 sees the whole view', async () => {
    const agent = await start();
    for (const user of USERS) {
      const result = await runTool('snmpget', [...v3Args(credentials(user)), agent.target, '1.3.6.1.2.1.1.5.0', `${TABLE}.2.1`]);
      expect(lines(result.stdout), `${user.authProtocol}+${user.privProtocol}`).toEqual([
        'iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"',
        'iso.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"',
      ]);
    }
    const walk = await runTool('snmpbulkwalk', [...v3Args(credentials(USERS[1]!)), '-Cr50', agent.target, '.1']);
    // System group with sysORLastChange and sysORTable, table, snmp group, snmpEngine, usmStats, end of view.
    expect(lines(walk.stdout)).toHaveLength(7 + 1 + 12 + 45 + 8 + 4 + 6 + 1);
  });

  it('fits GETBULK responses in 1472 bytes with the v3 envelope, however many repetitions are asked for', async () => {
    const agent = await start();
    // Three repeaters over the whole view, 500 repetitions each: far more than one datagram holds.
    const result = await runTool('snmpbulkget', [...v3Args(ALICE), '-d', '-Cr500', agent.target, '.1', '.1', '.1']);
    const sizes = [...result.stderr.matchAll(/Received (\d+) byte packet/g)].map((m) => Number(m[1]));
    expect(sizes).toHaveLength(2); // -d dumps to stderr: the discovery Report, then the Response
    expect(sizes[1]).toBeLessThanOrEqual(1472);
    expect(sizes[1]).toBeGreaterThan(1400);
    expect(lines(result.stdout).filter((line) => line.startsWith('iso.')).length).toBeGreaterThan(40);
  });

  it('announces the configured engine ID and answers with it', async () => {
    const agent = await start();
    expect(agent.agent.engineId).toBe(ENGINE_ID);
    // -e skips discovery: a manager that already knows the engine ID (and localised its keys for it).
    const result = await runTool('snmpget', [...v3Args(ALICE), '-e', `0x${ENGINE_ID}`, agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(lines(result.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
    expect(agent.logs.some((l) => l.line.includes('SNMPv3 enabled') && l.line.includes(ENGINE_ID) && l.line.includes('users="alice,bob,carol,'))).toBe(true);
  });

  it('a manager with a stale engine time gets an authenticated notInTimeWindows report, resynchronises and retries', async () => {
    const agent = await start();
    agent.clock.advance(1_000_000);
    // -Z boots,time: what the manager believes; our time is 1000 s, far outside the 150 s window.
    const result = await runTool('snmpget', [...v3Args(ALICE), '-e', `0x${ENGINE_ID}`, '-Z', '1,10', agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(lines(result.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
    expect(agent.agent.usmStats?.notInTimeWindows).toBe(1);
  });

  const refusals: { name: string; user: V3Credentials; stat: string; message: RegExp }[] = [
    { name: 'a wrong authentication password', user: { ...ALICE, authPassword: 'not-alices-pass' }, stat: 'wrongDigests', message: /Authentication failure/ },
    { name: 'the wrong authentication protocol', user: { ...ALICE, authProtocol: 'SHA-512' }, stat: 'wrongDigests', message: /Authentication failure/ },
    { name: 'a wrong privacy password', user: { ...ALICE, privPassword: 'not-alices-priv' }, stat: 'decryptionErrors', message: /Decryption error/ },
    { name: 'an unknown user', user: { ...ALICE, user: 'mallory' }, stat: 'unknownUserNames', message: /Unknown user name/ },
    {
      name: 'noAuthNoPriv for a known user',
      user: { user: 'alice', level: 'noAuthNoPriv' },
      stat: 'unsupportedSecLevels',
      message: /Unsupported security level/,
    },
    { name: 'authNoPriv for a known user', user: { ...ALICE, level: 'authNoPriv' }, stat: 'unsupportedSecLevels', message: /Unsupported security level/ },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name} (usmStats ${refusal.stat}), and still serves alice`, async () => {
      const agent = await start();
      const result = await runTool('snmpget', [...v3Args(refusal.user), ...FAST, agent.target, '1.3.6.1.2.1.1.5.0']);
      expect(result.stdout).toBe('');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(refusal.message);
      expect(agent.agent.usmStats?.[refusal.stat as 'wrongDigests']).toBe(1);
      expect(agent.agent.counters.requests).toBe(0);
      const ok = await runTool('snmpget', [...v3Args(ALICE), agent.target, '1.3.6.1.2.1.1.5.0']);
      expect(lines(ok.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
    });
  }

  it('with engineBootsFile, a restart increments boots and a manager holding the old boots resynchronises', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-boots-'));
    try {
      const engineBootsFile = join(dir, 'snmp-engine.json');
      await (await start({ engineBootsFile })).stop();
      const agent = await start({ engineBootsFile });
      expect(agent.logs.some((l) => l.line.includes('SNMPv3 enabled') && l.line.includes('engineBoots=2'))).toBe(true);
      // The manager still believes boots 1: an authenticated notInTimeWindows report tells it 2.
      const result = await runTool('snmpget', [...v3Args(ALICE), '-e', `0x${ENGINE_ID}`, '-Z', '1,0', agent.target, '1.3.6.1.2.1.1.5.0']);
      expect(lines(result.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
      expect(agent.agent.usmStats?.notInTimeWindows).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts malformed v3 messages as malformed, drops them, and keeps answering', async () => {
    const agent = await start();
    const header = tlv(0x30, tlv(0x02, [0x01]), tlv(0x02, [0x02, 0x00]), tlv(0x04, [0x04]), tlv(0x02, [0x03])); // msgID 1, maxSize 512, flags reportable, USM
    const usm = (engineId: number[], boots = [0x01]) =>
      tlv(0x04, tlv(0x30, tlv(0x04, engineId), tlv(0x02, boots), tlv(0x02, [0x00]), tlv(0x04, []), tlv(0x04, []), tlv(0x04, [])));
    const scoped = tlv(0x30, tlv(0x04, []), tlv(0x04, []), tlv(0xa0, tlv(0x02, [1]), tlv(0x02, [0]), tlv(0x02, [0]), tlv(0x30)));
    const malformed = {
      'v3 with a community instead of msgGlobalData': tlv(0x30, tlv(0x02, [0x03]), tlv(0x04, Buffer.from('public')), scoped),
      'msgSecurityParameters not a SEQUENCE': tlv(0x30, tlv(0x02, [0x03]), header, tlv(0x04, [0x02, 0x01, 0x00]), scoped),
      'engine ID of 3 bytes': tlv(0x30, tlv(0x02, [0x03]), header, usm([1, 2, 3]), scoped),
      'negative engine boots': tlv(0x30, tlv(0x02, [0x03]), header, usm([], [0xff]), scoped),
      truncated: tlv(0x30, tlv(0x02, [0x03]), header, usm([]), scoped).subarray(0, 40),
    };
    for (const packet of Object.values(malformed)) expect(await sendRaw(agent.port, packet, 200)).toBeUndefined();
    expect(agent.agent.counters.malformed).toBe(Object.keys(malformed).length);
    // The well-formed discovery probe next to them gets its Report: 04 0b <our engine ID> inside.
    const reply = await sendRaw(agent.port, tlv(0x30, tlv(0x02, [0x03]), header, usm([]), scoped), 500);
    expect(reply?.toString('hex')).toContain(`040b${ENGINE_ID}`);
    expect(agent.agent.counters.internalErrors).toBe(0);
    const ok = await runTool('snmpget', [...v3Args(ALICE), agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(lines(ok.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
  });

  it('keeps serving v2c communities beside v3 users', async () => {
    const agent = await start({ communities: [{ name: 'public' }] });
    const v2 = await runTool('snmpget', ['-v2c', '-c', 'public', agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(lines(v2.stdout)).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"']);
  });

  it('without v3 users, v3 stays off: no discovery answer, counted as unsupported', async () => {
    const agent = await start({ v3Users: [], communities: [{ name: 'public' }] });
    const result = await runTool('snmpget', [...v3Args(ALICE), ...FAST, agent.target, '1.3.6.1.2.1.1.5.0']);
    expect(result.stderr).toMatch(/Timeout/);
    expect(agent.agent.counters.unsupported).toBeGreaterThan(0);
    expect(agent.agent.engineId).toBeUndefined();
  });
});
