/**
 * TCP de-framing (RFC 6587 §3.4.1 octet counting, §3.4.2 non-transparent framing with LF) on one
 * connection, however the stream is cut. The structure-aware fuzz is test/security/framing-fuzz.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SyslogDeframer } from '../../../src/common/syslog/framing.js';

/** The messages `deframer` hands out for `chunks` as text, each read during its call (the sink's contract). */
const all = (deframer: SyslogDeframer, chunks: (string | Buffer)[]) => {
  const out: string[] = [];
  for (const chunk of chunks) deframer.push(Buffer.from(chunk), (bytes, start, end) => out.push(bytes.toString('utf8', start, end)));
  return out;
};
const atEnd = (deframer: SyslogDeframer) => {
  const out: string[] = [];
  deframer.end((bytes, start, end) => out.push(bytes.toString('utf8', start, end)));
  return out;
};

describe('TCP de-framing', () => {
  it('octet counting and LF framing on one stream, split at every byte', () => {
    const stream = '11 hello world6 °C ok\nplain line\r\n\u000017 second <13> frame\n';
    const whole = all(new SyslogDeframer(100), [stream]);
    expect(whole).toEqual(['hello world', '°C ok', 'plain line', 'second <13> frame']);
    const bytes = Buffer.from(stream);
    const byByte = all(
      new SyslogDeframer(100),
      Array.from(bytes, (b) => Buffer.from([b])),
    );
    expect(byByte).toEqual(whole);
  });

  it('skips oversize messages whole, counts them, and goes on', () => {
    const deframer = new SyslogDeframer(10);
    const out = all(deframer, ['20 ', 'x'.repeat(20), '3 abc', 'y'.repeat(15), 'zz\nshort\n']);
    expect(out).toEqual(['abc', 'short']);
    expect(deframer.counters).toEqual({ messages: 2, oversize: 2, truncated: 0 });
  });

  it('at the end of the stream: a last unterminated line is a message, a cut frame is counted', () => {
    const lf = new SyslogDeframer(100);
    expect(all(lf, ['no newline'])).toEqual([]);
    expect(atEnd(lf)).toEqual(['no newline']);
    const cut = new SyslogDeframer(100);
    expect(all(cut, ['30 only part'])).toEqual([]);
    expect(atEnd(cut)).toEqual([]);
    expect(cut.counters.truncated).toBe(1);
  });

  it('a message within one chunk is handed out as a range of that chunk (no copy); one across chunks as a copy of its pieces', () => {
    const deframer = new SyslogDeframer(100);
    const chunk = Buffer.from('5 first6 sec');
    const seen: { same: boolean; text: string }[] = [];
    const sink = (bytes: Buffer, start: number, end: number) => seen.push({ same: bytes === chunk, text: bytes.toString('latin1', start, end) });
    deframer.push(chunk, sink);
    deframer.push(Buffer.from('ond\nthird\r\n'), sink);
    expect(seen).toEqual([
      { same: true, text: 'first' },
      { same: false, text: 'second' },
      { same: false, text: 'third' },
    ]);
  });
});
