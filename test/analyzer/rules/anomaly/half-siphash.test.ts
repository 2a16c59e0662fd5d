/**
 * halfSipHash13 (what KeySlots uses) against published test vectors: Linux's HalfSipHash-1-3,
 * with the key bytes 00..07 and the message bytes 00..n-1 for n from 0 to 63. A string is two
 * bytes a code unit, so only the even lengths apply: n = 2 × the string's length, its code unit i
 * being the bytes 2i (low) and 2i + 1 (high). They
 * cover a message ending on a whole 32-bit word (n ≡ 0 mod 4) and one ending in a two-byte tail
 * (n ≡ 2 mod 4), from the empty message to 15 words.
 */
import { describe, expect, it } from 'vitest';
import { halfSipHash13 } from '../../../../src/analyzer/rules/anomaly/half-siphash.js';

/** The key bytes 00..07 as two little-endian 32-bit words. */
const K0 = 0x0302_0100;
const K1 = 0x0706_0504;

/**
 * HalfSipHash-1-3, 32-bit output, by message length in bytes (even lengths only): Linux's
 * `test_vectors_hsiphash` for 32-bit builds (the `#else` of `BITS_PER_LONG == 64`, where
 * lib/siphash.c's hsiphash is HalfSipHash-1-3; on 64-bit builds it is SipHash-1-3 instead), in
 * github.com/torvalds/linux, file `lib/tests/siphash_kunit.c` (commit
 * 4f9786035f9e519db41375818e1d0b5f20da2f10; formerly lib/test_siphash.c), key
 * {{ 0x03020100U, 0x07060504U }}, in[i] = i.
 */
const HALF_SIPHASH_1_3 = new Map<number, number>([
  [0, 0x5814c896],
  [2, 0xbc4b0e30],
  [4, 0x7e059ea6],
  [6, 0xa0080b65],
  [8, 0x577999b1],
  [10, 0xe4fa32cf],
  [12, 0x6b28096c],
  [14, 0x16658a7c],
  [16, 0x8b31d501],
  [18, 0x06712339],
  [20, 0x911bb605],
  [22, 0xf826ef7b],
  [24, 0x57150ad7],
  [26, 0x1ec47442],
  [28, 0x0a4100d0],
  [30, 0x2331b6a3],
  [32, 0xbc6dda8d],
  [34, 0xb0652033],
  [36, 0x7c46fb7f],
  [38, 0xf142997a],
  [40, 0x05327eb2],
  [42, 0xf9e5e7c0],
  [44, 0x11795ab1],
  [46, 0x9f5fff91],
  [48, 0x007783eb],
  [50, 0xab639262],
  [52, 0xc368dda6],
  [54, 0xfa13d379],
  [56, 0x53ecd77e],
  [58, 0x33dbb66a],
  [60, 0x88b4c4cc],
  [62, 0x74c1ebf8],
]);

/** The message bytes 00..bytes-1 as a string of bytes / 2 UTF-16 code units (little-endian). */
const message = (bytes: number): string => String.fromCharCode(...Array.from({ length: bytes / 2 }, (_, i) => (2 * i) | ((2 * i + 1) << 8)));

describe('halfSipHash13', () => {
  it.each([...HALF_SIPHASH_1_3])('of %i bytes is Linux’s hsiphash vector (32-bit builds)', (bytes, expected) => {
    expect(halfSipHash13(message(bytes), K0, K1) >>> 0).toBe(expected);
  });

  it('returns an int32, as KeySlots keeps its hashes in an Int32Array and compares them with ===', () => {
    const hashes = [...HALF_SIPHASH_1_3.keys()].map((bytes) => halfSipHash13(message(bytes), K0, K1));
    expect(hashes.some((hash) => hash < 0)).toBe(true);
    for (const hash of hashes) expect(hash).toBe(hash | 0);
  });

  it('takes every code unit whole: its high byte, the odd last one, a lone surrogate, a NUL at the end', () => {
    const hash = (text: string) => halfSipHash13(text, K0, K1);
    // A code unit's high byte, at the end (the tail) and in a whole word.
    expect(hash('a')).not.toBe(hash('\u0161'));
    expect(hash('ab')).not.toBe(hash('\u0161b'));
    expect(hash('ab')).not.toBe(hash('a\u0162'));
    // The length counts: a trailing NUL code unit is not the same message.
    expect(hash('')).not.toBe(hash('\u0000'));
    expect(hash('a')).not.toBe(hash('a\u0000'));
    // Lone surrogates are code units like any other, not replaced by U+FFFD as an encoding to UTF-8 would.
    expect(hash('\ud800')).not.toBe(hash('\udc00'));
    expect(hash('\ud800')).not.toBe(hash('\ufffd'));
  });

  it('depends on both halves of the key', () => {
    const text = 'host-1.example';
    expect(halfSipHash13(text, K0, K1)).not.toBe(halfSipHash13(text, K0 ^ 1, K1));
    expect(halfSipHash13(text, K0, K1)).not.toBe(halfSipHash13(text, K0, K1 ^ (1 << 31)));
  });
});
