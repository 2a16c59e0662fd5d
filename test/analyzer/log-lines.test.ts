/** A log's lines for replay, as node's readline (crlfDelay: Infinity) splits them, however the text is chunked. */
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { logLines } from '../../src/analyzer/log-lines.js';

async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([text]), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function ours(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of logLines(Readable.from(chunks))) lines.push(...batch);
  return lines;
}

describe('logLines', () => {
  it('splits as readline does at LF, CRLF and lone CR, with the text cut at every place', async () => {
    for (const text of ['a\nb\r\nc\rd', 'a\r\n\r\nb\n\nc\r\r\n', '\r\n', '\n\n', 'no end', 'ends\n', 'ends\r', 'x\r\r\ny\n\r', '']) {
      const expected = await readlineLines(text);
      expect(await ours([text]), JSON.stringify(text)).toEqual(expected);
      for (let cut = 0; cut <= text.length; cut++)
        expect(await ours([text.slice(0, cut), text.slice(cut)]), `${JSON.stringify(text)} cut at ${cut}`).toEqual(expected);
      expect(await ours([...text]), `${JSON.stringify(text)} by character`).toEqual(expected);
    }
  });
});
