/**
 * Splitting a TCP syslog stream into messages (RFC 6587), incrementally: octet counting
 * (`LENGTH SP MESSAGE`, decided per message by a leading digit) and non-transparent framing
 * (a message ends at LF; CRLF and NUL are tolerated) on the same connection. A message longer
 * than `maxSize` is skipped whole and counted, never buffered: for octet counting its announced
 * length is skipped; for LF framing everything up to the next LF. A frame longer than
 * MAX_FRAME_BYTES is not worth skipping: the deframer stops (`overlong`) and the caller closes.
 *
 * Linear in the bytes received however the stream is split: every byte is looked at once, and
 * a message that arrives in pieces is kept as a list of those pieces and copied once when it is
 * complete (a per-chunk concat and rescan cost seconds of CPU for a line sent byte by byte).
 */
import { isDigit } from './digits.js';

/**
 * Receives each complete message: `bytes[start, end)`. `bytes` is the chunk pushed when the message
 * lay in it whole (no copy, no view made), else a copy of the message's pieces; valid only during
 * the call.
 */
export type MessageSink = (bytes: Buffer, start: number, end: number) => void;

export interface DeframerCounters {
  messages: number;
  oversize: number;
  /** Octet-counted frames cut short by the end of the connection. */
  truncated: number;
}

/**
 * No syslog sender writes a frame longer than this (the largest `limits.maxMessageBytes`);
 * a longer announced length or line is garbage or an attack, and skipping it would keep
 * the connection reading up to ~10 GB (a 10-digit length).
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The longest length prefix: 10 digits (as before: more digits make an LF-framed line). */
const MAX_LENGTH_DIGITS = 10;
const LF = 0x0a;
const SPACE = 0x20;

type State =
  /** Between messages: skipping separators (LF, CR, NUL). */
  | { readonly kind: 'between' }
  /** Reading a length prefix: its value and number of digits so far. */
  | { readonly kind: 'length'; length: number; digits: number }
  /** An octet-counted message: `remaining` bytes still to come into `pieces`. */
  | { readonly kind: 'counted'; remaining: number }
  /** An LF-framed message: its pieces so far, up to the LF. */
  | { readonly kind: 'line' }
  /** An oversize octet-counted message: `remaining` bytes still to skip. */
  | { readonly kind: 'skipCounted'; remaining: number }
  /** An oversize LF-framed message: skipping to its LF; `skipped` bytes so far. */
  | { readonly kind: 'skipLine'; skipped: number };

/** The states without data of their own: one object each, not one per message. */
const BETWEEN: State = { kind: 'between' };
const LINE: State = { kind: 'line' };

const isSeparator = (byte: number) => byte === LF || byte === 0x0d || byte === 0x00;

export class SyslogDeframer {
  readonly counters: DeframerCounters = { messages: 0, oversize: 0, truncated: 0 };
  private state: State = BETWEEN;
  /** The current message's bytes as received (subarrays of the chunks, not copies) while it spans chunks. */
  private readonly pieces: Buffer[] = [];
  private readonly lengthState = { kind: 'length' as const, length: 0, digits: 0 };
  private readonly countedState = { kind: 'counted' as const, remaining: 0 };
  private piecesLength = 0;
  /** Frames begun so far: tells the caller whether the frame under way is still the same one. */
  private framesBegun = 0;
  private stopped = false;

  constructor(private readonly maxSize: number) {}

  /** The stream announced or sent a frame longer than MAX_FRAME_BYTES; nothing more is read. */
  get overlong(): boolean {
    return this.stopped;
  }

  /** The number of the frame under way (begun, not complete), or undefined between frames. */
  get pendingFrame(): number | undefined {
    return this.state.kind === 'between' ? undefined : this.framesBegun;
  }

  /** Feeds received bytes; hands each complete message they finish to `out`. */
  push(chunk: Buffer, out: MessageSink): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) at = this.step(chunk, at, out);
  }

  /** The connection closed: a last LF-less message, if any (and not oversize), goes to `out`. */
  end(out: MessageSink): void {
    const { kind } = this.state;
    this.state = BETWEEN;
    if (kind === 'length' || kind === 'counted') this.counters.truncated++;
    if (kind !== 'line') {
      this.dropPieces();
      return;
    }
    this.counters.messages++;
    const message = this.takePieces();
    out(message, 0, message.length);
  }

  /** Consumes bytes of `chunk` from `at` in the current state; returns where it stopped. */
  private step(chunk: Buffer, at: number, out: MessageSink): number {
    const state = this.state;
    switch (state.kind) {
      case 'between':
        return this.skipSeparators(chunk, at);
      case 'length':
        return this.readLength(state, chunk, at);
      case 'counted':
      case 'skipCounted': {
        const taken = Math.min(state.remaining, chunk.length - at);
        state.remaining -= taken;
        if (state.kind === 'skipCounted') {
          if (state.remaining === 0) this.state = BETWEEN;
        } else if (state.remaining > 0) this.addPiece(chunk.subarray(at, at + taken));
        else this.finish(chunk, at, at + taken, out);
        return at + taken;
      }
      case 'line':
        return this.readLine(chunk, at, out);
      case 'skipLine': {
        const newline = chunk.indexOf(LF, at);
        if (newline >= 0) {
          this.state = BETWEEN;
          return newline + 1;
        }
        state.skipped += chunk.length - at;
        if (state.skipped > MAX_FRAME_BYTES) this.stopped = true;
        return chunk.length;
      }
    }
  }

  private skipSeparators(chunk: Buffer, at: number): number {
    while (at < chunk.length && isSeparator(chunk[at]!)) at++;
    if (at === chunk.length) return at;
    this.framesBegun++;
    const first = chunk[at]!;
    // A leading 1-9 starts a length; 0 cannot.
    if (isDigit(first) && first !== 0x30) {
      // This deframer's one length state, reset: a message's states cost no allocation.
      this.lengthState.length = 0;
      this.lengthState.digits = 0;
      this.state = this.lengthState;
    } else this.state = LINE;
    return at;
  }

  private readLength(state: { length: number; digits: number }, chunk: Buffer, at: number): number {
    for (; at < chunk.length; at++) {
      const byte = chunk[at]!;
      if (byte === SPACE) return this.beginCounted(state.length, at + 1);
      if (!isDigit(byte) || state.digits === MAX_LENGTH_DIGITS) {
        // Not a length after all: an LF-framed message that starts with digits (no leading 0, so the number spells them).
        this.addPiece(Buffer.from(String(state.length), 'latin1'));
        this.state = LINE;
        return at;
      }
      state.length = state.length * 10 + byte - 0x30;
      state.digits++;
    }
    return at;
  }

  private beginCounted(length: number, at: number): number {
    if (length > MAX_FRAME_BYTES) this.stopped = true;
    else if (length > this.maxSize) {
      this.counters.oversize++;
      this.state = { kind: 'skipCounted', remaining: length };
    } else {
      this.countedState.remaining = length;
      this.state = this.countedState;
    }
    return at;
  }

  private readLine(chunk: Buffer, at: number, out: MessageSink): number {
    const newline = chunk.indexOf(LF, at);
    const end = newline < 0 ? chunk.length : newline;
    if (this.piecesLength + (end - at) > this.maxSize) {
      this.counters.oversize++;
      const skipped = this.dropPieces() + (end - at);
      this.state = newline < 0 ? { kind: 'skipLine', skipped } : BETWEEN;
      return newline < 0 ? end : end + 1;
    }
    if (newline < 0) {
      this.addPiece(chunk.subarray(at, end));
      return end;
    }
    this.finish(chunk, at, end, out);
    return end + 1;
  }

  private addPiece(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.piecesLength += piece.length;
  }

  /** The current message as one buffer (copied only when it came in more than one piece). */
  private takePieces(): Buffer {
    const message = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.piecesLength);
    this.dropPieces();
    return message;
  }

  /** Forgets the current message's pieces; returns how many bytes they held. */
  private dropPieces(): number {
    const length = this.piecesLength;
    this.pieces.length = 0;
    this.piecesLength = 0;
    return length;
  }

  /**
   * The frame is complete with `chunk[start, end)`: its message goes to `out`, from the chunk
   * itself when it began there, else copied from its pieces. An LF-framed one loses a final CR.
   */
  private finish(chunk: Buffer, start: number, end: number, out: MessageSink): void {
    const wasLine = this.state.kind === 'line';
    this.state = BETWEEN;
    let bytes = chunk;
    if (this.pieces.length > 0) {
      this.addPiece(chunk.subarray(start, end));
      bytes = this.takePieces();
      start = 0;
      end = bytes.length;
    }
    if (wasLine && end > start && bytes[end - 1] === 0x0d) end--;
    this.counters.messages++;
    out(bytes, start, end);
  }
}
