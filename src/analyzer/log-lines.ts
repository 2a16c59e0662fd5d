/**
 * A log's lines as readline splits them (LF, CRLF or a lone CR ends a line; a last line without
 * one is a line, an empty end is not), a chunk's lines at a time: replay reads a million lines,
 * and readline's event and promise per line cost more than the rules.
 */
export async function* logLines(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of chunks) {
    let text = rest + chunk;
    // A CR at the end may be the first half of a CRLF: it waits for the next chunk.
    const endsInCr = text.endsWith('\r');
    if (endsInCr) text = text.slice(0, -1);
    const lines = text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
    rest = lines.pop()! + (endsInCr ? '\r' : '');
    if (lines.length > 0) yield lines;
  }
  if (rest.endsWith('\r')) yield [rest.slice(0, -1)];
  else if (rest !== '') yield [rest];
}
