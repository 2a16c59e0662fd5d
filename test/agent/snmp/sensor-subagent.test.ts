/**
 * The agent as an AgentX subagent (sensor-subagent.ts over src/snmp/agentx/subagent.ts): its
 * answers from the sensor table's view, then against a real Net-SNMP snmpd (`master agentx`)
 * through the real snmpwalk/snmpget, then against a scripted fake master over loopback TCP
 * sending malformed bytes. The PDU codec and framer alone: test/snmp/agentx/.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot, QuantityState } from '../../../src/agent/agent.js';
import type { Quantity } from '../../../src/agent/readings/quantities.js';
import { systemClock, ManualClock, type Clock } from '../../../src/common/clock.js';
import { createLogger, type LogLevel } from '../../../src/common/logger.js';
import { agentxConfigSchema } from '../../../src/snmp/agentx/config.js';
import { answerGetBulk, answerGetNext } from '../../../src/snmp/agentx/handler.js';
import { AgentxError, AgentxFramer, AgentxType, decodePdu, encodeClose, encodeGet, encodeResponse, type AgentxPdu } from '../../../src/snmp/agentx/pdu.js';
import { encodeVarbind } from '../../../src/snmp/message/message.js';
import { SENSOR_ENTRY_OID } from '../../../src/agent/snmp/envirowatch-oids.js';
import { sensorSubagent, sensorTableView } from '../../../src/agent/snmp/sensor-subagent.js';
import { requireSnmpd, startSnmpd, type RunningSnmpd } from '../../helpers/snmpd.js';
import { request } from '../../helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, v3Args, TEST_V3_USER, toolCredentials } from '../../helpers/snmp-tools.js';
import { testMibOptions } from '../../helpers/snmp-test-mib.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const sensorOf = (quantity: Quantity) => (['light', 'proximity'].includes(quantity) ? 'ltr559' : 'bme280');
function state(quantity: Quantity, value: number, ageMs = 0): QuantityState {
  return { quantity, sensor: sensorOf(quantity), reading: { quantity, value, raw: value, timestamp: NOW - ageMs }, level: 'ok', status: 'ok' } as QuantityState;
}
/** 21.5 °C = 70.7 °F → 71; 40.4 %RH → 40; 123.4 lux → 123. */
const SNAPSHOT: AgentSnapshot = {
  timestamp: NOW,
  quantities: [
    state('temperature', 21.5, 3000),
    state('humidity', 40.4, 3000),
    state('light', 123.4, 3000),
    state('pressure', 1013.25, 3000),
    state('proximity', 7, 3000),
  ],
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

const V3_USER = TEST_V3_USER;
const V3_TOOL = toolCredentials(V3_USER);

/** Real timers for timeouts and backoff; the wall clock fixed at NOW so the age column is deterministic. */
const fixedWallClock: Clock = { now: () => NOW, monotonic: () => systemClock.monotonic(), sleep: (ms, signal) => systemClock.sleep(ms, signal) };

function subagent(socket: string, extra: Record<string, string> = {}) {
  const logs: { level: LogLevel; line: string }[] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
  const config = agentxConfigSchema.parse({ socket, timeout: '2s', reconnectMaxDelay: '4s', ...extra });
  const agent = sensorSubagent({ config, snapshot: () => SNAPSHOT, units: { temperature: 'fahrenheit' }, thresholds: {}, logger, clock: fixedWallClock });
  return { agent, logs };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const TABLE = SENSOR_ENTRY_OID;

describe('AgentX request answers (same view as the standalone agent)', () => {
  const view = sensorTableView({ snapshot: SNAPSHOT, units: { temperature: 'fahrenheit' }, thresholds: {}, now: NOW });

  it('GetNext honours include and the exclusive end of the search range', () => {
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 1], include: true, end: [] }])[0]!.oid).toEqual([...TABLE, 1, 1]);
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 1], include: false, end: [] }])[0]!.oid).toEqual([...TABLE, 1, 2]);
    expect(answerGetNext(view, [{ start: [...TABLE, 1, 5], include: false, end: [...TABLE, 2] }])[0]).toEqual({
      oid: [...TABLE, 1, 5],
      value: { type: 'endOfMibView' },
    });
  });

  it('GetBulk with a huge max-repetitions stops after the view ends', () => {
    const varbinds = answerGetBulk(view, { nonRepeaters: 0, maxRepetitions: 65535, ranges: [{ start: TABLE, include: false, end: [] }] });
    expect(varbinds).toHaveLength(45 + 1);
    expect(varbinds.at(-1)!.value.type).toBe('endOfMibView');
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
          if (tool === 'snmptable')
            expect(answers(viaSnmpd.stdout).slice(0, 5)).toEqual([
              'SNMP table: ENVIROWATCH-TEST-MIB::sensorTable',
              'sensorIndex,sensorType,sensorValue',
              expect.stringMatching(/^1,"Temperature",-?\d+$/),
              expect.stringMatching(/^2,"Humidity",\d+$/),
              expect.stringMatching(/^3,"Light",\d+$/),
            ]);
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
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => runTool('snmpget', ['-v2c', '-c', 'public', '-t', '5', '-r', '0', snmpd.target, oids[i % oids.length]!])),
    );
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
  ])(
    'reconnects and re-registers after snmpd is stopped (%s) and started again on the same ports',
    async (_signal, hard) => {
      const before = sub.agent.counters.registrations;
      await snmpd.kill(hard);
      await waitFor(() => !sub.agent.registered, 5000, 'the subagent to notice');
      await snmpd.restart();
      // Backoff is 1 s, 2 s, 4 s (reconnectMaxDelay 4 s here).
      await waitFor(() => sub.agent.counters.registrations > before, 10_000, 're-registration');
      const result = await walk();
      expect(result.code, result.stderr).toBe(0);
      expect(
        result.stdout
          .trim()
          .split('\n')
          .filter((line) => /\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line)),
      ).toEqual(ORIGINAL_NINE);
    },
    30_000,
  );
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
      0x01,
      0x05,
      0x10,
      0x00,
      0,
      0,
      0,
      42,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      101,
      0,
      0,
      0,
      16, // payload 16 bytes
      0x0a,
      0x04,
      0x00,
      0x00, // start: n_subid 10 (!), prefix 4
      0,
      0,
      0,
      1,
      0,
      0,
      0x54,
      0x60,
      0x00,
      0x00,
      0x00,
      0x00,
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
