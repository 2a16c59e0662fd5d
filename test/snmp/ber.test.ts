/** The BER subset (X.690) SNMP uses, without sockets. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BerError, BerReader, decodeInteger, decodeOid, encodeInteger, encodeOid, sequence, Tag, tlvSize } from '../../src/snmp/ber.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('BER integers', () => {
  it.each([
    [0, '02 01 00'],
    [127, '02 01 7f'],
    [128, '02 02 00 80'], // leading 00 keeps it positive
    [-1, '02 01 ff'],
    [-129, '02 02 ff 7f'],
    [2 ** 31 - 1, '02 04 7f ff ff ff'],
    [-(2 ** 31), '02 04 80 00 00 00'],
  ])('%i ⇄ %s', (value, encoded) => {
    expect(encodeInteger(value)).toEqual(hex(encoded));
    expect(decodeInteger(hex(encoded).subarray(2))).toBe(value);
  });

  it("encodes any integer up to 6 bytes in the shortest two's complement form (X.690 §8.3.2)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 47), max: 2 ** 47 - 1 }), fc.constantFrom(Tag.Integer, Tag.Counter32, Tag.TimeTicks), (value, tag) => {
        const encoded = encodeInteger(value, tag);
        const length = encoded[1]!;
        expect([encoded[0], encoded.length]).toEqual([tag, 2 + length]);
        expect(encoded.readIntBE(2, length)).toBe(value);
        // §8.3.2: the first nine bits of a longer encoding are neither all ones nor all zeros.
        if (length > 1) expect([0x0000, 0xff80]).not.toContain(((encoded[2]! << 8) | encoded[3]!) & 0xff80);
      }),
    );
    expect(encodeInteger(2 ** 32 - 1, Tag.Counter32)).toEqual(hex('41 05 00 ff ff ff ff'));
  });

  it('rejects empty and out-of-Integer32 contents', () => {
    expect(() => decodeInteger(Buffer.alloc(0))).toThrow(BerError);
    expect(() => decodeInteger(hex('00 80 00 00 00'))).toThrow(/outside Integer32/); // 2^31
  });
});

describe('BER OIDs', () => {
  it('round-trips 1.3.6.1.4.1.21600.1.5 (21600 = 81 a8 60 in base 128)', () => {
    expect(encodeOid([1, 3, 6, 1, 4, 1, 21600, 1, 5])).toEqual(hex('06 0a 2b 06 01 04 01 81 a8 60 01 05'));
    expect(decodeOid(hex('2b 06 01 04 01 81 a8 60 01 05'))).toEqual([1, 3, 6, 1, 4, 1, 21600, 1, 5]);
  });

  it('round-trips any OID of SMI subidentifiers (below 2^32) through encodeOid and decodeOid', () => {
    const oid = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 20 }))
      .map(([first, second, rest]) => [first, second, ...rest]);
    fc.assert(
      fc.property(oid, (arcs) => {
        const encoded = new BerReader(encodeOid(arcs)).read(Tag.Oid);
        expect(decodeOid(encoded.value)).toEqual(arcs);
      }),
    );
  });

  it('reads a first subidentifier ≥ 80 as arc 2 (0x78 = 120 is 2.40), never as arc 3', () => {
    expect(decodeOid(hex('78 01'))).toEqual([2, 40, 1]);
  });

  it('rejects zero-length, truncated, padded and over-large subidentifiers', () => {
    expect(() => decodeOid(Buffer.alloc(0))).toThrow(/zero-length/);
    expect(() => decodeOid(hex('2b 86'))).toThrow(/truncated/); // continuation bit on the last byte
    expect(() => decodeOid(hex('2b 80 01'))).toThrow(/padded/);
    expect(() => decodeOid(hex('2b 90 80 80 80 00'))).toThrow(/2\^32-1/); // 2^32
    expect(decodeOid(hex('2b 8f ff ff ff 7f'))).toEqual([1, 3, 2 ** 32 - 1]);
  });
});

describe('BER lengths', () => {
  // X.690 §8.1.3: short form below 128, else 0x80 | the number of length bytes, then those bytes.
  it.each([
    [0, '30 00'],
    [127, '30 7f'],
    [128, '30 81 80'],
    [255, '30 81 ff'],
    [256, '30 82 01 00'],
    [65_535, '30 82 ff ff'],
    [65_536, '30 83 01 00 00'],
  ])('%i content bytes: header %s', (length, header) => {
    const encoded = sequence(Tag.Sequence, [Buffer.alloc(length - (length >> 1), 1), Buffer.alloc(length >> 1, 2)]);
    expect(encoded.subarray(0, encoded.length - length)).toEqual(hex(header));
    expect(encoded.length).toBe(tlvSize(length));
    expect(new BerReader(encoded).read(Tag.Sequence).value).toEqual(Buffer.concat([Buffer.alloc(length - (length >> 1), 1), Buffer.alloc(length >> 1, 2)]));
  });
});
