/**
 * Rule regexes: written by the admin, run on every message an attacker can send. A regex like
 * `(\w+\s?)*$` backtracks exponentially, and `4634: .*Logon ID:` quadratically, on crafted text: one
 * 64 KiB message could hold the event loop for seconds to minutes and outlast the watchdog.
 *
 * The guard is V8's own linear-time regex engine, not a second regex library: with
 * `--enable-experimental-regexp-engine-on-excessive-backtracks`, a match that backtracks more
 * than `--regexp-backtracks-before-fallback` times is finished by the linear-time engine, with
 * the same result. Ordinary matches keep the fast backtracking engine. Measured on 64 KiB inputs
 * (test/security/redos.test.ts and `npm run fuzz`): an exponential pattern from minutes to under
 * a millisecond, the quadratic `[\r\n\0]+$` from 5.3 s to about 0.15 s. Why not RE2 (the `re2`
 * package): it converts every subject string to UTF-8 per call, which the 20-rules-per-message
 * hot path cannot afford, and it is a native addon to cross-compile for the image. Why not a
 * static checker at load (recheck): it takes seconds per regex and flags the shipped Windows
 * logon rules (`.*` between two words), which the fallback bounds anyway.
 *
 * The linear engine cannot run lookarounds or backreferences; a regex using them would have no
 * guard, so it is refused at load with the reason.
 */
import { setFlagsFromString } from 'node:v8';

/** Backtracks before the linear engine takes over: a worst case costs about `message length × this` steps. */
export const BACKTRACKS_BEFORE_FALLBACK = 1000;

// Set before any rule regex is compiled. Node documents flags set at run time as unsupported in
// general; these two are read when a regex is compiled or executes, which the tests check.
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_FALLBACK}`);

/** The regex, or why it cannot be a rule's regex. */
export function compileRuleRegex(text: string): RegExp | { error: string } {
  let regex: RegExp;
  try {
    regex = new RegExp(text);
  } catch (error) {
    return { error: `not a valid regular expression: ${(error as Error).message}` };
  }
  try {
    // The `l` flag asks for the linear engine alone: it refuses what that engine cannot run.
    new RegExp(text, 'l');
  } catch {
    return {
      error:
        'uses a lookaround ((?=, (?!, (?<=, (?<!) or a backreference (\\1, \\k<name>), which the linear-time regex engine cannot run, so a crafted message could make it backtrack for seconds; rewrite it without them',
    };
  }
  return regex;
}

/** What a message must have for a rule regex to match it, checked before the regex runs (match.ts). */
export interface MessagePrefilter {
  /**
   * Texts every match contains, the longest first (none when none was found): `includes` rules most
   * messages out faster than the regex can, and each more one rules out more (a timer's start and
   * end regexes share `Logon ID: ` but not `4624: ` and `4634: `).
   */
  readonly required: readonly string[];
  /**
   * What every match's message starts with (after a leading `^`) and ends with (before a trailing
   * `$`), '' when nothing: checked before `required`, in time that does not grow with the message.
   * A run found here is left out of `required`.
   */
  readonly prefix: string;
  readonly suffix: string;
  /** The regex matches every message and has no groups (`.*`, the default): it need not run. */
  readonly matchesAll: boolean;
}

const MATCHES_ALL = new Set(['', '.*', '^', '^.*', '(?:)']);
/** A quantifier (lazy or not) after an atom; `{` that is not one is a literal in a regex without the `u` flag. */
const QUANTIFIER = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/;
/** Shorter literals rule out too little to be worth an `includes` per message. */
const MIN_REQUIRED = 3;
/** Where one literal run ends and the next, not necessarily adjacent, begins. */
const BREAK = null;

/**
 * Every run of 3 or more literal characters that every match of `regex` contains, the longest
 * first; none when the regex has flags or an alternative at its top level. A group that must match
 * once (no quantifier, no alternative inside, not a lookaround) is read as part of its
 * surroundings: `DPT=(?<port>22)\b` requires `DPT=22`. Conservative: whatever it cannot read
 * (escapes other than punctuation, `{`, anchors, classes) ends a run. Without the `m` flag
 * (rules have no flags) a leading `^` and a trailing `$` anchor at the message's ends, so the run
 * next to one is a prefix or suffix, of any length: `Logon ID: (?<id>0x[0-9a-f]*3)$` ends in `3`.
 */
export function messagePrefilter(regex: RegExp): MessagePrefilter {
  const { source, flags } = regex;
  const matchesAll = flags === '' && MATCHES_ALL.has(source);
  const none = { required: [], prefix: '', suffix: '', matchesAll };
  if (flags !== '') return none;
  const anchoredStart = source.startsWith('^');
  const anchoredEnd = endsWithAnchor(source);
  const pieces = literalPieces(source, anchoredStart ? 1 : 0, source.length - (anchoredEnd ? 1 : 0));
  if (!pieces) return none;
  const runs = splitRuns(pieces);
  const prefix = anchoredStart ? runs[0]! : '';
  const suffix = anchoredEnd ? runs.at(-1)! : '';
  const required = [...new Set(runs.filter((run) => run.length >= MIN_REQUIRED && run !== prefix && run !== suffix))].sort((a, b) => b.length - a.length);
  return { required, prefix, suffix, matchesAll };
}

/** Whether `source` ends in the anchor `$`, not an escaped `\$` (an odd number of backslashes before it). */
function endsWithAnchor(source: string): boolean {
  if (!source.endsWith('$')) return false;
  let backslashes = 0;
  while (source[source.length - 2 - backslashes] === '\\') backslashes++;
  return backslashes % 2 === 0;
}

function splitRuns(pieces: readonly (string | typeof BREAK)[]): string[] {
  const runs: string[] = [];
  let run = '';
  for (const piece of pieces) {
    if (piece === BREAK) {
      runs.push(run);
      run = '';
    } else run += piece;
  }
  runs.push(run);
  return runs;
}

/**
 * `source[from, to)` as the literal characters every match has there, in order, with BREAK where
 * they need not be adjacent; undefined when it has an alternative at its own level (then none is
 * required) or cannot be read.
 */
function literalPieces(source: string, from: number, to: number): (string | typeof BREAK)[] | undefined {
  const pieces: (string | typeof BREAK)[] = [];
  for (let i = from; i < to;) {
    const c = source[i]!;
    let literal: string | undefined;
    let inner: (string | typeof BREAK)[] | undefined;
    let next = i + 1;
    if (c === '\\') {
      // Only escaped punctuation is that character; letters and digits are classes, backreferences, code points.
      const escaped = source[i + 1] ?? '';
      if (/^[^A-Za-z0-9]$/.test(escaped)) literal = escaped;
      next = i + 2;
    } else if (c === '|') return undefined;
    else if (c === '(') {
      next = afterGroup(source, i);
      if (next < 0) return undefined;
      const content = groupContentStart(source, i);
      if (content >= 0) inner = literalPieces(source, content, next - 1);
    } else if (c === '[') next = afterClass(source, i);
    else if (!'.^$*+?{}'.includes(c)) literal = c;
    if (next < 0) return undefined;
    const quantifier = QUANTIFIER.exec(source.slice(next, to))?.[0];
    if (inner && quantifier === undefined) {
      // A group that must match once: its literals join what is around it.
      pieces.push(...inner);
    } else {
      if (literal !== undefined && (quantifier === undefined || /^(?:\+|\{[1-9])/.test(quantifier))) pieces.push(literal);
      // After a quantified character (`a+`, `a{2}`) what follows need not be next to it; nor around what is not literal.
      if (literal === undefined || quantifier !== undefined) pieces.push(BREAK);
    }
    i = next + (quantifier?.length ?? 0);
  }
  return pieces;
}

/** Where the content of the group opening at `at` starts: after `(`, `(?:` or `(?<name>`; -1 for a lookaround. */
function groupContentStart(source: string, at: number): number {
  if (source[at + 1] !== '?') return at + 1;
  if (source[at + 2] === ':') return at + 3;
  if (source[at + 2] === '<' && source[at + 3] !== '=' && source[at + 3] !== '!') {
    const close = source.indexOf('>', at + 3);
    return close < 0 ? -1 : close + 1;
  }
  return -1;
}

/** The index after the group opening at `at` (classes and escapes inside skipped), or -1. */
function afterGroup(source: string, at: number): number {
  let depth = 0;
  for (let i = at; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = afterClass(source, i) - 1;
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The index after the character class opening at `at` (its first unescaped `]`: `[]` is an empty class in JavaScript), or -1. */
function afterClass(source: string, at: number): number {
  for (let i = at + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i + 1;
  }
  return -1;
}
