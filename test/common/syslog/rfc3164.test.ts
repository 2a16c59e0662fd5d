/**
 * RFC 3164's TAG read by hand (rfc3164.ts readTag) against the regex it replaced, on generated
 * text built from what a tag is made of and what ends it: name and PID characters, `[`, `]`, `:`,
 * every character JavaScript's `\s` matches (ECMA-262 §12.2 WhiteSpace, §12.3 LineTerminator) and
 * some it does not, names and PIDs around their length limits (48, 128), and JavaScript-special
 * words. Real senders' tags are in the golden cases (test/golden/syslog/).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastTag, readTag } from '../../../src/common/syslog/rfc3164.js';

const TAG = /([^\s[\]:]{1,48})(?:\[([^\]\s]{1,128})\]:?|:)/y;

/** The regex's reading: end, name, pid. */
function byRegex(text: string, at: number): [number, string?, string?] {
  TAG.lastIndex = at;
  const m = TAG.exec(text);
  return m ? [at + m[0].length, m[1], m[2]] : [-1];
}

function byHand(text: string, at: number): [number, string?, string?] {
  const end = readTag(text, at);
  if (end < 0) return [-1];
  return [end, text.slice(at, lastTag.nameEnd), lastTag.pidStart < 0 ? undefined : text.slice(lastTag.pidStart, lastTag.pidEnd)];
}

const SPACES = ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
/** Near misses of `\s`: control and format characters that are not whitespace to a regex. */
const NOT_SPACES = ['\u0000', '\u0008', '\u000e', '\u001f', '\u0085', '\u180e', '\u200b', '\u2060', '\ud83c'];
const piece = fc.oneof(
  fc.constantFrom('[', ']', ':', ...SPACES, ...NOT_SPACES, '__proto__', 'constructor', 'toString', 'openvpn', '53530', '%SEC-6-IPACCESSLOGP'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: 40, max: 140 }).map((length) => 'n'.repeat(length)),
);
const text = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));

describe('RFC 3164 TAG', () => {
  it('read by hand exactly as the regex reads it, at any position', () => {
    fc.assert(
      fc.property(text, fc.nat(), (line, from) => {
        const at = line.length === 0 ? 0 : from % (line.length + 1);
        expect(byHand(line, at)).toEqual(byRegex(line, at));
      }),
      { numRuns: 20_000 },
    );
  });

  it('the limits: a name of 48 characters and a PID of 128 are a tag, one more of either is not', () => {
    for (const [line, expected] of [
      [`${'a'.repeat(48)}: x`, [49, 'a'.repeat(48), undefined]],
      [`${'a'.repeat(49)}: x`, [-1]],
      [`app[${'1'.repeat(128)}]: x`, [134, 'app', '1'.repeat(128)]],
      [`app[${'1'.repeat(129)}]: x`, [-1]],
      ['app[]: x', [-1]],
      ['app[12 3]: x', [-1]],
      ['app[[1]x', [7, 'app', '[1']],
      ['app\u00a0x: y', [-1]],
    ] as const)
      expect([line, byHand(line, 0)]).toEqual([line, expected]);
  });
});
