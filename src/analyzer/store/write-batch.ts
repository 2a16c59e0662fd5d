/**
 * A second's recorded writes as bytes: `[u16 statement index, u8 argument count, arguments]`
 * repeated, each argument a type byte then an f64 (number), a 6-byte integer (a number that is
 * one, -0 aside), a u32 length and UTF-8 (a string), a u32 length and UTF-16 (a string with a lone
 * surrogate, which UTF-8 cannot carry: it is bound as it was, and better-sqlite3 stores what it
 * always has for it), or nothing (null, or a string the row before, of the same statement, had
 * at the same place: a rule id, mostly, which every row of a rule repeats).
 *
 * Why bytes and not the array of arguments it replaces: during a flood a second records some
 * 170,000 rows (1.3M arguments). As an array it was a large object in the receiving thread's heap,
 * structured-cloned by `postMessage` on that thread, and rebuilt as an array and strings in the
 * writer's heap; both heaps held it until committed, and V8 sized them for it (the daemon's RSS
 * after a flood was twice the JS it kept). As bytes it is ~15 MB a second, and the writer decodes
 * one row at a time.
 *
 * Why the bytes travel as Latin-1 strings of up to 256 KB (a byte a character) and not in
 * ArrayBuffers: an ArrayBuffer's memory is malloc's, and freed in the middle of malloc's heap it
 * is not given back to the system. With SharedArrayBuffer chunks (session 26, heaptrack and
 * /proc/PID/smaps of the daemon in `bench:analyzer --only rss`) the daemon's malloc heap grew by
 * the ~40 MB of the two batches in flight during a flood and kept it: 76.5 MB of `[heap]` after
 * 30 s idle against 38.7 MB before. A string is V8's: one this large has pages of its own, which
 * V8 unmaps once it is collected. The encoder writes into one scratch Buffer, kept, and copies
 * each full chunk out as a string; `postMessage` copies the strings to the writer's heap. No
 * library does this: msgpack and `v8.serialize` make an object per value or per row (a batch of
 * `v8.serialize`d rows was measured: worse).
 */

const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const UTF16_STRING = 3;
const SAME_STRING = 4;
const INTEGER = 5;
/** Integers in 6 bytes, signed. */
const INTEGER_LIMIT = 2 ** 47;

/** The arguments a statement's `run` is given here: the stores bind only these. */
export type WriteArgument = string | number | null;

/** The encoder's chunk size: rows never straddle two, so one longer than this gets a chunk of its own. */
export const CHUNK_BYTES = 256 * 1024;

/** A batch: its chunks, each a string of Latin-1 characters, one a byte. */
export type WriteBatchChunks = readonly string[];

export class WriteBatchEncoder {
  private taken: string[] = [];
  /** Where rows are written before a full chunk is copied out; a larger one only while a row longer than a chunk is written. */
  private bytes: Buffer;
  private view: DataView;
  private used = 0;
  /** The row before (-1: none since the last take()), for SAME_STRING. */
  private previousStatement = -1;
  private previousArgs: readonly unknown[] = [];

  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    [this.bytes, this.view] = this.scratch(chunkBytes);
  }

  get isEmpty(): boolean {
    return this.used === 0 && this.taken.length === 0;
  }

  /** Records one `run(...args)` of statement `statement`; throws a TypeError for an argument SQLite is not given here (nothing is recorded then). */
  add(statement: number, args: readonly unknown[]): void {
    if (!Number.isInteger(statement) || statement < 0 || statement > 0xffff) throw new RangeError(`statement index ${statement} is not 0-65535`);
    if (args.length > 0xff) throw new RangeError(`${args.length} arguments; at most 255`);
    // At most: 3 bytes, then 9 an argument, or 5 and 3 per UTF-16 unit for a string (UTF-8: a surrogate pair is 4 for 2).
    let most = 3;
    for (const arg of args) most += typeof arg === 'string' ? 5 + 3 * arg.length : 9;
    this.reserve(most);
    const start = this.used;
    this.view.setUint16(this.used, statement, true);
    this.bytes[this.used + 2] = args.length;
    this.used += 3;
    const same = statement === this.previousStatement ? this.previousArgs : [];
    try {
      for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (typeof arg === 'string' && arg === same[i]) this.bytes[this.used++] = SAME_STRING;
        else this.addArgument(arg);
      }
    } catch (error) {
      this.used = start;
      throw error;
    }
    this.previousStatement = statement;
    this.previousArgs = args;
  }

  /** The chunks written since the last call. */
  take(): WriteBatchChunks {
    this.seal();
    this.previousStatement = -1;
    this.previousArgs = [];
    const taken = this.taken;
    this.taken = [];
    return taken;
  }

  /** Room for `bytes` more: the rows so far sealed as a chunk if not, and a scratch of their size for a row longer than a chunk. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.bytes.length) return;
    this.seal();
    if (bytes > this.bytes.length) [this.bytes, this.view] = this.scratch(bytes);
  }

  /** The rows written so far as a chunk; back to a chunk-sized scratch if a larger one was needed. */
  private seal(): void {
    if (this.used > 0) this.taken.push(this.bytes.toString('latin1', 0, this.used));
    this.used = 0;
    if (this.bytes.length > this.chunkBytes) [this.bytes, this.view] = this.scratch(this.chunkBytes);
  }

  private scratch(bytes: number): [Buffer, DataView] {
    const buffer = Buffer.allocUnsafeSlow(bytes);
    return [buffer, new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength)];
  }

  private addArgument(arg: unknown): void {
    if (arg === null) {
      this.bytes[this.used++] = NULL;
    } else if (typeof arg === 'number' && Number.isInteger(arg) && Math.abs(arg) < INTEGER_LIMIT && !Object.is(arg, -0)) {
      this.bytes[this.used] = INTEGER;
      this.bytes.writeIntLE(arg, this.used + 1, 6);
      this.used += 7;
    } else if (typeof arg === 'number') {
      this.bytes[this.used] = NUMBER;
      this.view.setFloat64(this.used + 1, arg, true);
      this.used += 9;
    } else if (typeof arg === 'string') {
      const wellFormed = arg.isWellFormed();
      this.bytes[this.used] = wellFormed ? STRING : UTF16_STRING;
      const length = this.bytes.write(arg, this.used + 5, wellFormed ? 'utf8' : 'utf16le');
      this.view.setUint32(this.used + 1, length, true);
      this.used += 5 + length;
    } else throw new TypeError(`a write's argument must be a string, a number or null, not ${typeof arg}`);
  }
}

/**
 * Calls `run` with each recorded write, in order. Uses nothing but its parameters and globals
 * (`Buffer`, `DataView`; the type bytes as literals): it is also run from its source text in the
 * writer's thread (background-writer.ts, common/source-worker.ts).
 */
export function forEachWrite(batch: WriteBatchChunks, run: (statement: number, args: (string | number | null)[]) => void): void {
  // One buffer for the batch's chunks (each back to its bytes), as large as the largest.
  const bytes = Buffer.allocUnsafeSlow(batch.reduce((most, chunk) => Math.max(most, chunk.length), 0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let previous: (string | number | null)[] = [];
  let previousStatement = -1;
  for (const chunk of batch) {
    const end = bytes.write(chunk, 0, 'latin1');
    for (let at = 0; at < end;) {
      const statement = view.getUint16(at, true);
      const args: (string | number | null)[] = new Array(bytes[at + 2]!);
      at += 3;
      for (let i = 0; i < args.length; i++) {
        const type = bytes[at++];
        if (type === 0) args[i] = null;
        else if (type === 1) {
          args[i] = view.getFloat64(at, true);
          at += 8;
        } else if (type === 2 || type === 3) {
          const length = view.getUint32(at, true);
          args[i] = bytes.toString(type === 2 ? 'utf8' : 'utf16le', at + 4, at + 4 + length);
          at += 4 + length;
        } else if (type === 4 && statement === previousStatement && typeof previous[i] === 'string') {
          args[i] = previous[i]!;
        } else if (type === 5) {
          args[i] = bytes.readIntLE(at, 6);
          at += 6;
        } else throw new Error(`a write batch has an argument of unknown type ${String(type)} at byte ${at - 1}`);
      }
      run(statement, args);
      previous = args;
      previousStatement = statement;
    }
  }
}
