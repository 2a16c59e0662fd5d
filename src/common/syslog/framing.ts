/**
 * Splitting a TCP syslog stream into messages (RFC 6587), incrementally: octet counting
 * (`LENGTH SP MESSAGE`, decided per message by a leading digit) and non-transparent framing
 * (a message ends at LF; CRLF and NUL are tolerated) on the same connection. A message longer
 * than `maxSize` is skipped whole and counted, never buffered: for octet counting its announced
 * length is skipped; for LF framing everything up to the next LF.
 */
export interface DeframerCounters {
  messages: number;
  oversize: number;
  /** Octet-counted frames cut short by the end of the connection. */
  truncated: number;
}

export class SyslogDeframer {
  readonly counters: DeframerCounters = { messages: 0, oversize: 0, truncated: 0 };
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes still to skip of an oversize message. */
  private skipBytes = 0;
  /** Skipping an oversize LF-framed message until its LF. */
  private skipToNewline = false;

  constructor(private readonly maxSize: number) {}

  /** Feeds received bytes; returns the complete messages they finish. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.skipBytes > 0) {
        const skipped = Math.min(this.skipBytes, data.length);
        this.skipBytes -= skipped;
        data = data.subarray(skipped);
        if (this.skipBytes > 0) break;
      }
      if (this.skipToNewline) {
        const newline = data.indexOf(0x0a);
        if (newline < 0) {
          data = data.subarray(data.length);
          break;
        }
        this.skipToNewline = false;
        data = data.subarray(newline + 1);
      }
      // Separators between messages (a sender may end octet-counted frames with LF anyway).
      let start = 0;
      while (start < data.length && (data[start] === 0x0a || data[start] === 0x0d || data[start] === 0x00)) start++;
      data = data.subarray(start);
      if (data.length === 0) break;
      const first = data[0]!;
      if (first >= 0x31 && first <= 0x39) {
        const space = data.indexOf(0x20);
        const digits = space < 0 ? data.length : space;
        if (digits > 10 || !/^\d+$/.test(data.subarray(0, digits).toString('latin1'))) {
          // Not a length after all: treat as an LF-framed message that starts with digits.
          if (!this.takeLine(data, out)) break;
          data = this.rest;
          continue;
        }
        if (space < 0) break; // length not complete yet
        const length = Number(data.subarray(0, space).toString('latin1'));
        const body = data.subarray(space + 1);
        if (length > this.maxSize) {
          this.counters.oversize++;
          this.skipBytes = length;
          data = body;
          continue;
        }
        if (body.length < length) break;
        out.push(body.subarray(0, length));
        this.counters.messages++;
        data = body.subarray(length);
        continue;
      }
      if (!this.takeLine(data, out)) break;
      data = this.rest;
    }
    this.buffer = Buffer.from(data);
    if (this.buffer.length > this.maxSize && !this.skipToNewline && this.skipBytes === 0) {
      // An LF-framed message already too long: drop what we have and skip to its end.
      this.counters.oversize++;
      this.buffer = Buffer.alloc(0);
      this.skipToNewline = true;
    }
    return out;
  }

  private rest: Buffer = Buffer.alloc(0);

  /** An LF-terminated message from `data`; false when its LF has not arrived yet. */
  private takeLine(data: Buffer, out: Buffer[]): boolean {
    const newline = data.indexOf(0x0a);
    if (newline < 0) return false;
    const line = data.subarray(0, newline);
    if (line.length > this.maxSize) this.counters.oversize++;
    else {
      out.push(line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line);
      this.counters.messages++;
    }
    this.rest = data.subarray(newline + 1);
    return true;
  }

  /** What is left when the connection closes: a last LF-less message, if any (and not oversize). */
  end(): Buffer[] {
    const last = this.buffer;
    this.buffer = Buffer.alloc(0);
    if (last.length === 0 || this.skipBytes > 0 || this.skipToNewline) return [];
    const first = last[0]!;
    if (first >= 0x31 && first <= 0x39 && /^\d{1,10}( |$)/.test(last.subarray(0, 11).toString('latin1'))) {
      this.counters.truncated++;
      return [];
    }
    this.counters.messages++;
    return [last];
  }
}
