/**
 * The literal a rule regex's matches must contain, tested with `includes` before the regex runs
 * (rules/match.ts). Regex syntax as ECMAScript defines it (ECMA-262 §22.2.1, Patterns; Annex
 * B.1.2 for `{` and `]` as literals and `[]` as an empty class without the `u` flag).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRuleRegex, messagePrefilter } from '../../../src/analyzer/rules/regex.js';

const required = (source: string) => messagePrefilter(new RegExp(source)).required;

describe('messagePrefilter', () => {
  it('takes the longest literal run at the top level', () => {
    expect(required("user '(?<user>[^']+)' address '(?<ip>[^':]+):\\d+' - connected")).toBe("' - connected");
    expect(required('4624: .*Logon ID: (?<id>0x[0-9a-f]+)$')).toBe('Logon ID: ');
    expect(required('SRC=(?<src>[\\d.]+) .*DPT=(?<port>22)\\b')).toBe('SRC=');
    expect(required('^STATUS \\[x\\] \\(ok\\)')).toBe('STATUS [x] (ok)');
  });

  it('leaves out what may be absent or is not literal: quantified characters, escapes of letters, groups, classes, alternatives, flags', () => {
    expect(required('abcd?ef')).toBe('abc');
    expect(required('abcd*xy')).toBe('abc');
    expect(required('abcd{0,2}xy')).toBe('abc');
    expect(required('xyz{2}abc')).toBe('xyz');
    expect(required('ab+cdef')).toBe('cdef');
    expect(required('abcd+?e')).toBe('abcd');
    expect(required('\\d\\w\\sab\\bcd')).toBe('');
    expect(required('(?:abcdef)?gh')).toBe('');
    expect(required('[abcdef]+gh')).toBe('');
    expect(required('abcdef|xyz')).toBe('');
    expect(required('(abc|def)ghij')).toBe('ghij');
    expect(required('[]]abcd')).toBe(']abcd'); // `[]` is an empty class; the `]` after it a literal
    expect(required('a{x}bcd')).toBe('bcd'); // `{` that is no quantifier: a literal, but left out
    expect(messagePrefilter(/abcdef/i).required).toBe('');
    expect(messagePrefilter(/.*/).matchesAll).toBe(true);
    expect(messagePrefilter(/.*x/).matchesAll).toBe(false);
  });

  it('never rules out a message its regex matches: the shipped, the bench and crafted regexes on generated messages', () => {
    const shipped = [...readFileSync(new URL('../../../config/rules.example.yaml', import.meta.url), 'utf8').matchAll(/regex: "((?:[^"\\]|\\.)*)"/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    // The bench's (bench/analyzer-rules-20.ts) and crafted ones.
    const crafted = [
      'SRC=(?<src>[\\d.]+) .*DPT=(?<port>22)\\b',
      '4624: .*Logon ID: (?<id>0x[0-9a-f]*3)$',
      'PROTO=(?<proto>UDP|ICMP) .*1$',
      'a+b+c',
      'x{2,}yz',
      'ab?c?d',
      '(?<n>\\d+) items',
      'é+tü',
      'a\\.b\\*c',
      'ab\\]c\\[',
      '[^]abc',
      'a\\u0041bc',
      '\\x41BCD',
      'a\\/b\\/c',
      'line\\s+end',
      'ab|cd',
    ];
    const sources = [...shipped, ...crafted];
    expect(shipped.length).toBeGreaterThanOrEqual(5);
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = "abcdéüxyzAB0123456789 .*[]\\/:='-_|()";
    let matched = 0;
    for (const source of sources) {
      const regex = compileRuleRegex(source);
      if (!(regex instanceof RegExp)) throw new Error(`${source}: ${regex.error}`);
      const { required: literal } = messagePrefilter(regex);
      // Messages: random text, and random text around pieces of the regex's own source (so many match).
      const pieces = source
        .replace(/\\./g, (e) => e[1]!)
        .split(/[()[\]?*+{}|^$]/)
        .filter(Boolean);
      for (let i = 0; i < 3000; i++) {
        const noise = () => Array.from({ length: Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
        const message = Array.from(
          { length: 1 + Math.floor(random() * 4) },
          () => noise() + (random() < 0.8 ? (pieces[Math.floor(random() * pieces.length)] ?? '') : ''),
        ).join('');
        if (regex.test(message)) {
          matched++;
          expect(message.includes(literal), `${source} on ${JSON.stringify(message)}`).toBe(true);
        }
      }
    }
    expect(matched).toBeGreaterThan(500);
  });
});
