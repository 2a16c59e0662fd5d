/**
 * Structure-aware fuzz of the TCP deframer (RFC 6587): a stream of valid octet-counted and
 * LF-framed messages, oversize ones among them, with JavaScript-special content, yields the
 * same messages and counters however it is split into chunks as when it comes in one piece,
 * and exactly the messages it was built from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyslogDeframer } from '../../src/common/syslog/framing.js';

const MAX = 64;
const special = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '{"__proto__":{"x":1}}',
  '<13>1 - h probe - - [x@1 toString="a"] m',
  '<13>1 - h probe - - [__proto__@1 constructor="a"] m',
];

/** Bytes of a message: special strings or arbitrary bytes, short or oversize. */
const content = (maxLength: number) =>
  fc.oneof(
    fc.constantFrom(...special).map((s) => Buffer.from(s)),
    fc.uint8Array({ minLength: 1, maxLength }).map((bytes) => Buffer.from(bytes)),
  );

interface Frame {
  bytes: Buffer;
  /** The message the deframer must return; undefined for an oversize one (skipped, counted). */
  message: Buffer | undefined;
}

const counted: fc.Arbitrary<Frame> = fc.tuple(content(3 * MAX), fc.constantFrom('', '\n', '\r\n', '\0')).map(([body, separator]) => ({
  bytes: Buffer.concat([Buffer.from(`${body.length} `), body, Buffer.from(separator)]),
  message: body.length > MAX ? undefined : body,
}));

/** An LF-framed message: no LF in it, not starting with a separator or a 1-9 (a length), no CR at its end. */
const lineFramed: fc.Arbitrary<Frame> = content(3 * MAX)
  .map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a)))
  .filter((line) => line.length > 0 && !/^[1-9\r\0]/.test(line.toString('latin1')) && line[line.length - 1] !== 0x0d)
  .chain((line) =>
    fc.constantFrom('\n', '\r\n').map((end) => ({ bytes: Buffer.concat([line, Buffer.from(end)]), message: line.length > MAX ? undefined : line })),
  );

/** Feeds `stream` cut at `cuts` (offsets), then ends it. */
function deframe(stream: Buffer, cuts: number[]): { messages: string[]; counters: SyslogDeframer['counters'] } {
  const deframer = new SyslogDeframer(MAX);
  const offsets = [0, ...[...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b), stream.length];
  const messages: string[] = [];
  const out = (bytes: Buffer, start: number, end: number) => messages.push(bytes.toString('hex', start, end));
  for (let i = 1; i < offsets.length; i++) deframer.push(stream.subarray(offsets[i - 1], offsets[i]), out);
  deframer.end(out);
  return { messages, counters: { ...deframer.counters } };
}

describe('deframer fuzz', () => {
  it('any split of a stream of valid and oversize frames gives the same messages as one piece, and exactly those built', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(counted, lineFramed), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map((f) => f.bytes));
        const whole = deframe(stream, []);
        const expected = frames.flatMap((f) => (f.message ? [f.message.toString('hex')] : []));
        expect(whole.messages).toEqual(expected);
        expect(whole.counters).toEqual({ messages: expected.length, oversize: frames.length - expected.length, truncated: 0 });
        expect(deframe(stream, cuts)).toEqual(whole);
        // Byte by byte: the worst split.
        expect(deframe(stream, Array.from(stream.keys()))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('a stream cut anywhere (connection closed mid-frame) gives the same result however it was split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(counted, lineFramed), { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cutAt, cuts) => {
          const full = Buffer.concat(frames.map((f) => f.bytes));
          const stream = full.subarray(0, cutAt % (full.length + 1));
          expect(deframe(stream, cuts)).toEqual(deframe(stream, []));
        },
      ),
      { numRuns: 300 },
    );
  });
});
