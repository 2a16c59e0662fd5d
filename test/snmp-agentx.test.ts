/**
 * The AgentX subagent: the PDU codec and stream framer byte by byte, then against a real Net-SNMP
 * snmpd (`master agentx`) through the real snmpwalk/snmpget, then against a scripted fake master
 * over loopback TCP sending malformed bytes.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot, QuantityState } from '../src/agent/agent.js';
import type { Quantity } from '../src/agent/readings/quantities.js';
import { systemClock, ManualClock, type Clock } from '../src/common/clock.js';
import { createLogger, type LogLevel } from '../src/common/logger.js';
import { agentxConfigSchema, parseAgentxSocket } from '../src/agent/snmp/agentx-config.js';
import { answerGetBulk, answerGetNext, sensorTableView } from '../src/agent/snmp/agentx-handler.js';
import {
  AgentxError,
  AgentxFramer,
  AgentxFramingError,
  AgentxParseError,
  AgentxType,
  decodePdu,
  encodeClose,
  encodeGet,
  encodeGetBulk,
  encodeOpen,
  encodeRegister,
  encodeResponse,
  type AgentxPdu,
} from '../src/agent/snmp/agentx-pdu.js';
import { AgentxSubagent } from '../src/agent/snmp/agentx-subagent.js';
import { encodeVarbind } from '../src/agent/snmp/message.js';
import { parseOid, SENSOR_ENTRY_OID } from '../src/agent/snmp/oid.js';
import type { SnmpV3User } from '../src/agent/snmp/v3-user-config.js';
import { requireSnmpd, startSnmpd, type RunningSnmpd } from './helpers/snmpd.js';
import { request } from './helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, v3Args } from './helpers/snmp-tools.js';
import { testMibOptions } from './helpers/snmp-test-mib.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const sensorOf = (quantity: Quantity) => (['light', 'proximity'].includes(quantity) ? 'ltr559' : 'bme280');
function state(quantity: Quantity, value: number, ageMs = 0): QuantityState {
  return { quantity, sensor: sensorOf(quantity), reading: { quantity, value, raw: value, timestamp: NOW - ageMs }, level: 'ok', status: 'ok' } as QuantityState;
}
/** 21.5 °C = 70.7 °F → 71; 40.4 %RH → 40; 123.4 lux → 123. */
const SNAPSHOT: AgentSnapshot = {
  timestamp: NOW,
  quantities: [state('temperature', 21.5, 3000), state('humidity', 40.4, 3000), state('light', 123.4, 3000), state('pressure', 1013.25, 3000), state('proximity', 7, 3000)],
  sensors: [],
};

/** The original sensor's walk: the nine lines an old manager sees, in this order. */
const ORIGINAL_NINE = [
  'iso.3.6.1.4.1.21600.1.5.1.1.1.1.1 = INTEGER: 1',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.1.2 = INTEGER: 2',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.1.3 = INTEGER: 3',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.2.2 = STRING: "Humidity"',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.2.3 = STRING: "Light"',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.3.1 = INTEGER: 71',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.3.2 = INTEGER: 40',
  'iso.3.6.1.4.1.21600.1.5.1.1.1.3.3 = INTEGER: 123',
];

/** snmpd's SNMPv3 user (createUser + rouser … priv), and the same as the Net-SNMP tools take it. */
const V3_USER: SnmpV3User = { name: 'monitor', authProtocol: 'SHA-256', authPassword: 'auth password one', privProtocol: 'AES', privPassword: 'priv password one' };
const V3_TOOL = { user: V3_USER.name, authProtocol: V3_USER.authProtocol, authPassword: V3_USER.authPassword, privProtocol: V3_USER.privProtocol, privPassword: V3_USER.privPassword };

/** Real timers for timeouts and backoff; the wall clock fixed at NOW so the age column is deterministic. */
const fixedWallClock: Clock = { now: () => NOW, monotonic: () => systemClock.monotonic(), sleep: (ms, signal) => systemClock.sleep(ms, signal) };

function subagent(socket: string, extra: Record<string, string> = {}) {
  const logs: { level: LogLevel; line: string }[] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
  const config = agentxConfigSchema.parse({ socket, timeout: '2s', reconnectMaxDelay: '4s', ...extra });
  const agent = new AgentxSubagent({ config, snapshot: () => SNAPSHOT, units: { temperature: 'fahrenheit' }, thresholds: {}, logger, clock: fixedWallClock });
  return { agent, logs };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const H = { sessionId: 7, transactionId: 8, packetId: 9 };
const TABLE = SENSOR_ENTRY_OID;

describe('AgentX PDU codec', () => {
  it('encodes Open in network byte order with the 1.3.6.1 prefix compressed', () => {
    const bytes = encodeOpen({ sessionId: 0, transactionId: 0, packetId: 1 }, { timeout: 5, id: parseOid('1.3.6.1.4.1.21600'), descr: 'ab' });
    expect([...bytes]).toEqual([
      0x01, 0x01, 0x10, 0x00,  // h.version 1, h.type Open, h.flags NETWORK_BYTE_ORDER, reserved
      0, 0, 0, 0,              // h.sessionID
      0, 0, 0, 0,              // h.transactionID
      0, 0, 0, 1,              // h.packetID 1
      0, 0, 0, 24,             // h.payload_length: 4 + 12 + 8
      0x05, 0, 0, 0,           // o.timeout 5 s, reserved
      0x02, 0x04, 0x00, 0x00,  // o.id: n_subid 2, prefix 4 (1.3.6.1.4), include 0, reserved
      0, 0, 0, 1,              //   .1
      0, 0, 0x54, 0x60,        //   .21600
      0, 0, 0, 2,              // o.descr length 2
      0x61, 0x62, 0, 0,        //   "ab" + 2 bytes padding
    ]);
    expect(decodePdu(bytes)).toMatchObject({ kind: 'open', timeout: 5, id: parseOid('1.3.6.1.4.1.21600'), descr: 'ab' });
  });

  it('reads little-endian PDUs (NETWORK_BYTE_ORDER clear), as a master may send', () => {
    const bytes = Buffer.from([
      0x01, 0x06, 0x00, 0x00,  // version 1, GetNext, flags 0: little-endian
      7, 0, 0, 0,              // sessionID 7
      8, 0, 0, 0,              // transactionID 8
      9, 0, 0, 0,              // packetID 9
      16, 0, 0, 0,             // payload 16 bytes
      0x02, 0x04, 0x01, 0x00,  // start: 2 subids, prefix 4, include 1
      1, 0, 0, 0,              //   .1
      0x60, 0x54, 0, 0,        //   .21600
      0x00, 0x00, 0x00, 0x00,  // end: null OID
    ]);
    expect(decodePdu(bytes)).toMatchObject({ kind: 'getNext', header: H, ranges: [{ start: parseOid('1.3.6.1.4.1.21600'), include: true, end: [] }] });
  });

  it('round-trips Register, Close, GetBulk and Responses with every value type we send', () => {
    expect(decodePdu(encodeRegister(H, { subtree: TABLE }))).toMatchObject({ kind: 'register', priority: 127, subtree: TABLE, upperBound: undefined });
    expect(decodePdu(encodeClose(H, 5))).toMatchObject({ kind: 'close', reason: 5 });
    const ranges = [{ start: TABLE, include: false, end: [] }];
    expect(decodePdu(encodeGetBulk(H, { nonRepeaters: 0, maxRepetitions: 10, ranges }))).toMatchObject({ kind: 'getBulk', nonRepeaters: 0, maxRepetitions: 10, ranges });
    const varbinds = [
      { oid: [...TABLE, 3, 1], value: { type: 'integer', value: -746 } },
      { oid: [...TABLE, 2, 1], value: { type: 'string', value: 'Temperature' } },
      { oid: parseOid('1.3.6.1.2.1.1.2.0'), value: { type: 'oid', value: parseOid('1.3.6.1.4.1.21600.1.5') } },
      { oid: parseOid('1.3.6.1.2.1.1.3.0'), value: { type: 'timeticks', value: 4_000_000_000 } },
      { oid: [1, 2], value: { type: 'endOfMibView' } },
      { oid: [1, 3], value: { type: 'noSuchInstance' } },
    ] as const;
    expect(decodePdu(encodeResponse(H, { error: 0, varbinds }))).toMatchObject({ kind: 'response', header: H, error: 0, varbinds });
  });

  it('refuses malformed payloads and headers without throwing anything else', () => {
    const good = encodeGet(H, AgentxType.Get, [{ start: [...TABLE, 1, 1], include: false, end: [] }]);
    // Every truncation that keeps a consistent header length.
    for (let cut = 4; cut < good.length - 20; cut += 4) {
      const bytes = Buffer.from(good.subarray(0, 20 + cut));
      bytes.writeUInt32BE(cut, 16);
      expect(() => decodePdu(bytes)).toThrow(/AgentX|needs|trailing/i);
    }
    const badVersion = Buffer.from(good);
    badVersion[0] = 2;
    expect(() => decodePdu(badVersion)).toThrow(AgentxFramingError);
    const oddLength = Buffer.from(good);
    oddLength.writeUInt32BE(3, 16);
    expect(() => decodePdu(oddLength)).toThrow(AgentxFramingError);
  });
});

describe('AgentX decoder fuzzing', () => {
  it('mutated PDUs either decode or throw AgentxParseError/AgentxFramingError, nothing else', () => {
    const seeds = [
      encodeOpen(H, { timeout: 5, id: TABLE, descr: 'envirowatch' }),
      encodeRegister(H, { subtree: TABLE }),
      encodeGet(H, AgentxType.GetNext, [{ start: TABLE, include: true, end: [...TABLE, 9] }]),
      encodeGetBulk(H, { nonRepeaters: 1, maxRepetitions: 5, ranges: [{ start: TABLE, include: false, end: [] }, { start: [...TABLE, 2], include: false, end: [] }] }),
      encodeResponse(H, { varbinds: [{ oid: [...TABLE, 2, 1], value: { type: 'string', value: 'Temperature' } }, { oid: [1, 3], value: { type: 'oid', value: TABLE } }] }),
    ];
    let state = 0x2741;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.from(seeds[i % seeds.length]!);
      for (let flips = 1 + random(4); flips > 0; flips--) bytes[random(bytes.length)] = random(256);
      try {
        decodePdu(bytes);
      } catch (error) {
        if (!(error instanceof AgentxParseError || error instanceof AgentxFramingError)) throw error;
      }
    }
  });
});

describe('AgentX stream framer', () => {
  const pdus = [
    encodeGet({ ...H, packetId: 1 }, AgentxType.Get, [{ start: [...TABLE, 1, 1], include: false, end: [] }]),
    encodeGet({ ...H, packetId: 2 }, AgentxType.GetNext, [{ start: TABLE, include: false, end: [...TABLE, 9] }]),
    encodeClose({ ...H, packetId: 3 }, 1),
    encodeResponse({ ...H, packetId: 4 }, { varbinds: [{ oid: [...TABLE, 2, 1], value: { type: 'string', value: 'Humidity' } }] }),
  ];
  const stream = Buffer.concat(pdus);
  const ids = (frames: { header: { packetId: number } }[]) => frames.map((frame) => frame.header.packetId);

  it('returns every PDU of a chunk holding several', () => {
    const frames = new AgentxFramer().push(stream);
    expect(ids(frames)).toEqual([1, 2, 3, 4]);
    expect(frames.map((frame) => decodePdu(frame.bytes).kind)).toEqual(['get', 'getNext', 'close', 'response']);
  });

  it('reassembles the same PDUs whatever byte boundary the stream is split at', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new AgentxFramer();
      const frames = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      expect(ids(frames), `split at ${cut}`).toEqual([1, 2, 3, 4]);
      expect(framer.buffered).toBe(0);
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const framer = new AgentxFramer();
    const frames = [...stream].flatMap((byte) => framer.push(Buffer.from([byte])));
    expect(frames.map((frame) => frame.bytes)).toEqual(pdus);
  });

  it('gives up on a stream whose framing is lost (bad version, absurd length)', () => {
    const framer = new AgentxFramer();
    expect(() => framer.push(Buffer.concat([pdus[0]!, Buffer.from([9, 1, 0x10, 0, ...Array(16).fill(0)])]))).toThrow(AgentxFramingError);
    expect(() => framer.push(pdus[0]!)).toThrow(AgentxFramingError);
    const huge = Buffer.from(pdus[0]!.subarray(0, 20));
    huge.writeUInt32BE(0x7ffffffc, 16);
    expect(() => new AgentxFramer().push(huge)).toThrow(/exceeds/);
  });
});

describe('AgentX request answers (same view as the standalone agent)', () => {
  const view = sensorTableView({ snapshot: SNAPSHOT, units: { temperature: 'fahrenheit' }, thresholds: {}, now: NOW });

  it('GetNext honours include and the exclusive end of the search range', () => {
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 1], include: true, end: [] }])[0]!.oid).toEqual([...TABLE, 1, 1]);
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 1], include: false, end: [] }])[0]!.oid).toEqual([...TABLE, 1, 2]);
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 5], include: false, end: [...TABLE, 2] }])[0]).toEqual({ oid: [...TABLE, 1, 5], value: { type: 'endOfMibView' } });
  });

  it('GetBulk with a huge max-repetitions stops after the view ends', () => {
    const varbinds = answerGetBulk(view, { nonRepeaters: 0, maxRepetitions: 65535, ranges: [{ start: TABLE, include: false, end: [] }] });
    expect(varbinds).toHaveLength(45 + 1);
    expect(varbinds.at(-1)!.value.type).toBe('endOfMibView');
  });
});

describe('agentxConfigSchema', () => {
  it('defaults to Net-SNMP’s Unix socket, 5 s timeout, 30 s maximum backoff', () => {
    expect(agentxConfigSchema.parse({})).toEqual({ socket: '/var/agentx/master', timeout: 5000, reconnectMaxDelay: 30_000 });
  });

  it('accepts tcp:HOST:PORT and unix: forms, and reports bad values', () => {
    expect(parseAgentxSocket('tcp:127.0.0.1:705')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 705 });
    expect(parseAgentxSocket('tcp:[::1]:705')).toEqual({ kind: 'tcp', host: '::1', port: 705 });
    expect(parseAgentxSocket('unix:/run/agentx')).toEqual({ kind: 'unix', path: '/run/agentx' });
    const result = agentxConfigSchema.safeParse({ socket: 'localhost', timeout: 'soon', retry: 1 });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.') || issue.code).sort()).toEqual(['socket', 'timeout', 'unrecognized_keys']);
  });
});

describe('AgentX subagent of a real snmpd', () => {
  let snmpd: RunningSnmpd;
  let sub: ReturnType<typeof subagent>;

  beforeAll(async () => {
    requireNetSnmpTools();
    requireSnmpd();
    snmpd = await startSnmpd({ v3User: V3_USER });
    sub = subagent(snmpd.agentxSocket);
    expect(await sub.agent.start()).toEqual({ registered: true });
  }, 30_000);

  afterAll(async () => {
    await sub?.agent.stop();
    await snmpd?.stop();
  });

  const walk = () => runTool('snmpwalk', ['-v2c', '-c', 'public', '-t', '3', '-r', '1', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1']);

  it('snmpwalk through snmpd shows the original nine lines first, in order, with the snapshot values', async () => {
    const result = await walk();
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const original = lines.filter((line) => /\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line));
    expect(original).toEqual(ORIGINAL_NINE);
    expect(lines).toHaveLength(45);
  });

  it('serves exactly what the standalone agent serves for the same snapshot', async () => {
    const standalone = await startSnmpAgent({ snapshot: () => SNAPSHOT, clock: new ManualClock(NOW) });
    try {
      const direct = await runTool('snmpwalk', ['-v2c', '-c', 'public', standalone.target, '1.3.6.1.4.1.21600.1.5.1.1.1']);
      const viaSnmpd = await walk();
      // The standalone agent's view ends with the table, so its walk ends with endOfMibView; snmpd has more after it.
      const table = (text: string) => text.split('\n').filter((line) => line.includes(' = ') && !line.includes('No more variables'));
      expect(table(direct.stdout)).toHaveLength(45);
      expect(table(viaSnmpd.stdout)).toEqual(table(direct.stdout));
      const bulk = await runTool('snmpbulkwalk', ['-v2c', '-c', 'public', '-Cr7', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1']);
      expect(table(bulk.stdout)).toEqual(table(direct.stdout));
    } finally {
      await standalone.stop();
    }
  });

  it('snmpwalk -v3 authPriv through snmpd (its USM, our table) shows the same table as v2c', async () => {
    const v3 = await runTool('snmpwalk', [...v3Args(V3_TOOL), '-t', '3', '-r', '1', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1']);
    expect(v3.code, v3.stderr).toBe(0);
    expect(v3.stderr).toBe('');
    const lines = v3.stdout.trim().split('\n');
    expect(lines.filter((line) => /\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line))).toEqual(ORIGINAL_NINE);
    expect(lines).toHaveLength(45);
    expect(v3.stdout).toBe((await walk()).stdout);
  });

  describe('every Net-SNMP tool in v1, v2c and v3 reads the same through snmpd as from the standalone agent', () => {
    const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
    const credentials: Record<string, string[]> = { v1: ['-v1', '-c', 'public'], v2c: ['-v2c', '-c', 'public'], v3: v3Args(V3_TOOL) };
    const tools: [tool: string, args: () => string[]][] = [
      ['snmpget', () => [`${TABLE}.2.1`, `${TABLE}.3.2`, `${TABLE}.6.3`]],
      ['snmpgetnext', () => [`${TABLE}.1`, `${TABLE}.3.3`]],
      ['snmpwalk', () => [TABLE]],
      ['snmpbulkwalk', () => ['-Cr5', TABLE]],
      ['snmptable', () => [...testMibOptions(), '-Cf', ',', 'ENVIROWATCH-TEST-MIB::sensorTable']],
    ];
    let standalone: Awaited<ReturnType<typeof startSnmpAgent>>;
    beforeAll(async () => {
      standalone = await startSnmpAgent({ snapshot: () => SNAPSHOT, clock: new ManualClock(NOW), config: { v3Users: [V3_USER] } });
    });
    afterAll(async () => standalone?.stop());

    // Walks stop where each agent's view ends: the standalone's ends with our table (endOfMibView in
    // v2c/v3, noSuchName in v1, which snmpwalk prints as "End of MIB"), snmpd's goes on.
    const answers = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !/No more variables|^End of MIB$/.test(line));
    for (const version of ['v1', 'v2c', 'v3'] as const) {
      for (const [tool, args] of tools) {
        if (tool === 'snmpbulkwalk' && version === 'v1') continue; // GETBULK does not exist in SNMPv1
        it(`${tool} ${version}`, async () => {
          const direct = await runTool(tool, [...credentials[version]!, standalone.target, ...args()]);
          const viaSnmpd = await runTool(tool, [...credentials[version]!, '-t', '3', '-r', '1', snmpd.target, ...args()]);
          expect(direct.code, direct.stderr).toBe(0);
          expect(viaSnmpd.code, viaSnmpd.stderr).toBe(0);
          expect(answers(direct.stdout).length).toBeGreaterThan(1);
          expect(answers(viaSnmpd.stdout)).toEqual(answers(direct.stdout));
          if (tool === 'snmptable') expect(answers(viaSnmpd.stdout).slice(0, 5)).toEqual(['SNMP table: ENVIROWATCH-TEST-MIB::sensorTable', 'sensorIndex,sensorType,sensorValue', expect.stringMatching(/^1,"Temperature",-?\d+$/), expect.stringMatching(/^2,"Humidity",\d+$/), expect.stringMatching(/^3,"Light",\d+$/)]);
        });
      }
    }
  });

  it('snmpd refuses an SNMPv3 walk with a wrong authentication or privacy password, and our table stays unread', async () => {
    for (const wrong of [{ authPassword: 'not the auth password' }, { privPassword: 'not the priv password' }]) {
      const result = await runTool('snmpwalk', [...v3Args({ ...V3_TOOL, ...wrong }), '-t', '1', '-r', '0', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1']);
      expect(result.code, JSON.stringify(wrong)).not.toBe(0);
      expect(result.stdout).not.toMatch(/21600/);
      // Net-SNMP: a wrong auth key is a wrong digest; a wrong priv key decrypts to garbage, which snmpd drops (timeout).
      expect(result.stderr).toMatch(wrong.authPassword ? /Authentication failure/ : /Timeout|Decryption error/);
    }
  });

  it('leaves snmpd’s own system group in place', async () => {
    const result = await runTool('snmpget', ['-v2c', '-c', 'public', snmpd.target, '1.3.6.1.2.1.1.1.0', '1.3.6.1.4.1.21600.1.5.1.1.1.2.1']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^iso\.3\.6\.1\.2\.1\.1\.1\.0 = STRING: "Linux /m);
    expect(result.stdout).toContain('iso.3.6.1.4.1.21600.1.5.1.1.1.2.1 = STRING: "Temperature"');
  });

  it('answers 32 concurrent requests correctly', async () => {
    const expected = new Map(ORIGINAL_NINE.map((line) => [line.split(' = ')[0]!.replace(/^iso/, '1'), line]));
    const oids = [...expected.keys()];
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => runTool('snmpget', ['-v2c', '-c', 'public', '-t', '5', '-r', '0', snmpd.target, oids[i % oids.length]!])));
    results.forEach((result, i) => expect(result.stdout.trim(), result.stderr).toBe(expected.get(oids[i % oids.length]!)));
    expect(sub.agent.counters.badPdus).toBe(0);
  });

  it('answers 32 GETs in flight at once from one UDP socket (several AgentX PDUs per chunk)', async () => {
    const view = sensorTableView({ snapshot: SNAPSHOT, units: { temperature: 'fahrenheit' }, thresholds: {}, now: NOW });
    // sensorEntry.<column>.<row>: 2b 06 01 04 01 (1.3.6.1.4.1) 81 a8 60 (21600) 01 05 01 01 01.
    const instance = (i: number) => [(i % 9) + 1, (i % 5) + 1] as const;
    const socket = createSocket('udp4');
    const replies = new Map<number, Buffer>();
    socket.on('message', (reply) => {
      // request-id is the first INTEGER inside the PDU; ours are 1–32, one content byte.
      const at = reply.indexOf(Buffer.from([0x02, 0x01]), reply.indexOf(Buffer.from('public')) + 6);
      replies.set(reply[at + 2]!, reply);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      for (let id = 1; id <= 32; id++) {
        const [column, row] = instance(id);
        socket.send(request({ requestId: [id], oids: [[0x2b, 6, 1, 4, 1, 0x81, 0xa8, 0x60, 1, 5, 1, 1, 1, column, row]] }), snmpd.udpPort, '127.0.0.1');
      }
      await waitFor(() => replies.size === 32, 10_000, '32 replies');
    } finally {
      socket.close();
    }
    for (let id = 1; id <= 32; id++) {
      const [column, row] = instance(id);
      const expected = encodeVarbind(view.get([...TABLE, column, row]));
      expect(replies.get(id)!.subarray(-expected.length), `request ${id}`).toEqual(expected);
    }
    expect(sub.agent.counters.badPdus).toBe(0);
    // Evidence that the master did batch PDUs into one chunk at least once.
    expect(sub.logs.some((log) => log.line.includes('several PDUs in one chunk'))).toBe(true);
  });

  it.each([
    ['SIGKILL', true],
    ['SIGTERM', false],
  ])('reconnects and re-registers after snmpd is stopped (%s) and started again on the same ports', async (_signal, hard) => {
    const before = sub.agent.counters.registrations;
    await snmpd.kill(hard);
    await waitFor(() => !sub.agent.registered, 5000, 'the subagent to notice');
    await snmpd.restart();
    // Backoff is 1 s, 2 s, 4 s (reconnectMaxDelay 4 s here).
    await waitFor(() => sub.agent.counters.registrations > before, 10_000, 're-registration');
    const result = await walk();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').filter((line) => /\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line))).toEqual(ORIGINAL_NINE);
  }, 30_000);
});

describe('AgentX subagent with a Unix socket', () => {
  it('registers over snmpd’s Unix socket and answers a walk', async () => {
    requireSnmpd();
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-agentx-'));
    const snmpd = await startSnmpd({ agentxSocket: join(dir, 'master') });
    const sub = subagent(join(dir, 'master'));
    try {
      expect(await sub.agent.start()).toEqual({ registered: true });
      const result = await runTool('snmpwalk', ['-v2c', '-c', 'public', snmpd.target, '1.3.6.1.4.1.21600.1.5.1.1.1.2']);
      expect(result.stdout).toContain('STRING: "Proximity"');
    } finally {
      await sub.agent.stop();
      await snmpd.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

/** A scripted master on loopback TCP: accepts Open and Register, then lets the test send anything. */
class FakeMaster {
  readonly server: Server;
  readonly connections: Socket[] = [];
  readonly received: AgentxPdu[] = [];
  private framers = new Map<Socket, AgentxFramer>();

  constructor(readonly sessionId = 42) {
    this.server = createServer((socket) => {
      this.connections.push(socket);
      const framer = new AgentxFramer();
      this.framers.set(socket, framer);
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        for (const frame of framer.push(chunk)) {
          const pdu = decodePdu(frame.bytes);
          this.received.push(pdu);
          const echo = { sessionId: this.sessionId, transactionId: pdu.header.transactionId, packetId: pdu.header.packetId };
          if (pdu.kind === 'open' || pdu.kind === 'register') socket.write(encodeResponse(echo, {}));
        }
      });
    });
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `tcp:127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  get socket(): Socket {
    return this.connections.at(-1)!;
  }

  /** Sends one PDU and resolves with the subagent's Response to it (same packetID; undefined after timeoutMs). */
  async exchange(bytes: Buffer, timeoutMs = 1000): Promise<Extract<AgentxPdu, { kind: 'response' }> | undefined> {
    const count = this.received.length;
    const packetId = bytes[2]! & 0x10 ? bytes.readUInt32BE(12) : bytes.readUInt32LE(12);
    this.socket.write(bytes);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const reply = this.received.slice(count).find((pdu) => pdu.kind === 'response' && pdu.header.packetId === packetId);
      if (reply?.kind === 'response') return reply;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('AgentX subagent against a fake master sending malformed bytes', () => {
  let master: FakeMaster;
  let sub: ReturnType<typeof subagent>;

  afterEach(async () => {
    await sub?.agent.stop();
    await master?.close();
  });

  it('answers a bad PDU with parseError, counts it, and keeps serving', async () => {
    master = new FakeMaster();
    sub = subagent(await master.listen());
    expect(await sub.agent.start()).toEqual({ registered: true });
    expect(master.received.map((pdu) => pdu.kind)).toEqual(['open', 'register']);
    expect(master.received[1]).toMatchObject({ kind: 'register', subtree: TABLE, header: { sessionId: 42 } });
    const S = { sessionId: 42, transactionId: 1, packetId: 100 };

    // A Get whose OID claims 10 sub-identifiers but carries 2.
    const truncated = Buffer.from([
      0x01, 0x05, 0x10, 0x00,  0, 0, 0, 42,  0, 0, 0, 1,  0, 0, 0, 101,
      0, 0, 0, 16,             // payload 16 bytes
      0x0a, 0x04, 0x00, 0x00,  // start: n_subid 10 (!), prefix 4
      0, 0, 0, 1,  0, 0, 0x54, 0x60,
      0x00, 0x00, 0x00, 0x00,
    ]);
    expect(await master.exchange(truncated)).toMatchObject({ header: { packetId: 101 }, error: AgentxError.parseError });
    // A PDU of unknown type 99.
    const unknownType = encodeClose({ ...S, packetId: 102 }, 1);
    unknownType[1] = 99;
    expect(await master.exchange(unknownType)).toMatchObject({ header: { packetId: 102 }, error: AgentxError.parseError });
    // The wrong session.
    const wrongSession = encodeGet({ ...S, sessionId: 7, packetId: 103 }, AgentxType.Get, [{ start: [...TABLE, 1, 1], include: false, end: [] }]);
    expect(await master.exchange(wrongSession)).toMatchObject({ header: { packetId: 103 }, error: AgentxError.notOpen });
    // A Set is refused at TestSet.
    const testSet = encodeClose({ ...S, packetId: 104 }, 0);
    testSet[1] = AgentxType.TestSet;
    expect(await master.exchange(testSet)).toMatchObject({ header: { packetId: 104 }, error: AgentxError.notWritable, index: 1 });
    expect(sub.agent.counters.badPdus).toBe(3);

    // Still serving: a good GetNext and a good Get in one chunk.
    const good = Buffer.concat([
      encodeGet({ ...S, packetId: 105 }, AgentxType.GetNext, [{ start: [...TABLE, 2], include: false, end: [] }]),
      encodeGet({ ...S, packetId: 106 }, AgentxType.Get, [{ start: [...TABLE, 3, 1], include: false, end: [] }]),
    ]);
    const count = master.received.length;
    master.socket.write(good);
    await waitFor(() => master.received.length >= count + 2, 2000, 'two responses');
    expect(master.received.slice(count)).toMatchObject([
      { header: { packetId: 105 }, varbinds: [{ oid: [...TABLE, 2, 1], value: { type: 'string', value: 'Temperature' } }] },
      { header: { packetId: 106 }, varbinds: [{ oid: [...TABLE, 3, 1], value: { type: 'integer', value: 71 } }] },
    ]);
    expect(sub.logs.filter((log) => log.level === 'warn').length).toBeGreaterThan(0);
  });

  it('survives 500 well-framed PDUs with random payload bytes, then still answers', async () => {
    master = new FakeMaster();
    sub = subagent(await master.listen());
    await sub.agent.start();
    let state = 705;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    // No Close: a well-formed one would (rightly) end the session.
    const types = [AgentxType.Get, AgentxType.GetNext, AgentxType.GetBulk, AgentxType.Response, AgentxType.TestSet, 0, 99];
    const junk = Array.from({ length: 500 }, (_, i) => {
      const payload = Buffer.from(Array.from({ length: 4 * random(12) }, () => random(256)));
      const header = Buffer.alloc(20);
      header.set([1, types[i % types.length]!, random(2) ? 0x10 : 0x00, 0]);
      const big = (header[2]! & 0x10) !== 0;
      const put = (value: number, at: number) => (big ? header.writeUInt32BE(value, at) : header.writeUInt32LE(value, at));
      put(random(2) ? 42 : random(1000), 4);
      put(1000 + i, 12);
      put(payload.length, 16);
      return Buffer.concat([header, payload]);
    });
    master.socket.write(Buffer.concat(junk));
    const after = encodeGet({ sessionId: 42, transactionId: 0, packetId: 5000 }, AgentxType.Get, [{ start: [...TABLE, 2, 2], include: false, end: [] }]);
    expect(await master.exchange(after, 3000)).toMatchObject({ varbinds: [{ value: { type: 'string', value: 'Humidity' } }] });
    expect(sub.agent.registered).toBe(true);
    expect(sub.agent.counters.connects).toBe(1);
    expect(sub.agent.counters.internalErrors).toBe(0);
    expect(sub.agent.counters.badPdus).toBeGreaterThan(100);
  });

  it('drops a stream that lost its framing and reconnects; Close from the master also reconnects', async () => {
    master = new FakeMaster();
    sub = subagent(await master.listen());
    await sub.agent.start();
    master.socket.write(Buffer.from([0x07, 0x05, 0x10, 0x00, ...Array(16).fill(0xff)]));
    await waitFor(() => master.connections.length === 2 && sub.agent.registered, 5000, 'reconnection after garbage');
    expect(sub.agent.counters.badPdus).toBe(1);
    master.socket.write(encodeClose({ sessionId: 42, transactionId: 0, packetId: 1 }, 5));
    await waitFor(() => master.connections.length === 3 && sub.agent.registered, 5000, 'reconnection after Close');
    expect(sub.agent.counters).toMatchObject({ closesFromMaster: 1, registrations: 3 });
  }, 15_000);

  it('start() resolves registered: false when no master listens, and keeps retrying', async () => {
    master = new FakeMaster();
    const socket = await master.listen();
    await new Promise<void>((resolve) => master.server.close(() => resolve()));
    sub = subagent(socket);
    expect(await sub.agent.start()).toEqual({ registered: false });
    master.server.listen(Number(socket.split(':').at(-1)), '127.0.0.1');
    await waitFor(() => sub.agent.registered, 5000, 'registration once the master is up');
    expect(sub.agent.counters.connectFailures).toBeGreaterThanOrEqual(1);
  }, 10_000);

  it('stop() sends Close(shutdown)', async () => {
    master = new FakeMaster();
    sub = subagent(await master.listen());
    await sub.agent.start();
    await sub.agent.stop();
    await waitFor(() => master.received.some((pdu) => pdu.kind === 'close'), 2000, 'Close');
    expect(master.received.at(-1)).toMatchObject({ kind: 'close', reason: 5, header: { sessionId: 42 } });
  });
});
