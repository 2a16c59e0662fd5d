/**
 * The background writer's batches as bytes: every write comes back as it went in (property over
 * strings of any UTF-16, lone surrogates included, every kind of number, null), growth past the first buffer, clear refusals,
 * and the decoder runs from its source text alone, as the writer's thread runs it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { forEachWrite, WriteBatchEncoder, type WriteArgument, type WriteBatchChunks } from '../../../src/analyzer/store/write-batch.js';

type Write = { statement: number; args: WriteArgument[] };

const decoded = (bytes: WriteBatchChunks, decode = forEachWrite) => {
  const writes: Write[] = [];
  decode(bytes, (statement, args) => writes.push({ statement, args }));
  return writes;
};

const argument = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Any UTF-16 code units, so lone surrogates too (fast-check's 'binary' unit makes only whole code points).
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 5 }),
  fc.string({ maxLength: 5 }),
  fc.double(), // with NaN, ±Infinity and -0
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constant(null),
  fc.constantFrom('__proto__', 'constructor', 'toString', ''),
  fc.constantFrom('vpn', 'dave'), // often where the row before had it: sent as a reference to it
  fc.constantFrom(2 ** 47 - 1, -(2 ** 47) + 1, 2 ** 47, -0, 0.5, 1733400000123), // integers in 6 bytes, and just past them
);
const write = fc.record({
  statement: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 0xffff })),
  args: fc.array(argument, { maxLength: 12 }),
});

describe('WriteBatchEncoder and forEachWrite', () => {
  it('give back every write, in order, argument for argument (Object.is: NaN and -0 too), across chunks and rows longer than one', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 60 }), fc.integer({ min: 1, max: 256 }), (writes, chunkBytes) => {
        const encoder = new WriteBatchEncoder(chunkBytes);
        for (const { statement, args } of writes) encoder.add(statement, args);
        const back = decoded(encoder.take());
        expect(back).toHaveLength(writes.length);
        back.forEach((got, i) => {
          expect(got.statement).toBe(writes[i]!.statement);
          expect(got.args).toHaveLength(writes[i]!.args.length);
          got.args.forEach((arg, j) => expect(Object.is(arg, writes[i]!.args[j])).toBe(true));
        });
      }),
    );
  });

  it('take() starts the next batch afresh; the chunks are Latin-1 strings (a byte a character) of at most a chunk, but for a longer row', () => {
    const encoder = new WriteBatchEncoder(64);
    encoder.add(1, ['first', 1]);
    const first = encoder.take();
    expect(encoder.isEmpty).toBe(true);
    encoder.add(2, ['second', 2]);
    expect(decoded(first)).toEqual([{ statement: 1, args: ['first', 1] }]);
    expect(decoded(encoder.take())).toEqual([{ statement: 2, args: ['second', 2] }]);
    expect(encoder.take()).toEqual([]);

    const chunked = new WriteBatchEncoder();
    chunked.add(0, ['x'.repeat(50_000)]);
    chunked.add(0, ['ÿ'.repeat(300_000)]); // longer than a chunk: starts one of its own (UTF-8: 2 bytes a character)
    chunked.add(0, ['after']);
    const batch = chunked.take();
    expect(batch.map((chunk) => chunk.length)).toEqual([3 + 5 + 50_000, 3 + 5 + 600_000 + 3 + 5 + 5]);
    expect(batch.every((chunk) => /^[\u0000-\u00ff]*$/.test(chunk))).toBe(true);
    // Back to chunk-sized pieces after the long row's batch. A row is given room for its longest
    // UTF-8 (3 bytes a UTF-16 unit), so the fourth of these, which would fit, starts the next chunk.
    for (let i = 0; i < 6; i++) chunked.add(0, [String(i).repeat(50_000)]);
    expect(chunked.take().map((chunk) => chunk.length)).toEqual([3 * (3 + 5 + 50_000), 3 * (3 + 5 + 50_000)]);
  });

  it('a string the row before of the same statement had at the same place is a byte; not across take(), statements or places', () => {
    const encoder = new WriteBatchEncoder();
    const rule = 'vpn-new-address';
    encoder.add(3, [rule, 'dave', 1733400000123]);
    const [alone] = encoder.take();
    encoder.add(3, [rule, 'dave', 1733400000123]); // a new batch: in full again
    encoder.add(3, [rule, 'erin', 1733400000124]); // the rule id and nothing else as a reference
    encoder.add(4, [rule]); // another statement: in full
    encoder.add(4, ['x', rule]); // another place: in full
    const [chunk] = encoder.take();
    const full = 3 + (5 + rule.length) + (5 + 4) + 7;
    expect(alone!.length).toBe(full);
    expect(chunk!.length).toBe(full + (3 + 1 + (5 + 4) + 7) + (3 + 5 + rule.length) + (3 + 6 + 5 + rule.length));
    expect(decoded([chunk!])).toEqual([
      { statement: 3, args: [rule, 'dave', 1733400000123] },
      { statement: 3, args: [rule, 'erin', 1733400000124] },
      { statement: 4, args: [rule] },
      { statement: 4, args: ['x', rule] },
    ]);
  });

  it('refuses an argument SQLite is not given here, with its type, and records nothing of that write', () => {
    const encoder = new WriteBatchEncoder();
    encoder.add(0, ['kept']);
    for (const bad of [true, undefined, 1n, { a: 1 }, Buffer.from('x')]) {
      expect(() => encoder.add(3, ['before', bad])).toThrow(new TypeError(`a write's argument must be a string, a number or null, not ${typeof bad}`));
    }
    expect(() => encoder.add(0x10000, [])).toThrow(RangeError);
    expect(() => encoder.add(0, new Array(256).fill(null))).toThrow(RangeError);
    expect(decoded(encoder.take())).toEqual([{ statement: 0, args: ['kept'] }]);
  });

  it('a batch with an unknown type byte is an error, not a wrong row', () => {
    const encoder = new WriteBatchEncoder();
    encoder.add(7, [null]);
    const [chunk] = encoder.take();
    expect(() => decoded([chunk!.slice(0, 3) + '\u0009' + chunk!.slice(4)])).toThrow('a write batch has an argument of unknown type 9 at byte 3');
  });

  it('the decoder runs from its source text alone (so in the writer thread, common/source-worker.ts)', () => {
    const fromSource = new Function(`return (${forEachWrite.toString()})`)() as typeof forEachWrite;
    const encoder = new WriteBatchEncoder();
    encoder.add(5, ['ü€😀', 1.5, null]);
    expect(decoded(encoder.take(), fromSource)).toEqual([{ statement: 5, args: ['ü€😀', 1.5, null] }]);
  });

  it('a lone surrogate is bound as it was, so SQLite stores the bytes better-sqlite3 always stored for it', () => {
    // The peer itself is the source: better-sqlite3 encodes a lone surrogate as three bytes
    // (ED A0 80), where Buffer's UTF-8 writes U+FFFD (EF BF BD); a key cut by a regex without the
    // u flag can hold one. Measured here, not assumed.
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const lone = 'a\ud800b\udc00c😀';
    insert.run(lone);
    const encoder = new WriteBatchEncoder();
    encoder.add(0, [lone, 'plain']);
    forEachWrite(encoder.take(), (_, [value]) => insert.run(value));
    const [direct, viaBatch] = db.prepare('SELECT hex(v) FROM t').pluck().all();
    expect(viaBatch).toBe(direct);
    expect(direct).toContain('EDA080');
    db.close();
  });
});
