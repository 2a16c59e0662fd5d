/**
 * The literals a rule regex's matches must contain, tested with `includes` before the regex runs
 * (rules/match.ts). Regex syntax as ECMAScript defines it (ECMA-262 §22.2.1, Patterns; Annex
 * B.1.2 for `{` and `]` as literals and `[]` as an empty class without the `u` flag).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRuleRegex, messagePrefilter } from '../../../src/analyzer/rules/regex.js';

const required = (source: string) => messagePrefilter(new RegExp(source)).required;

describe('messagePrefilter', () => {
  it('takes every literal run of 3 or more, the longest first, reading a group that must match once as part of its surroundings', () => {
    expect(required("user '(?<user>[^']+)' address '(?<ip>[^':]+):\\d+' - connected")).toEqual(["' - connected", "' address '", "user '"]);
    // A timer's start and end share `Logon ID: 0x`; `4624: ` and `4634: ` tell them apart before either regex runs.
    expect(required('4624: .*Logon ID: (?<id>0x[0-9a-f]+)$')).toEqual(['Logon ID: 0x', '4624: ']);
    expect(required('SRC=(?<src>[\\d.]+) .*DPT=(?<port>22)\\b')).toEqual(['DPT=22', 'SRC=']);
    expect(required('STATUS \\[x\\] \\(ok\\)')).toEqual(['STATUS [x] (ok)']);
    expect(required('abc(?:def)ghi')).toEqual(['abcdefghi']);
    expect(required('ab()cd')).toEqual(['abcd']);
    expect(required('x(?<n>ab(?:cd|ef)gh)ij')).toEqual(['ghij', 'xab']);
  });

  it('reads the run after a leading ^ as a prefix and the run before a trailing $ as a suffix, of any length, and leaves them out of the required', () => {
    const anchors = (source: string) => {
      const { prefix, suffix, required } = messagePrefilter(new RegExp(source));
      return { prefix, suffix, required };
    };
    expect(anchors('^STATUS \\[x\\] \\(ok\\)')).toEqual({ prefix: 'STATUS [x] (ok)', suffix: '', required: [] });
    expect(anchors('4624: .*Logon ID: (?<id>0x[0-9a-f]*3)$')).toEqual({ prefix: '', suffix: '3', required: ['Logon ID: 0x', '4624: '] });
    expect(anchors('^ab(?:cd)e.*connected$')).toEqual({ prefix: 'abcde', suffix: 'connected', required: [] });
    expect(anchors('^a+b')).toEqual({ prefix: 'a', suffix: '', required: [] });
    expect(anchors('^ab?c')).toEqual({ prefix: 'a', suffix: '', required: [] });
    expect(anchors('xyz+$')).toEqual({ prefix: '', suffix: '', required: ['xyz'] }); // z+ may be zzz: nothing is sure to end it
    expect(anchors('abc\\b$')).toEqual({ prefix: '', suffix: '', required: ['abc'] });
    expect(anchors('(?<q>\\w+) ok$')).toEqual({ prefix: '', suffix: ' ok', required: [] });
    expect(anchors('(a|b)c$')).toEqual({ prefix: '', suffix: 'c', required: [] });
    // Not anchors: an escaped dollar is a literal, an escaped backslash before `$` leaves it the anchor; flags, alternatives.
    expect(anchors('price \\$')).toEqual({ prefix: '', suffix: '', required: ['price $'] });
    expect(anchors('dir\\\\$')).toEqual({ prefix: '', suffix: 'dir\\', required: [] });
    expect(anchors('^abc|def$')).toEqual({ prefix: '', suffix: '', required: [] });
    expect(messagePrefilter(/^abc$/m)).toMatchObject({ prefix: '', suffix: '' });
  });

  it('leaves out what may be absent or is not literal: quantified characters, escapes of letters, groups, classes, alternatives, flags', () => {
    expect(required('abcd?ef')).toEqual(['abc']);
    expect(required('abcd*xy')).toEqual(['abc']);
    expect(required('abcd{0,2}xy')).toEqual(['abc']);
    expect(required('xyz{2}abc')).toEqual(['xyz', 'abc']);
    expect(required('ab+cdef')).toEqual(['cdef']);
    expect(required('abcd+?e')).toEqual(['abcd']);
    expect(required('\\d\\w\\sab\\bcd')).toEqual([]);
    expect(required('(?:abcdef)?gh')).toEqual([]);
    expect(required('(?<a>abc)+def')).toEqual(['def']); // a quantified group is not read
    expect(required('[abcdef]+gh')).toEqual([]);
    expect(required('abcdef|xyz')).toEqual([]);
    expect(required('(abc|def)ghij')).toEqual(['ghij']);
    expect(required('ab(?=cdef)')).toEqual([]); // a lookaround matches nothing itself (and rules refuse it: compileRuleRegex)
    expect(required('[]]abcd')).toEqual([']abcd']); // `[]` is an empty class; the `]` after it a literal
    expect(required('a{x}bcd')).toEqual(['bcd']); // `{` that is no quantifier: a literal, but left out
    expect(messagePrefilter(/abcdef/i).required).toEqual([]);
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
      'abc(?:def)ghi',
      'x(?<n>ab(?:cd|ef)gh)ij',
      '(?<a>abc)+def',
      'ab()cd',
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
      '^abc',
      '^a+b',
      'xyz$',
      'ab\\$',
      'ab\\\\$',
      '^(?<q>\\w+) ok$',
      '(a|b)c$',
      'PROTO=(?<proto>UDP|ICMP) .*0$',
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
      const { required: literals, prefix, suffix } = messagePrefilter(regex);
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
          for (const literal of literals) expect(message.includes(literal), `${source} on ${JSON.stringify(message)}: ${literal}`).toBe(true);
          expect(message.startsWith(prefix) && message.endsWith(suffix), `${source} on ${JSON.stringify(message)}: ${prefix}…${suffix}`).toBe(true);
        }
      }
    }
    expect(matched).toBeGreaterThan(500);
  });
});
