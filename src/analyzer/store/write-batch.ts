/**
 * A second's recorded writes as bytes: `[u16 statement index, u8 argument count, arguments]`
 * repeated, each argument a type byte then an f64 (number), a u32 length and UTF-8 (a string),
 * a u32 length and UTF-16 (a string with a lone surrogate, which UTF-8 cannot carry: it is bound
 * as it was, and better-sqlite3 stores what it always has for it), or nothing (null).
 *
 * Why bytes and not the array of arguments it replaces: during a flood a second records some
 * 170,000 rows (1.3M arguments). As an array it was a large object in the receiving thread's heap,
 * structured-cloned by `postMessage` on that thread, and rebuilt as an array and strings in the
 * writer's heap; both heaps held it until committed, and V8 sized them for it (the daemon's RSS
 * after a flood was twice the JS it kept). As bytes it is outside both heaps, and the writer
 * decodes one row at a time. The bytes are written into 256 KB SharedArrayBuffers, shared with the
 * writer's thread rather than copied, and reused once committed: one buffer of a whole batch,
 * copied for postMessage, was 15 MB allocated and freed three times a second in a flood, which
 * left malloc's arenas holding tens of MB after it. No library does this: msgpack and
 * `v8.serialize` make an object per value or per row (a batch of `v8.serialize`d rows was
 * measured: worse).
 */

const NULL = 0;
const NUMBER = 1;
const STRING = 2;
const UTF16_STRING = 3;

/** The arguments a statement's `run` is given here: the stores bind only these. */
export type WriteArgument = string | number | null;

/** The encoder's chunk size: rows never straddle two, so one longer than this gets a chunk of its own. */
export const CHUNK_BYTES = 256 * 1024;
/** Chunks kept for the next batches once committed (more are left to the GC): 2 MB. */
const SPARE_CHUNKS = 8;

/** A batch: its chunks, each a view of the bytes written in it. */
export type WriteBatchBytes = readonly Uint8Array[];

export class WriteBatchEncoder {
  private readonly taken: Uint8Array[] = [];
  private bytes: Buffer;
  private view: DataView;
  private used = 0;
  /** Chunks of batches committed, for the next (SharedArrayBuffers: sent to the writer's thread without a copy). */
  private readonly spare: SharedArrayBuffer[] = [];

  constructor(private readonly chunkBytes = CHUNK_BYTES) {
    [this.bytes, this.view] = this.chunk(0);
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
    try {
      for (const arg of args) this.addArgument(arg);
    } catch (error) {
      this.used = start;
      throw error;
    }
  }

  /**
   * The chunks written since the last call. They are the encoder's: shared with the writer's
   * thread, not copied; give them back with `recycle` once nothing reads them any more.
   */
  take(): WriteBatchBytes {
    if (this.used > 0) this.taken.push(new Uint8Array(this.bytes.buffer, 0, this.used));
    [this.bytes, this.view] = this.chunk(0);
    this.used = 0;
    return this.taken.splice(0);
  }

  /** A batch taken earlier that nothing reads any more: its chunks serve the next batches. */
  recycle(batch: WriteBatchBytes): void {
    for (const { buffer } of batch) {
      if (this.spare.length < SPARE_CHUNKS && buffer.byteLength === this.chunkBytes) this.spare.push(buffer as SharedArrayBuffer);
    }
  }

  /** Room for `bytes` more in the current chunk: a new chunk if not (of its own size, for a row longer than a chunk). */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.bytes.length) return;
    if (this.used > 0) this.taken.push(new Uint8Array(this.bytes.buffer, 0, this.used));
    [this.bytes, this.view] = this.chunk(bytes);
    this.used = 0;
  }

  private chunk(atLeast: number): [Buffer, DataView] {
    const buffer = atLeast > this.chunkBytes ? new SharedArrayBuffer(atLeast) : (this.spare.pop() ?? new SharedArrayBuffer(this.chunkBytes));
    return [Buffer.from(buffer), new DataView(buffer)];
  }

  private addArgument(arg: unknown): void {
    if (arg === null) {
      this.bytes[this.used++] = NULL;
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
export function forEachWrite(batch: readonly Uint8Array[], run: (statement: number, args: (string | number | null)[]) => void): void {
  for (const chunk of batch) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length;) {
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
        } else throw new Error(`a write batch has an argument of unknown type ${String(type)} at byte ${at - 1}`);
      }
      run(statement, args);
    }
  }
}
