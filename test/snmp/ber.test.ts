/** The BER subset (X.690) SNMP uses, without sockets. */
import { describe, expect, it } from 'vitest';
import { BerError, decodeInteger, decodeOid, encodeInteger, encodeOid } from '../../src/snmp/ber.js';

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
