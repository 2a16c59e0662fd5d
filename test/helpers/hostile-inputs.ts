/**
 * Well-formed input shaped to hit JavaScript itself rather than the grammar: names that are
 * properties of Object.prototype (or make an object a thenable), and long runs of the characters
 * backtracking regexes and quadratic scans choke on. Shared by the security tests, the fuzz tests
 * and `npm run fuzz`.
 */
import fc from 'fast-check';
import { Tag, encodeInteger, encodeNull, encodeOid, encodeString, sequence } from '../../src/snmp/ber.js';
import { MsgFlags, encodeScopedPdu, encodeV3Message } from '../../src/snmp/v3/message.js';

/** Every name an inherited lookup on a plain object could find, plus `__proto__` and `then`. */
export const JS_SPECIAL_NAMES: readonly string[] = [
  ...new Set(['__proto__', 'constructor', 'prototype', 'then', 'toJSON', 'length', ...Object.getOwnPropertyNames(Object.prototype)]),
];

/** Characters that start or repeat in syslog syntax and in common regex pieces. */
const RUN_CHARACTERS = ['\r', '\n', '\0', ' ', '\t', '0', '9', 'a', '[', ']', '"', '=', '\\', '<', '>', ':', '.', '-', '%', 'x'] as const;

/** `length` copies of one character, then one that ends the run differently (the backtracking trigger). */
export function backtrackingRun(character: string, length: number, tail = 'x'): string {
  return character.repeat(length) + tail;
}

/** Long runs: each RUN_CHARACTERS repeated, with a tail that breaks the run. */
export function backtrackingRuns(length: number): string[] {
  return RUN_CHARACTERS.flatMap((c) => [backtrackingRun(c, length), backtrackingRun(c, length, '\u0001')]);
}

/** Object.prototype's own names and their values now, to show later that nothing was added or changed. */
export function objectPrototypeSnapshot(): Map<string | symbol, unknown> {
  return new Map(Reflect.ownKeys(Object.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(Object.prototype, key)?.value]));
}

/** A word for syslog fields: mostly special names, sometimes ordinary ones. */
export const hostileName = (): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...JS_SPECIAL_NAMES) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.@-]{0,15}$/) });

/** A parameter value: text with the characters RFC 5424 escapes, sometimes a special name. */
const hostileValue = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom(...JS_SPECIAL_NAMES), fc.string({ maxLength: 20 }), fc.constantFrom('"', '\\', ']', '\\"', '=', '[x@1 a="b"]'));

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
    .record({
      pri: fc.integer({ min: 0, max: 191 }),
      host: hostileName(),
      app: hostileName(),
      msgId: hostileName(),
      sd: hostileStructuredData(),
      message: fc.oneof(hostileValue(), fc.constantFrom(...backtrackingRuns(200))),
    })
    .map(({ pri, host, app, msgId, sd, message }) => ({ line: `<${pri}>1 2026-12-04T10:00:00.000Z ${host} ${app} - ${msgId} ${formatSd(sd)} ${message}`, sd }));

/** A well-formed RFC 3164 line with special names as host, tag and message words. */
export const hostileRfc3164 = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: 0, max: 191 }), hostileName(), hostileName(), hostileValue())
    .map(([pri, host, tag, message]) => `<${pri}>Dec  4 10:00:00 ${host} ${tag}[1]: ${message}`);

// --- SNMP -------------------------------------------------------------------------------------

/** Community strings: the special names, near misses of `public`, and empty or odd bytes. */
export const HOSTILE_COMMUNITIES: readonly string[] = [
  ...JS_SPECIAL_NAMES,
  '',
  'PUBLIC',
  'public\0',
  'public ',
  ' public',
  'publi',
  'publicc',
  '\u00a0public',
  '%s%n',
  'x'.repeat(255),
];

/** Integers around the Integer32 edges and far beyond them (the decoder refuses what does not fit). */
export const EXTREME_INTEGERS: readonly number[] = [
  0,
  1,
  -1,
  127,
  128,
  255,
  256,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];

/** OID arcs at and past the SMI limit: 2³²-1 is the largest legal arc, 2³² and up are refused. */
const EXTREME_ARCS: readonly number[] = [0, 1, 127, 128, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER];

/** OIDs the agent serves (system group, sensor table), so GET/GETNEXT/GETBULK reach real data. */
const SERVED_OIDS: readonly (readonly number[])[] = [
  [1, 3],
  [1, 3, 6, 1, 2, 1, 1],
  [1, 3, 6, 1, 2, 1, 1, 1, 0],
  [1, 3, 6, 1, 2, 1, 1, 3, 0],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1],
  [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 3, 1],
];

/** Mostly Integer32, one in four an edge or past it (so most messages stay decodable and reach the handler). */
const integerArb = (): fc.Arbitrary<number> =>
  fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...EXTREME_INTEGERS) }, { weight: 3, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) });

/** Encodable OIDs (first arc 0-2, second below 40 under 0 and 1): served ones, extreme arcs, up to 140 arcs (the limit is 128). */
export const hostileOid = (): fc.Arbitrary<number[]> => {
  const arc = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...EXTREME_ARCS) }, { weight: 10, arbitrary: fc.nat({ max: 300 }) });
  const head = fc.oneof(fc.tuple(fc.constantFrom(0, 1), fc.nat({ max: 39 })), fc.tuple(fc.constant(2), arc));
  const built = fc
    .tuple(
      head,
      fc.oneof({ weight: 8, arbitrary: fc.array(arc, { maxLength: 12 }) }, { weight: 1, arbitrary: fc.array(arc, { minLength: 120, maxLength: 140 }) }),
    )
    .map(([[first, second], rest]) => [first, second, ...rest]);
  const extended = fc.tuple(fc.constantFrom(...SERVED_OIDS), fc.array(arc, { maxLength: 3 })).map(([served, rest]) => [...served, ...rest]);
  return fc.oneof(extended, built);
};

/** A varbind value a read-only agent must skip unread: special names as OCTET STRING, extreme integers, NULL. */
const varbindValue = (): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.constant(encodeNull()),
    fc.constantFrom(...JS_SPECIAL_NAMES).map((name) => encodeString(name)),
    integerArb().map((n) => encodeInteger(n)),
    fc.constantFrom(encodeNull(Tag.NoSuchObject), encodeNull(Tag.EndOfMibView)),
  );

/** A PDU of any request type (and Response/Report, which an agent must not serve) with hostile fields. */
const hostilePdu = (): fc.Arbitrary<Buffer> =>
  fc
    .record({
      type: fc.constantFrom(0xa0, 0xa0, 0xa1, 0xa1, 0xa3, 0xa5, 0xa5, 0xa5, 0xa2, 0xa8),
      requestId: integerArb(),
      // GetBulk's non-repeaters and max-repetitions; error-status and error-index elsewhere.
      field2: integerArb(),
      field3: fc.oneof(integerArb(), fc.constantFrom(10, 50, 100_000)),
      varbinds: fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.tuple(hostileOid(), varbindValue()), { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(fc.tuple(hostileOid(), varbindValue()), { maxLength: 40 }) },
      ),
    })
    .map(({ type, requestId, field2, field3, varbinds }) =>
      sequence(type, [
        encodeInteger(requestId),
        encodeInteger(field2),
        encodeInteger(field3),
        sequence(
          Tag.Sequence,
          varbinds.map(([oid, value]) => sequence(Tag.Sequence, [encodeOid(oid), value])),
        ),
      ]),
    );

/** A well-formed SNMPv1/v2c message (or another version code) with a hostile community and PDU. */
export const hostileSnmpV2Message = (communities: readonly string[] = HOSTILE_COMMUNITIES): fc.Arbitrary<Buffer> =>
  fc
    .tuple(fc.oneof({ weight: 10, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: integerArb() }), fc.constantFrom(...communities), hostilePdu())
    .map(([version, community, pdu]) => sequence(Tag.Sequence, [encodeInteger(version), encodeString(community), pdu]));

/**
 * A well-formed SNMPv3 message (USM) with special names as user and context names, the given
 * engine IDs (and empty: discovery) and every valid flags combination; without the users' keys
 * its authentication is wrong, so the most it may earn is a Report.
 */
export const hostileSnmpV3Message = (engineIds: readonly Buffer[]): fc.Arbitrary<Buffer> =>
  fc
    .record({
      msgId: fc.oneof(fc.constantFrom(0, 2 ** 31 - 1), fc.nat()),
      // RFC 3412 §7.2: priv without auth is invalid (encodeV3Message refuses to build it).
      flags: fc.constantFrom(0, 1, 3, 4, 5, 7),
      engineId: fc.constantFrom(Buffer.alloc(0), ...engineIds),
      boots: fc.constantFrom(0, 1, 2 ** 31 - 1),
      time: fc.constantFrom(0, 1, 2 ** 31 - 1),
      userName: fc.constantFrom(...JS_SPECIAL_NAMES, ''),
      authParams: fc.constantFrom(Buffer.alloc(0), Buffer.alloc(12), Buffer.alloc(24)),
      privParams: fc.constantFrom(Buffer.alloc(0), Buffer.alloc(8)),
      contextName: fc.constantFrom(...JS_SPECIAL_NAMES, ''),
      pdu: hostilePdu(),
    })
    .map(({ msgId, flags, engineId, boots, time, userName, authParams, privParams, contextName, pdu }) => {
      const scoped = encodeScopedPdu(engineId, Buffer.from(contextName), pdu);
      const security = { engineId, boots, time, userName: Buffer.from(userName), authParams, privParams };
      // With the priv flag the ScopedPDU goes in an OCTET STRING, as if encrypted (it is not: the agent must find out).
      return encodeV3Message({ msgId, flags, security, data: flags & MsgFlags.priv ? encodeString(scoped) : scoped }).packet;
    });

/** Flips bit `bit` of byte `at % length` for each pair, in a copy. */
function flipBits(packet: Buffer, flips: readonly (readonly [number, number])[]): Buffer {
  const copy = Buffer.from(packet);
  for (const [at, bit] of flips) copy[at % copy.length] = copy[at % copy.length]! ^ (1 << bit);
  return copy;
}

/** `packets` as they are (half), cut short at any byte, or with 1-4 bits flipped. */
export const mutatedPackets = (packets: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { weight: 2, arbitrary: packets },
    packets.chain((packet) => fc.nat({ max: packet.length - 1 }).map((length) => packet.subarray(0, length))),
    packets.chain((packet) => fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }).map((flips) => flipBits(packet, flips))),
  );

// --- HTTP -------------------------------------------------------------------------------------

/** Request targets a URL parser or router may trip on; sent verbatim on the request line. */
export const HOSTILE_URL_TARGETS: readonly string[] = [
  '//',
  '/%',
  '/%zz',
  '/%00',
  '/%ff%fe',
  '*',
  'http://127.0.0.1/',
  'http://evil.example/',
  '//evil.example/x',
  'http://[::1',
  '/\\\\evil',
  '/?__proto__=1',
  '/?__proto__[x]=1',
  '/?constructor[prototype][x]=1',
  '/alert?id=constructor',
  '/alert?id=__proto__',
  '/alert?id=',
  '/alert?id=-1',
  '/alert?id=1e999',
  '/alert?id=%zz',
  '/history?before=toString',
  '/history?before=99999999999999999999',
  '/rates?x=%',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/style.css?__proto__',
  '/login?next=//evil',
  `/${'a'.repeat(4000)}`,
  `/?q=${'%41'.repeat(2000)}`,
  `/${'/'.repeat(1000)}`,
  ...JS_SPECIAL_NAMES.flatMap((name) => [`/${name}`, `/?${name}=1`, `/alert?id=${name}`]),
];

/** Host header values: absent, empty, special names, other hosts, and long. */
export const HOSTILE_HOSTS: readonly (string | undefined)[] = [
  undefined,
  '',
  'evil.example',
  '127.0.0.1:1',
  '[::1]',
  'localhost',
  '__proto__',
  'constructor',
  'a'.repeat(2000),
  '127.0.0.1, evil.example',
];
