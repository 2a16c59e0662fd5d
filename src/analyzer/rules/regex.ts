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
    return { error: 'uses a lookaround ((?=, (?!, (?<=, (?<!) or a backreference (\\1, \\k<name>), which the linear-time regex engine cannot run, so a crafted message could make it backtrack for seconds; rewrite it without them' };
  }
  return regex;
}
