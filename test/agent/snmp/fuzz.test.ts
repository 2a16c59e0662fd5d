/**
 * Seeded fuzzing of our standalone agent over real UDP on 127.0.0.1, all with the valid community
 * `public` so packets reach as deep into the decoder and request handler as they can: random
 * bytes, valid requests (v1/v2c GET/GETNEXT/GETBULK, built with our encoder), the same truncated
 * and bit-flipped, and crafted ones (bad OIDs, hostile GETBULK fields, lengths, 64-bit integers,
 * indefinite lengths, v3 garbage). Then a real snmpwalk must still see the original nine lines,
 * every packet must be accounted for in exactly one counter, and no packet may have hit a bug.
 *
 * Reproduce a failure with the seed it prints: `FUZZ_SEED=1234 npx vitest run test/agent/snmp/fuzz.test.ts`.
 * Counts and correctness only; no timing assertions here (timings are bench/snmp-bench.ts's job).
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSnapshot } from '../../../src/agent/agent.js';
import { BerReader, Tag, encodeInteger, encodeNull, encodeOid, encodeString, sequence } from '../../../src/snmp/ber.js';
import { PduType, SnmpVersion } from '../../../src/snmp/message/message.js';
import { MAX_RESPONSE_BYTES } from '../../../src/snmp/responder/request-handler.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { BIG_BULK, CRASH_PACKETS, HUGE_BULK, PDU, request, tlv } from '../../helpers/snmp-packets.js';
import { requireNetSnmpTools, runTool, startSnmpAgent, type RunningSnmpAgent } from '../../helpers/snmp-tools.js';

const PACKETS = 5000;
/** Packets sent before waiting for the agent to account for all of them (keeps the socket buffers from overflowing). */
const BATCH = 50;
const RSS_GROWTH_LIMIT_MB = 50;
/** RSS is measured from here on: the first packets warm up V8 (compiled code, heap growth), which is not a leak. */
const WARM_UP = 1000;
const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32);

/** mulberry32: small, fast, good enough to pick packets; the same seed gives the same packets. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (below: number) => Math.floor(next() * below);
  return {
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes: (length: number) => Buffer.from(Array.from({ length }, () => int(256))),
  };
}
type Rng = ReturnType<typeof prng>;

const OID_STARTS = [
  [1, 3],
  [1, 3, 6, 1, 2, 1, 1],
  [1, 3, 6, 1, 2, 1, 1, 1, 0],
  [1, 3, 6, 1, 2, 1, 1, 7, 0],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 3, 1],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 9, 5],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 10],
  [1, 3, 6, 1, 6],
  [2, 999, 4294967295],
  [0, 0],
];

function randomOid(rng: Rng): number[] {
  const oid = [...rng.pick(OID_STARTS)];
  for (let extra = rng.int(4); extra > 0; extra--) oid.push(rng.pick([0, 1, 2, 3, 9, 127, 128, 16383, 16384, 2 ** 31, 4294967295]));
  return oid;
}

/** A well-formed v1/v2c request from our encoder (GETBULK in v1 is well-formed but unsupported). */
function validRequest(rng: Rng): Buffer {
  const version = rng.pick([SnmpVersion.v1, SnmpVersion.v2c]);
  const pduType = rng.pick([PduType.GetRequest, PduType.GetNextRequest, PduType.GetBulkRequest]);
  const bulk = pduType === PduType.GetBulkRequest;
  // One in 20: 60 × sysDescr.0, whose response (≈ 2.2 kB) cannot fit in 1472 bytes (tooBig, or a cut GETBULK).
  const oids =
    rng.int(20) === 0
      ? Array.from({ length: 60 }, () => [1, 3, 6, 1, 2, 1, 1, 1, 0])
      : Array.from({ length: 1 + rng.int(rng.int(4) === 0 ? 40 : 4) }, () => randomOid(rng));
  const varbinds = oids.map((oid) => sequence(Tag.Sequence, [encodeOid(oid), encodeNull()]));
  const requestId = rng.int(2 ** 32) - 2 ** 31;
  const field2 = bulk ? rng.pick([0, 1, 2, oids.length, 2 ** 31 - 1]) : 0;
  const field3 = bulk ? rng.pick([0, 1, 10, 50, 100_000, 2 ** 31 - 1]) : 0;
  const pdu = sequence(pduType, [encodeInteger(requestId), encodeInteger(field2), encodeInteger(field3), sequence(Tag.Sequence, varbinds)]);
  return sequence(Tag.Sequence, [encodeInteger(version), encodeString('public'), pdu]);
}

function truncated(rng: Rng): Buffer {
  const packet = validRequest(rng);
  return packet.subarray(0, rng.int(packet.length));
}

function bitFlipped(rng: Rng): Buffer {
  const packet = Buffer.from(validRequest(rng));
  for (let flips = 1 + rng.int(4); flips > 0; flips--) {
    const at = rng.int(packet.length);
    packet[at] = packet[at]! ^ (1 << rng.int(8));
  }
  return packet;
}

function randomBytes(rng: Rng): Buffer {
  const body = rng.bytes(rng.int(rng.int(4) === 0 ? 1500 : 64));
  // Half start like a message (30 LL 02 01 VV, version 0-3) so the decoder gets past the first bytes.
  if (rng.int(2) === 0) return body;
  return Buffer.concat([Buffer.from([0x30, Math.min(body.length + 3, 0x7f), 0x02, 0x01, rng.int(4)]), body]);
}

/** Hand-built hostile packets; lengths in hex comments where they are the point. */
function crafted(rng: Rng): Buffer {
  const n = () => rng.int(256);
  const cases: (() => Buffer)[] = [
    ...Object.values(CRASH_PACKETS).map((packet) => () => packet),
    () => HUGE_BULK,
    () => BIG_BULK,
    // First subidentifier ≥ 120 (first arc would read as 3 or more), with random arcs after it.
    () => request({ pdu: rng.pick([PDU.get, PDU.getNext, PDU.getBulk]), field3: [0x05], oids: [[120 + rng.int(8), n() & 0x7f, n() & 0x7f]] }),
    // First subidentifier far above 120 in multi-byte form: 0x81 0x80 0x00 = 16384.
    () => request({ pdu: PDU.getNext, oids: [[0x81, 0x80, 0x00, 0x01]] }),
    // 06 00: zero-length OID, alone or after a good one.
    () => request({ pdu: rng.pick([PDU.get, PDU.getNext, PDU.getBulk]), oids: [[0x2b], []] }),
    // GETBULK non-repeaters negative (FF = -1, 80 00 00 00 = -2^31), max-repetitions random.
    () => request({ pdu: PDU.getBulk, field2: rng.pick([[0xff], [0x80, 0x00, 0x00, 0x00]]), field3: [n() & 0x7f], oids: [[0x2b], [0x2b, 0x06]] }),
    // GETBULK max-repetitions 2^31-1 (7F FF FF FF) and 100000 (01 86 A0), negative (FF FF), several repeaters.
    () =>
      request({
        pdu: PDU.getBulk,
        field3: rng.pick([
          [0x7f, 0xff, 0xff, 0xff],
          [0x01, 0x86, 0xa0],
          [0xff, 0xff],
        ]),
        oids: [[0x2b], [0x2b, 0x06, 0x01], [0x2b, 0x06, 0x01, 0x04]],
      }),
    // 30 84 FF FF FF FF: a 4-byte length (4 GB); 30 83 FF FF FF: 16 MB; neither present.
    () =>
      Buffer.concat([
        Buffer.from(
          rng.pick([
            [0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            [0x30, 0x83, 0xff, 0xff, 0xff],
          ]),
        ),
        request().subarray(2),
      ]),
    // Outer length right, inner varbind list claiming 0x7F bytes that are not there.
    () => {
      const packet = Buffer.from(request({ oids: [[0x2b, 0x06]] }));
      // The packet ends 30 08 | 30 06 | 06 02 2b 06 | 05 00: the varbind list's length byte is 9th from the end.
      packet[packet.length - 9] = 0x7f;
      return packet;
    },
    // A varbind list with a long-form length 82 FF FF inside a short packet.
    () =>
      tlv(
        0x30,
        tlv(0x02, [1]),
        tlv(0x04, Buffer.from('public')),
        tlv(PDU.get, tlv(0x02, [1]), tlv(0x02, [0]), tlv(0x02, [0]), [0x30, 0x82, 0xff, 0xff, 0x30, 0x00]),
      ),
    // 64-bit (and 9-byte) integers in request-id, non-repeaters, max-repetitions, and as the version.
    () => request({ requestId: [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] }),
    () => request({ pdu: PDU.getBulk, field2: [0x00, 0x80, 0, 0, 0, 0, 0, 0], field3: [0x01, 0, 0, 0, 0, 0, 0, 0, 0] }),
    () => request({ version: 0x7f }),
    () => tlv(0x30, tlv(0x02, [0x80, 0, 0, 0, 0, 0, 0, 0]), tlv(0x04, Buffer.from('public'))),
    // Zero-length INTEGER (02 00) as request-id.
    () => request({ requestId: [] }),
    // Indefinite lengths (30 80 … 00 00) at the top and inside the PDU.
    () => Buffer.concat([Buffer.from([0x30, 0x80]), request().subarray(2), Buffer.from([0x00, 0x00])]),
    () => tlv(0x30, tlv(0x02, [1]), tlv(0x04, Buffer.from('public')), [PDU.get, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]),
    // SNMPv3 garbage: version 3 then random TLVs, or a header SEQUENCE with random contents.
    () => tlv(0x30, tlv(0x02, [3]), rng.bytes(rng.int(100))),
    () =>
      tlv(
        0x30,
        tlv(0x02, [3]),
        tlv(0x30, tlv(0x02, [n() & 0x7f]), tlv(0x02, [0x05, 0xdc]), tlv(0x04, [n()]), tlv(0x02, [3])),
        tlv(0x04, rng.bytes(20)),
        tlv(0x30, rng.bytes(30)),
      ),
    // Multi-byte tag (1F …) and a SET request (read-only agent).
    () => Buffer.from([0x3f, 0x81, 0x00, 0x02, 0x01, 0x01]),
    () => request({ pdu: PDU.set }),
    // Trailing bytes after a good message.
    () => Buffer.concat([request(), rng.bytes(1 + rng.int(8))]),
  ];
  return rng.pick(cases)();
}

const GENERATORS: Record<string, (rng: Rng) => Buffer> = { random: randomBytes, valid: validRequest, truncated, bitFlipped, crafted };

/** The original's nine lines for this snapshot (as in snmp-agent.test.ts), °F. */
function originalNineLines(snapshot: AgentSnapshot): string[] {
  const value = (quantity: string) => snapshot.quantities.find((q) => q.quantity === quantity)!.reading!.value;
  const row = (column: number, index: number, text: string) => `iso.3.6.1.4.1.21600.1.5.1.1.1.${column}.${index} = ${text}`;
  return [
    row(1, 1, 'INTEGER: 1'),
    row(1, 2, 'INTEGER: 2'),
    row(1, 3, 'INTEGER: 3'),
    row(2, 1, 'STRING: "Temperature"'),
    row(2, 2, 'STRING: "Humidity"'),
    row(2, 3, 'STRING: "Light"'),
    row(3, 1, `INTEGER: ${Math.round(value('temperature') * 1.8 + 32)}`),
    row(3, 2, `INTEGER: ${Math.round(value('humidity'))}`),
    row(3, 3, `INTEGER: ${Math.round(value('light'))}`),
  ];
}

/** Every packet lands in exactly one of these (internalErrors would be on top of requests). */
function accounted(agent: RunningSnmpAgent): number {
  const c = agent.agent.counters;
  return c.requests + c.malformed + c.unsupported + c.badCommunity + c.badSource + c.internalErrors;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

/** A reply must be a whole v1/v2c Response (A2) with community public, in one unfragmented datagram. */
function replyProblem(reply: Buffer): string | undefined {
  if (reply.length > MAX_RESPONSE_BYTES) return `reply of ${reply.length} bytes`;
  try {
    const outer = new BerReader(reply);
    const message = outer.readSequence();
    if (!outer.done) return 'trailing bytes';
    const version = message.readInteger();
    if (version !== 0 && version !== 1) return `version ${version}`;
    if (message.read(Tag.OctetString).value.toString() !== 'public') return 'community';
    if (message.read(PduType.Response).value.length === 0) return 'empty PDU';
    return message.done ? undefined : 'trailing bytes after the PDU';
  } catch (error) {
    return String(error);
  }
}

describe(`fuzzing the SNMP agent over UDP (FUZZ_SEED=${SEED})`, () => {
  let agent: RunningSnmpAgent;
  let snapshot: AgentSnapshot;

  beforeAll(async () => {
    requireNetSnmpTools();
    const fixture = await agentFixture();
    snapshot = await fixture.poll();
    agent = await startSnmpAgent({ snapshot: () => snapshot });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it(`survives ${PACKETS} seeded packets with the valid community and still serves the table`, async () => {
    process.stdout.write(`snmp-fuzz: FUZZ_SEED=${SEED}\n`);
    const rng = prng(SEED);
    const client = createSocket('udp4');
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
    const replies: Buffer[] = [];
    const badReplies: string[] = [];
    client.on('message', (reply) => {
      replies.push(reply);
      const problem = replyProblem(reply);
      if (problem && badReplies.length < 5) badReplies.push(`${problem}: ${reply.toString('hex').slice(0, 120)}`);
    });
    const sentByKind: Record<string, number> = {};
    let sent = 0;
    let lost = false;
    let rssBefore = process.memoryUsage().rss;
    const kinds = Object.keys(GENERATORS);
    try {
      while (sent < PACKETS && !lost) {
        for (let i = 0; i < BATCH && sent < PACKETS; i++, sent++) {
          const kind = rng.pick(kinds);
          sentByKind[kind] = (sentByKind[kind] ?? 0) + 1;
          client.send(GENERATORS[kind]!(rng), agent.port, '127.0.0.1');
        }
        lost = !(await until(() => accounted(agent) === sent && replies.length === agent.agent.counters.responses, 5_000));
        if (sent === WARM_UP) rssBefore = process.memoryUsage().rss;
      }
    } finally {
      client.close();
    }
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const counters = agent.agent.counters;
    const context = `FUZZ_SEED=${SEED} sent=${sent} ${JSON.stringify(sentByKind)} counters=${JSON.stringify(counters)} replies=${replies.length}`;
    process.stdout.write(`snmp-fuzz: ${context} rssGrowthAfterWarmUp=${rssGrowthMb.toFixed(1)}MB\n`);

    expect(counters.internalErrors, context).toBe(0);
    expect(lost, `agent stopped accounting for packets: ${context}`).toBe(false);
    // Each packet counted exactly once; each allowed request answered exactly once, and nothing failed to send.
    expect(accounted(agent), context).toBe(PACKETS);
    expect(counters.responses, context).toBe(counters.requests);
    expect(replies.length, context).toBe(counters.responses);
    expect(counters.sendErrors, context).toBe(0);
    expect(counters.badSource, context).toBe(0);
    expect(badReplies, context).toEqual([]);
    // The mix really exercised every path.
    expect(counters.requests, context).toBeGreaterThan(PACKETS / 10);
    expect(counters.malformed, context).toBeGreaterThan(PACKETS / 10);
    expect(counters.unsupported, context).toBeGreaterThan(0);
    expect(counters.tooBig, context).toBeGreaterThan(0);
    expect(rssGrowthMb, context).toBeLessThan(RSS_GROWTH_LIMIT_MB);

    const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-t', '2', '-r', '0', agent.target, TABLE]);
    expect(walk.stderr, context).toBe('');
    const original = walk.stdout.split('\n').filter((line) => /\.21600\.1\.5\.1\.1\.1\.[123]\.[123] = /.test(line));
    expect(original, context).toEqual(originalNineLines(snapshot));
    expect(agent.agent.counters.internalErrors, context).toBe(0);
  });
});
