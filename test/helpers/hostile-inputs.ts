/**
 * Well-formed input shaped to hit JavaScript itself rather than the grammar: names that are
 * properties of Object.prototype (or make an object a thenable), and long runs of the characters
 * backtracking regexes and quadratic scans choke on. Shared by the security tests, the fuzz tests
 * and `npm run fuzz`.
 */
import fc from 'fast-check';

/** Every name an inherited lookup on a plain object could find, plus `__proto__` and `then`. */
export const JS_SPECIAL_NAMES: readonly string[] = [...new Set(['__proto__', 'constructor', 'prototype', 'then', 'toJSON', 'length', ...Object.getOwnPropertyNames(Object.prototype)])];

/** Characters that start or repeat in syslog syntax and in common regex pieces. */
const RUN_CHARACTERS = ['\r', '\n', '\0', ' ', '\t', '0', '9', 'a', '[', ']', '"', '=', '\\', '<', '>', ':', '.', '-', '%', 'x'] as const;

/** `length` copies of one character, then one that ends the run differently (the backtracking trigger). */
export function backtrackingRun(character: string, length: number, tail = 'x'): string {
  return character.repeat(length) + tail;
}

/** Long runs: each RUN_CHARACTERS repeated, with a tail that breaks the run. */
export function backtrackingRuns(length: number): string[] {
  return RUN_CHARACTERS.flatMap((c) => [backtrackingRun(c, length), backtrackingRun(c, length, '\u0001') ]);
}

/** Object.prototype's own names and their values now, to show later that nothing was added or changed. */
export function objectPrototypeSnapshot(): Map<string | symbol, unknown> {
  return new Map(Reflect.ownKeys(Object.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(Object.prototype, key)?.value]));
}

/** A word for syslog fields: mostly special names, sometimes ordinary ones. */
export const hostileName = (): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...JS_SPECIAL_NAMES) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.@-]{0,15}$/) });

/** A parameter value: text with the characters RFC 5424 escapes, sometimes a special name. */
const hostileValue = (): fc.Arbitrary<string> => fc.oneof(fc.constantFrom(...JS_SPECIAL_NAMES), fc.string({ maxLength: 20 }), fc.constantFrom('"', '\\', ']', '\\"', '=', '[x@1 a="b"]'));

const escapeSdValue = (value: string) => value.replace(/[\\"\]]/g, (c) => `\\${c}`);

export interface HostileSdElement {
  readonly id: string;
  readonly params: readonly (readonly [string, string])[];
}

/** Structured data elements whose SD-IDs and names are special names (SD-NAME has no `=`, space, `]` or `"`). */
export const hostileStructuredData = (): fc.Arbitrary<HostileSdElement[]> =>
  fc.array(fc.record({ id: hostileName(), params: fc.array(fc.tuple(hostileName(), hostileValue()), { maxLength: 4 }) }), { minLength: 1, maxLength: 4 });

export function formatSd(elements: readonly HostileSdElement[]): string {
  return elements.map(({ id, params }) => `[${id}${params.map(([name, value]) => ` ${name}="${escapeSdValue(value)}"`).join('')}]`).join('');
}

/** A well-formed RFC 5424 line with special names in every field a sender chooses. */
export const hostileRfc5424 = (): fc.Arbitrary<{ line: string; sd: HostileSdElement[] }> =>
  fc
    .record({ pri: fc.integer({ min: 0, max: 191 }), host: hostileName(), app: hostileName(), msgId: hostileName(), sd: hostileStructuredData(), message: fc.oneof(hostileValue(), fc.constantFrom(...backtrackingRuns(200))) })
    .map(({ pri, host, app, msgId, sd, message }) => ({ line: `<${pri}>1 2026-12-04T10:00:00.000Z ${host} ${app} - ${msgId} ${formatSd(sd)} ${message}`, sd }));

/** A well-formed RFC 3164 line with special names as host, tag and message words. */
export const hostileRfc3164 = (): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 0, max: 191 }), hostileName(), hostileName(), hostileValue()).map(([pri, host, tag, message]) => `<${pri}>Dec  4 10:00:00 ${host} ${tag}[1]: ${message}`);
