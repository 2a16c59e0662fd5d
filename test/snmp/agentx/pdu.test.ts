/** The AgentX PDU codec (RFC 2741 §6) and stream framer, byte by byte. */
import { describe, expect, it } from 'vitest';
import {
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
} from '../../../src/snmp/agentx/pdu.js';
import { parseOid } from '../../../src/snmp/oid.js';

const H = { sessionId: 7, transactionId: 8, packetId: 9 };
/** The agent's sensorEntry, as an example subtree. */
const TABLE = parseOid('1.3.6.1.4.1.21600.1.5.1.1.1');

describe('AgentX PDU codec', () => {
  it('encodes Open in network byte order with the 1.3.6.1 prefix compressed', () => {
    const bytes = encodeOpen({ sessionId: 0, transactionId: 0, packetId: 1 }, { timeout: 5, id: parseOid('1.3.6.1.4.1.21600'), descr: 'ab' });
    expect([...bytes]).toEqual([
      0x01,
      0x01,
      0x10,
      0x00, // h.version 1, h.type Open, h.flags NETWORK_BYTE_ORDER, reserved
      0,
      0,
      0,
      0, // h.sessionID
      0,
      0,
      0,
      0, // h.transactionID
      0,
      0,
      0,
      1, // h.packetID 1
      0,
      0,
      0,
      24, // h.payload_length: 4 + 12 + 8
      0x05,
      0,
      0,
      0, // o.timeout 5 s, reserved
      0x02,
      0x04,
      0x00,
      0x00, // o.id: n_subid 2, prefix 4 (1.3.6.1.4), include 0, reserved
      0,
      0,
      0,
      1, //   .1
      0,
      0,
      0x54,
      0x60, //   .21600
      0,
      0,
      0,
      2, // o.descr length 2
      0x61,
      0x62,
      0,
      0, //   "ab" + 2 bytes padding
    ]);
    expect(decodePdu(bytes)).toMatchObject({ kind: 'open', timeout: 5, id: parseOid('1.3.6.1.4.1.21600'), descr: 'ab' });
  });

  it('reads little-endian PDUs (NETWORK_BYTE_ORDER clear), as a master may send', () => {
    const bytes = Buffer.from([
      0x01,
      0x06,
      0x00,
      0x00, // version 1, GetNext, flags 0: little-endian
      7,
      0,
      0,
      0, // sessionID 7
      8,
      0,
      0,
      0, // transactionID 8
      9,
      0,
      0,
      0, // packetID 9
      16,
      0,
      0,
      0, // payload 16 bytes
      0x02,
      0x04,
      0x01,
      0x00, // start: 2 subids, prefix 4, include 1
      1,
      0,
      0,
      0, //   .1
      0x60,
      0x54,
      0,
      0, //   .21600
      0x00,
      0x00,
      0x00,
      0x00, // end: null OID
    ]);
    expect(decodePdu(bytes)).toMatchObject({ kind: 'getNext', header: H, ranges: [{ start: parseOid('1.3.6.1.4.1.21600'), include: true, end: [] }] });
  });

  it('round-trips Register, Close, GetBulk and Responses with every value type we send', () => {
    expect(decodePdu(encodeRegister(H, { subtree: TABLE }))).toMatchObject({ kind: 'register', priority: 127, subtree: TABLE, upperBound: undefined });
    expect(decodePdu(encodeClose(H, 5))).toMatchObject({ kind: 'close', reason: 5 });
    const ranges = [{ start: TABLE, include: false, end: [] }];
    expect(decodePdu(encodeGetBulk(H, { nonRepeaters: 0, maxRepetitions: 10, ranges }))).toMatchObject({
      kind: 'getBulk',
      nonRepeaters: 0,
      maxRepetitions: 10,
      ranges,
    });
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
      encodeGetBulk(H, {
        nonRepeaters: 1,
        maxRepetitions: 5,
        ranges: [
          { start: TABLE, include: false, end: [] },
          { start: [...TABLE, 2], include: false, end: [] },
        ],
      }),
      encodeResponse(H, {
        varbinds: [
          { oid: [...TABLE, 2, 1], value: { type: 'string', value: 'Temperature' } },
          { oid: [1, 3], value: { type: 'oid', value: TABLE } },
        ],
      }),
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
