/**
 * SNMPv3 with the USM: the crypto against the RFC 3414 vectors, then the agent against Net-SNMP's
 * own tools (authPriv, HMAC-SHA-2 and AES-128) over 127.0.0.1, including every refusal.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../src/agent/agent.js';
import { snmpConfigSchema, type SnmpConfig, type SnmpV3User } from '../src/agent/snmp/config.js';
import { EngineBootsError, nextEngineBoots } from '../src/agent/snmp/usm-boots.js';
import { UsmEngine } from '../src/agent/snmp/usm.js';
import { AUTH_PROTOCOLS, aesDecrypt, aesEncrypt, computeMac, localizeKey, passwordToKey, privacyKey } from '../src/agent/snmp/usm-crypto.js';
import { MsgFlags, encodeV3Message } from '../src/agent/snmp/v3-message.js';
import { deriveEngineId, formatEngineId, localEngineIdSource } from '../src/agent/snmp/v3-engine-id.js';
import { agentFixture } from './helpers/agent-fixture.js';
import { tlv } from './helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, sendRaw, startSnmpAgent, v3Args, type RunningSnmpAgent, type V3Credentials } from './helpers/snmp-tools.js';

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

describe('USM crypto (RFC 3414 appendix A.3)', () => {
  const engineId = Buffer.from('000000000000000000000002', 'hex');
  it('A.3.1: MD5 password-to-key and localisation of "maplesyrup"', () => {
    const ku = passwordToKey('md5', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9faf3283884e92834ebc9847d8edd963');
    expect(localizeKey('md5', ku, engineId).toString('hex')).toBe('526f5eed9fcce26f8964c2930787d82b');
  });

  it('A.3.2: SHA-1 password-to-key and localisation of "maplesyrup"', () => {
    const ku = passwordToKey('sha1', 'maplesyrup');
    expect(ku.toString('hex')).toBe('9fb5cc0381497b3793528939ff788d5d79145211');
    expect(localizeKey('sha1', ku, engineId).toString('hex')).toBe('6695febc9288e36282235fc7151f128497b38f3f');
  });

  it('AES-128-CFB round-trips without padding, and the IV depends on boots, time and salt', () => {
    const key = Buffer.alloc(16, 7);
    const salt = Buffer.from('0102030405060708', 'hex');
    const plaintext = Buffer.from('a scoped PDU of 29 bytes.....');
    const ciphertext = aesEncrypt({ key, boots: 1, time: 42, salt }, plaintext);
    expect(ciphertext).toHaveLength(plaintext.length);
    expect(aesDecrypt({ key, boots: 1, time: 42, salt }, ciphertext)).toEqual(plaintext);
    expect(aesDecrypt({ key, boots: 1, time: 43, salt }, ciphertext)).not.toEqual(plaintext);
  });
});

describe('USM time window (RFC 3414 §3.2 step 7), without the tools', () => {
  const engineId = Buffer.from(ENGINE_ID, 'hex');
  const alice = USERS[0]!;
  /** A manager's authPriv GET for sysName.0 claiming `boots` and `time`, sealed as RFC 3414/3826 say. */
  function request(boots: number, time: number): Buffer {
    const { hash } = AUTH_PROTOCOLS['SHA-256'];
    const authKey = localizeKey(hash, passwordToKey(hash, alice.authPassword), engineId);
    const privKey = privacyKey('AES', hash, localizeKey(hash, passwordToKey(hash, alice.privPassword), engineId));
    // ScopedPDU: 30 LL { 04 00 contextEngineID, 04 00 contextName, A0 GET { id 7, 0, 0, [ sysName.0 NULL ] } }
    const scoped = tlv(0x30, tlv(0x04, []), tlv(0x04, []), tlv(0xa0, tlv(0x02, [7]), tlv(0x02, [0]), tlv(0x02, [0]), tlv(0x30, tlv(0x30, tlv(0x06, [0x2b, 6, 1, 2, 1, 1, 5, 0]), [0x05, 0x00]))));
    const salt = Buffer.from('0001020304050607', 'hex');
    const data = tlv(0x04, aesEncrypt({ key: privKey, boots, time, salt }, scoped));
    const security = { engineId, boots, time, userName: Buffer.from('alice'), authParams: Buffer.alloc(24), privParams: salt };
    const { packet, authParamsOffset } = encodeV3Message({ msgId: 1, flags: MsgFlags.auth | MsgFlags.priv | MsgFlags.reportable, security, data });
    computeMac(AUTH_PROTOCOLS['SHA-256'], authKey, packet).copy(packet, authParamsOffset);
    return packet;
  }

  it('accepts our boots with a time up to 150 s either side, reports anything else', () => {
    let now = 1_000_000;
    const engine = new UsmEngine({ engineId, users: [alice], boots: 3, now: () => now, startedAt: 0 });
    expect(engine.time()).toBe(1000);
    for (const time of [850, 1000, 1150]) expect(engine.process(request(3, time)).kind, String(time)).toBe('request');
    for (const [boots, time] of [[3, 849], [3, 1151], [2, 1000], [4, 1000]] as const) {
      const outcome = engine.process(request(boots, time));
      expect(outcome.kind === 'report' && outcome.stat, `${boots},${time}`).toBe('notInTimeWindows');
    }
    expect(engine.stats.notInTimeWindows).toBe(4);
    now += 100_000;
    expect(engine.process(request(3, 1100)).kind).toBe('request');
    expect(engine.stats).toMatchObject({ wrongDigests: 0, decryptionErrors: 0 });
  });
});

describe('engine ID', () => {
  it('is RFC 3411 format 3 (MAC) under enterprise 21600, physical interfaces first, stable for the same hardware', () => {
    const macs = { docker0: '02:42:ac:11:00:02', lo: '00:00:00:00:00:00', wlan0: 'b8:27:eb:00:00:02', eth0: 'b8:27:eb:00:00:01' };
    // 80 00 54 60 = 0x80000000 | 21600; 03 = MAC; then eth0's address.
    expect(deriveEngineId({ macs, hostname: 'pi' }).toString('hex')).toBe('8000546003b827eb000001');
    expect(deriveEngineId({ macs: { ...macs }, hostname: 'renamed' })).toEqual(deriveEngineId({ macs, hostname: 'pi' }));
  });

  it('on this machine: derived twice, the same, under 80005460', () => {
    const first = deriveEngineId(localEngineIdSource()).toString('hex');
    expect(first).toMatch(/^8000546(003[0-9a-f]{12}|04[0-9a-f]+)$/);
    expect(deriveEngineId(localEngineIdSource()).toString('hex')).toBe(first);
  });

  it('falls back to the host name (format 4) without a usable MAC', () => {
    expect(deriveEngineId({ macs: { lo: '00:00:00:00:00:00' }, hostname: 'pi' })).toEqual(formatEngineId(4, Buffer.from('pi')));
  });

  it('config: engineId in hex (0x and colons allowed), 5–32 bytes, not all zeros', () => {
    expect(snmpConfigSchema.parse({ engineId: '0x80:00:54:60:05:01' }).engineId).toBe('800054600501');
    for (const bad of ['8000', 'zz00546005', '0000000000']) expect(snmpConfigSchema.safeParse({ engineId: bad }).success, bad).toBe(false);
  });

  it('config: users need 8-character passwords and unique names; none by default', () => {
    expect(snmpConfigSchema.parse({}).v3Users ?? []).toEqual([]);
    const short = snmpConfigSchema.safeParse({ v3Users: [{ ...USERS[0], authPassword: 'short' }] });
    expect(short.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['v3Users.0.authPassword: must be at least 8 characters']);
    expect(snmpConfigSchema.safeParse({ v3Users: [USERS[0], USERS[0]] }).success).toBe(false);
    expect(snmpConfigSchema.safeParse({ v3Users: [{ ...USERS[0], authProtocol: 'MD5' }] }).success).toBe(false);
  });
});

describe('engineBoots file', () => {
  it('counts 1, 2, 3 across starts, restarts at 1 for a new engine ID, refuses a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-boots-'));
    try {
      const file = join(dir, 'snmp-engine.json');
      const id = Buffer.from(ENGINE_ID, 'hex');
      expect([await nextEngineBoots(file, id), await nextEngineBoots(file, id), await nextEngineBoots(file, id)]).toEqual([1, 2, 3]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ engineId: ENGINE_ID, engineBoots: 3 });
      expect(await nextEngineBoots(file, Buffer.from('800054600501', 'hex'))).toBe(1);
      await writeFile(file, '{"engineId": "800054600501", "engineBoots": -4}');
      await expect(nextEngineBoots(file, id)).rejects.toBeInstanceOf(EngineBootsError);
      await writeFile(file, 'garbage');
      await expect(nextEngineBoots(file, id)).rejects.toThrow(/not the JSON this agent writes/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

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

  for (const [tool, user] of [['snmpwalk', ALICE], ['snmpbulkwalk', ALICE], ['snmpwalk', credentials(USERS[1]!)], ['snmpbulkwalk', credentials(USERS[1]!)]] as const) {
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
      expect(lines(result.stdout), `${user.authProtocol}+${user.privProtocol}`).toEqual(['iso.3.6.1.2.1.1.5.0 = STRING: "envirowatch-test"', 'iso.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"']);
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
    { name: 'noAuthNoPriv for a known user', user: { user: 'alice', level: 'noAuthNoPriv' }, stat: 'unsupportedSecLevels', message: /Unsupported security level/ },
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
    const usm = (engineId: number[], boots = [0x01]) => tlv(0x04, tlv(0x30, tlv(0x04, engineId), tlv(0x02, boots), tlv(0x02, [0x00]), tlv(0x04, []), tlv(0x04, []), tlv(0x04, [])));
    const scoped = tlv(0x30, tlv(0x04, []), tlv(0x04, []), tlv(0xa0, tlv(0x02, [1]), tlv(0x02, [0]), tlv(0x02, [0]), tlv(0x30)));
    const malformed = {
      'v3 with a community instead of msgGlobalData': tlv(0x30, tlv(0x02, [0x03]), tlv(0x04, Buffer.from('public')), scoped),
      'msgSecurityParameters not a SEQUENCE': tlv(0x30, tlv(0x02, [0x03]), header, tlv(0x04, [0x02, 0x01, 0x00]), scoped),
      'engine ID of 3 bytes': tlv(0x30, tlv(0x02, [0x03]), header, usm([1, 2, 3]), scoped),
      'negative engine boots': tlv(0x30, tlv(0x02, [0x03]), header, usm([], [0xff]), scoped),
      'truncated': tlv(0x30, tlv(0x02, [0x03]), header, usm([]), scoped).subarray(0, 40),
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
