/**
 * A log's lines from its bytes, as readline splits them (LF, CRLF or a lone CR ends a line; a last
 * line without one is a line, an empty end is not), a chunk's lines at a time: replay reads a
 * million lines, and readline's event and promise per line cost more than the rules.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/** A chunk as text: UTF-8 (invalid sequences U+FFFD), an ASCII chunk without a UTF-8 pass. */
function decoder(): { write(chunk: Buffer): string; end(): string } {
  const utf8 = new StringDecoder('utf8');
  return {
    // An ASCII byte cannot continue a sequence the last chunk left open, so end() gives what
    // write() would have made of it: '' or U+FFFD.
    write: (chunk) => (isAscii(chunk) ? utf8.end() + chunk.toString('latin1') : utf8.write(chunk)),
    end: () => utf8.end(),
  };
}

export async function* logLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  const decode = decoder();
  let rest = '';
  /** The lines `text` ends, after what the last chunk left over (kept in `rest`). */
  const linesOf = (text: string): string[] => {
    if (!text.includes('\r') && !rest.endsWith('\r')) {
      // The common case, split without joining the chunk to the line left over from the last one
      // (a rope that splitting would first copy whole).
      const lines = text.split('\n');
      lines[0] = rest + lines[0]!;
      rest = lines.pop()!;
      return lines;
    }
    let joined = rest + text;
    // A CR at the end may be the first half of a CRLF: it waits for the next chunk.
    const endsInCr = joined.endsWith('\r');
    if (endsInCr) joined = joined.slice(0, -1);
    const lines = joined.split(/\r\n|\r|\n/);
    rest = lines.pop()! + (endsInCr ? '\r' : '');
    return lines;
  };
  for await (const chunk of chunks) {
    const lines = linesOf(decode.write(chunk));
    if (lines.length > 0) yield lines;
  }
  const lines = linesOf(decode.end());
  if (rest.endsWith('\r')) lines.push(rest.slice(0, -1));
  else if (rest !== '') lines.push(rest);
  if (lines.length > 0) yield lines;
}
