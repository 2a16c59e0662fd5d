/**
 * A log's lines for replay, as node's readline (crlfDelay: Infinity) splits them and as a UTF-8
 * stream decodes them (a StringDecoder: invalid sequences U+FFFD), however the bytes are chunked.
 */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logLines } from '../../src/analyzer/log-lines.js';

async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([text]), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function ours(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of logLines(Readable.from(chunks))) lines.push(...batch);
  return lines;
}

/** `bytes` cut at `cuts` (sorted, deduplicated places). */
function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const places = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...places, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : places[i - 1], end));
}

describe('logLines', () => {
  it('splits as readline does at LF, CRLF and lone CR, with the text cut at every place', async () => {
    for (const text of ['a\nb\r\nc\rd', 'a\r\n\r\nb\n\nc\r\r\n', '\r\n', '\n\n', 'no end', 'ends\n', 'ends\r', 'x\r\r\ny\n\r', '']) {
      const bytes = Buffer.from(text);
      const expected = await readlineLines(text);
      expect(await ours([bytes]), JSON.stringify(text)).toEqual(expected);
      for (let cut = 0; cut <= bytes.length; cut++)
        expect(await ours([bytes.subarray(0, cut), bytes.subarray(cut)]), `${JSON.stringify(text)} cut at ${cut}`).toEqual(expected);
      expect(await ours([...bytes].map((byte) => Buffer.from([byte]))), `${JSON.stringify(text)} by byte`).toEqual(expected);
    }
  });

  it('decodes UTF-8 across chunks, ASCII or not, invalid bytes as U+FFFD, as one StringDecoder over the whole', async () => {
    // Line ends, ASCII, multi-byte characters and bytes that are no UTF-8 (lone continuations, cut sequences).
    const piece = fc.oneof(
      fc.constantFrom('\n', '\r', '\r\n', 'a', ' '),
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.uint8Array({ maxLength: 3 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            piece.map((text) => Buffer.from(text)),
            fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b)),
          ),
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (pieces, cuts) => {
          const bytes = Buffer.concat(pieces);
          const whole = new StringDecoder('utf8');
          const expected = await readlineLines(whole.write(bytes) + whole.end());
          expect(await ours(cutAt(bytes, cuts))).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
