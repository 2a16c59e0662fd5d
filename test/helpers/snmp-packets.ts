/**
 * Hand-built SNMP request datagrams, for the packets the Net-SNMP tools refuse to send.
 * Built byte by byte (not with src/snmp/ber.ts) so a bug in our encoder cannot hide one
 * in our decoder. Lengths here are always short-form (< 128 bytes).
 */

/** tag, length, contents: one BER TLV with a short-form length. */
export function tlv(tag: number, ...contents: (number[] | Buffer)[]): Buffer {
  const body = Buffer.concat(contents.map((c) => Buffer.from(c)));
  if (body.length > 127) throw new Error('test packets use short-form lengths only');
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}

export const PDU = { get: 0xa0, getNext: 0xa1, set: 0xa3, getBulk: 0xa5 } as const;

/** OID 1.3.6.1.2.1.1.1.0 (sysDescr.0): 0x2b = 1*40+3, then 6 1 2 1 1 1 0. */
export const SYS_DESCR_OID = [0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];

export interface RequestParts {
  /** 0 = v1, 1 = v2c. */
  version?: number;
  community?: string;
  pdu?: number;
  /** INTEGER contents of request-id, then error-status/non-repeaters, then error-index/max-repetitions. */
  requestId?: number[];
  field2?: number[];
  field3?: number[];
  /** Contents of each varbind's OID TLV (the value is always NULL, 05 00). */
  oids?: number[][];
}

export function request(parts: RequestParts = {}): Buffer {
  const varbinds = (parts.oids ?? [SYS_DESCR_OID]).map((oid) => tlv(0x30, /* varbind */ tlv(0x06, oid), /* NULL */ [0x05, 0x00]));
  return tlv(
    0x30, // message SEQUENCE
    tlv(0x02, [parts.version ?? 1]), // version
    tlv(0x04, Buffer.from(parts.community ?? 'public')), // community
    tlv(
      parts.pdu ?? PDU.get,
      tlv(0x02, parts.requestId ?? [0x01]), // request-id
      tlv(0x02, parts.field2 ?? [0x00]), // error-status / non-repeaters
      tlv(0x02, parts.field3 ?? [0x00]), // error-index / max-repetitions
      tlv(0x30, ...varbinds), // varbind list
    ),
  );
}

/** The packets that each killed net-snmp 3.29's Agent (see test/snmp/net-snmp-defects.test.ts). */
export const CRASH_PACKETS: Record<string, Buffer> = {
  // First subidentifier 0x78 = 120: BER for 2.40, which a floor(v/40) decoder reads as "3.0".
  'OID whose first arc decodes as 3': request({ pdu: PDU.get, oids: [[0x78, 0x01, 0x02]] }),
  // 06 00: an OID with no subidentifiers at all.
  'zero-length OID': request({ pdu: PDU.get, oids: [[]] }),
  // non-repeaters 0xFF = -1, max-repetitions 10.
  'GETBULK with negative non-repeaters': request({ pdu: PDU.getBulk, field2: [0xff], field3: [0x0a] }),
};

/** max-repetitions 2^31-1 (02 04 7F FF FF FF), one repeater from sysDescr.0. */
export const HUGE_BULK = request({ pdu: PDU.getBulk, field2: [0x00], field3: [0x7f, 0xff, 0xff, 0xff] });

/** max-repetitions 100000 (02 03 01 86 A0), one repeater from the start of the MIB (1.3). */
export const BIG_BULK = request({ pdu: PDU.getBulk, field2: [0x00], field3: [0x01, 0x86, 0xa0], oids: [[0x2b]] });

/** Varbinds in a response: SEQUENCE headers (30 LL) directly followed by an OID tag (06). */
export function countVarbinds(reply: Buffer): number {
  let count = 0;
  for (let i = 0; i + 2 < reply.length; i++) {
    if (reply[i] === 0x30 && reply[i + 1]! < 0x80 && reply[i + 2] === 0x06) count++;
  }
  return count;
}
