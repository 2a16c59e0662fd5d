/**
 * Security review of the syslog receivers (issue #14), one describe per class of defect, each
 * reproduced over real loopback sockets against an in-process SyslogReceiver (real clock, small
 * timeouts), then a legitimate sender (util-linux `logger`) still gets its message in and the
 * counters say what was refused or closed.
 *
 * Attackers connect from other loopback addresses (127.0.0.2…; all of 127/8 is local on
 * Linux) so that the per-source limit can tell them from `logger` on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import type { SyslogEvent } from '../../src/common/syslog/event.js';
import { SyslogDeframer, type MessageSink } from '../../src/common/syslog/framing.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { ingestConfigSchema } from '../../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../../src/analyzer/ingest/receiver.js';
import { selfSignedCertificate } from '../helpers/self-signed.js';

/** A parser bug on demand, independent of the real parser's bugs (which get fixed): passed in through the receiver's parse seam. */
const PARSER_BUG = 'INJECTED-PARSER-BUG';
const parseWithBug: typeof parseSyslog = (text, context) => {
  if (text.includes(PARSER_BUG)) throw new TypeError('injected parser bug');
  return parseSyslog(text, context);
};

const run = promisify(execFile);

let receiver: SyslogReceiver | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.destroy();
  await receiver?.stop();
  receiver = undefined;
});

async function start(config: { limits?: Record<string, unknown>; listen?: Record<string, unknown> } = {}, onEvent?: (event: SyslogEvent) => void) {
  const events: SyslogEvent[] = [];
  const parsed = ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { port: 0 }, ...config.listen }, limits: config.limits ?? {} });
  receiver = new SyslogReceiver({
    config: parsed,
    clock: systemClock,
    logger: silentLogger,
    parse: parseWithBug,
    onEvent: (event) => {
      onEvent?.(event);
      events.push(event);
    },
  });
  await receiver.start();
  return { receiver, events };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** util-linux logger over TCP from 127.0.0.1, RFC 5424, app `legit`. */
async function legitimateSender(receiver: SyslogReceiver, message: string): Promise<void> {
  await run('logger', ['-T', '-n', '127.0.0.1', '-P', String(receiver.port('tcp')), '--rfc5424', '-t', 'legit', message]);
}
const arrived = (events: SyslogEvent[], message: string) => () => events.some((e) => e.app === 'legit' && e.message === message);

/** A raw TCP client from `from` (a loopback address); errors (resets by the receiver) are expected. */
async function openClient(receiver: SyslogReceiver, from = '127.0.0.2'): Promise<Socket & { whenClosed: Promise<void> }> {
  const socket = connect({ port: receiver.port('tcp'), host: '127.0.0.1', localAddress: from });
  clients.push(socket);
  socket.on('error', () => {});
  const whenClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return Object.assign(socket, { whenClosed });
}

describe('1. a message the parser throws on costs that message, not the daemon', () => {
  it('over UDP and TCP: counted as parseErrors, and the next message (logger) is received', async () => {
    const { receiver, events } = await start();
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.send(`<13>1 - h probe - - - ${PARSER_BUG}`, receiver.port('udp'), '127.0.0.1', () => resolve()));
    udp.close();
    const tcp = await openClient(receiver);
    tcp.write(`<13>1 - h probe - - - ${PARSER_BUG}\n<13>1 - h probe - - - after the bug\n`);
    await until(() => receiver.counters.parseErrors === 2, 'two parse errors');
    await legitimateSender(receiver, 'still receiving');
    await until(arrived(events, 'still receiving'), 'the legitimate message');
    // The bad message's connection is not punished: its next message went through.
    expect(events.map((e) => e.message)).toContain('after the bug');
    expect(receiver.counters.parseErrors).toBe(2);
  });

  it('the structured-data input that made the parser throw: parsed or counted, never fatal', async () => {
    const { receiver, events } = await start();
    const input = '<13>1 - h probe - - [x@1 toString="a"] m';
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.send(input, receiver.port('udp'), '127.0.0.1', () => resolve()));
    udp.close();
    (await openClient(receiver)).write(`${input}\n`);
    await until(() => receiver.counters.received.udp + receiver.counters.received.tcp === 2, 'both copies');
    await legitimateSender(receiver, 'after toString');
    await until(arrived(events, 'after toString'), 'the legitimate message');
    const { parsed, parseErrors } = receiver.counters;
    expect(parsed.rfc5424 + parsed.rfc3164 + parsed.raw + parseErrors).toBe(3);
  });

  it('a throwing event sink is counted as sinkErrors; the connection and the receiver go on', async () => {
    const { receiver, events } = await start({}, (event) => {
      if (event.message === 'poison') throw new Error('rule bug');
    });
    (await openClient(receiver)).write('<13>1 - h probe - - - poison\n<13>1 - h probe - - - next\n');
    await until(() => events.some((e) => e.message === 'next'), 'the next message');
    await legitimateSender(receiver, 'after the sink failed');
    await until(arrived(events, 'after the sink failed'), 'the legitimate message');
    expect(receiver.counters.sinkErrors).toBe(1);
  });

  it('a throw while handling a connection closes that connection only (handlerError)', async () => {
    const { receiver, events } = await start();
    const push = SyslogDeframer.prototype.push;
    vi.spyOn(SyslogDeframer.prototype, 'push').mockImplementation(function (this: SyslogDeframer, chunk: Buffer, out: MessageSink) {
      if (chunk.includes(PARSER_BUG)) throw new Error('injected deframer bug');
      push.call(this, chunk, out);
    });
    const victim = await openClient(receiver);
    victim.write(`${PARSER_BUG}\n`);
    await victim.whenClosed;
    await legitimateSender(receiver, 'after the handler failed');
    await until(arrived(events, 'after the handler failed'), 'the legitimate message');
    expect(receiver.counters.closedConnections.handlerError).toBe(1);
  });
});

describe('2. idle and stalled TCP connections cannot lock the senders out', () => {
  it('one source opening connections without end gets maxConnectionsPerSource; logger still gets in', async () => {
    const { receiver, events } = await start({ limits: { maxConnections: 100, maxConnectionsPerSource: 10 } });
    await Promise.all(Array.from({ length: 150 }, () => openClient(receiver, '127.0.0.2')));
    await until(() => receiver.counters.refusedConnections.perSource === 140, '140 refusals');
    await legitimateSender(receiver, 'not locked out');
    await until(arrived(events, 'not locked out'), 'the legitimate message');
    expect(receiver.counters.refusedConnections).toEqual({ perSource: 140, maxConnections: 0 });
    expect(receiver.counters.closedConnections.evicted).toBe(0);
  });

  it("maxConnections idle connections from several sources: a new source evicts the heaviest source's least active one", async () => {
    const { receiver, events } = await start({ limits: { maxConnections: 100, maxConnectionsPerSource: 20 } });
    // 127.0.0.2 holds 20, 127.0.0.3..10 hold 10 each: 100 in all, the limit.
    const heavy = await Promise.all(Array.from({ length: 20 }, () => openClient(receiver, '127.0.0.2')));
    for (let host = 3; host <= 10; host++) await Promise.all(Array.from({ length: 10 }, () => openClient(receiver, `127.0.0.${host}`)));
    await until(() => receiver.counters.connections === 100, '100 connections');
    // The heavy source's first connection stays active; another of its connections is the one to go.
    heavy[0]!.write('<13>1 - h attacker - - - keepalive\n');
    await until(() => events.some((e) => e.message === 'keepalive'), 'the keepalive');
    await legitimateSender(receiver, 'not locked out');
    await until(arrived(events, 'not locked out'), 'the legitimate message');
    expect(receiver.counters.closedConnections.evicted).toBe(1);
    expect(receiver.counters.refusedConnections).toEqual({ perSource: 0, maxConnections: 0 });
    await Promise.race(heavy.slice(1).map((client) => client.whenClosed));
    expect(heavy[0]!.destroyed).toBe(false);
  });

  it('at maxConnections, a source no lighter than the heaviest is refused (counted), not let in by eviction', async () => {
    const { receiver } = await start({ limits: { maxConnections: 3, maxConnectionsPerSource: 3 } });
    for (const host of [2, 3, 4]) await openClient(receiver, `127.0.0.${host}`);
    const late = await openClient(receiver, '127.0.0.5');
    await late.whenClosed;
    expect(receiver.counters.refusedConnections).toEqual({ perSource: 0, maxConnections: 1 });
    expect(receiver.counters.closedConnections.evicted).toBe(0);
  });

  it('an idle connection is closed after limits.idleTimeout; one that sends in time is not', async () => {
    const { receiver, events } = await start({ limits: { idleTimeout: '200ms' } });
    const idle = await openClient(receiver);
    const talker = await openClient(receiver, '127.0.0.3');
    for (let i = 0; i < 8; i++) {
      talker.write(`<13>1 - talker app - - - tick ${i}\n`);
      await sleep(75);
    }
    await idle.whenClosed;
    expect(talker.destroyed).toBe(false);
    expect(receiver.counters.closedConnections.idle).toBe(1);
    await legitimateSender(receiver, 'after idle');
    await until(arrived(events, 'after idle'), 'the legitimate message');
    expect(events.filter((e) => e.host === 'talker')).toHaveLength(8);
  });

  it('a stalled frame (announced length, oversize length, line) is closed after limits.frameTimeout', async () => {
    const { receiver, events } = await start({ limits: { frameTimeout: '200ms', maxMessageBytes: 1024 } });
    const stalled = await Promise.all(
      ['500 only part of it', '100000 ', '100000 some of the oversize one', '<13>1 - h probe - - - no LF yet'].map(async (start, i) => {
        const client = await openClient(receiver, `127.0.0.${2 + i}`);
        client.write(start);
        return client;
      }),
    );
    await Promise.all(stalled.map((client) => client.whenClosed));
    expect(receiver.counters.closedConnections.partialFrame).toBe(4);
    await legitimateSender(receiver, 'after stalls');
    await until(arrived(events, 'after stalls'), 'the legitimate message');
  });

  it('a frame in progress at every read (a busy sender) is not closed: the timeout is per frame', async () => {
    const { receiver, events } = await start({ limits: { frameTimeout: '200ms' } });
    const busy = await openClient(receiver);
    const frame = (i: number) => Buffer.from(`<13>1 - busy app - - - message ${i}\n`);
    // Each write ends in the middle of the next message; 10 writes over ~750 ms.
    busy.write(frame(0).subarray(0, 10));
    for (let i = 0; i < 10; i++) {
      await sleep(75);
      busy.write(Buffer.concat([frame(i).subarray(10), frame(i + 1).subarray(0, 10)]));
    }
    await until(() => events.filter((e) => e.host === 'busy').length === 10, 'ten messages');
    expect(busy.destroyed).toBe(false);
    expect(receiver.counters.closedConnections.partialFrame).toBe(0);
    busy.end(frame(10).subarray(10));
    await until(() => events.filter((e) => e.host === 'busy').length === 11, 'the last message');
  });

  it('a 2 GB length prefix then nothing closes the connection at once (overlongFrame), whatever frameTimeout says', async () => {
    const { receiver, events } = await start({ limits: { frameTimeout: '1h' } });
    const client = await openClient(receiver);
    client.write('2000000000 ');
    await client.whenClosed;
    expect(receiver.counters.closedConnections.overlongFrame).toBe(1);
    await legitimateSender(receiver, 'after 2 GB');
    await until(arrived(events, 'after 2 GB'), 'the legitimate message');
  });
});

describe('3. byte-at-a-time input costs linear work', () => {
  /** Bytes copied by Buffer.concat and scanned by Buffer#indexOf while `feed` runs. */
  function bytesWorked(feed: () => void): number {
    const concat = vi.spyOn(Buffer, 'concat');
    const indexOf = vi.spyOn(Buffer.prototype, 'indexOf');
    try {
      feed();
      const copied = concat.mock.results.reduce((sum, result) => sum + (result.value as Buffer).length, 0);
      const scanned = indexOf.mock.calls.reduce((sum, call, i) => sum + (indexOf.mock.contexts[i] as Buffer).length - Number(call[1] ?? 0), 0);
      return copied + scanned;
    } finally {
      concat.mockRestore();
      indexOf.mockRestore();
    }
  }

  it.each([
    ['an LF-framed line', (body: string) => `${body}\n`],
    ['an octet-counted frame', (body: string) => `${body.length} ${body}`],
  ])('%s of 60 KB one byte per push: each byte copied and scanned about once', (_, frame) => {
    const body = `<13>1 - h probe - - - ${'x'.repeat(60_000)}`;
    const stream = Buffer.from(frame(body));
    const deframer = new SyslogDeframer(64 * 1024);
    const messages: string[] = [];
    const work = bytesWorked(() => {
      for (const byte of stream) deframer.push(Buffer.from([byte]), (bytes, start, end) => messages.push(bytes.toString('utf8', start, end)));
    });
    expect(messages).toEqual([body]);
    expect(work).toBeLessThanOrEqual(3 * stream.length);
  });

  it('over a socket: a 60 KB line one byte per write arrives whole; logger still gets in', async () => {
    const { receiver, events } = await start();
    const client = await openClient(receiver);
    client.setNoDelay(true);
    const body = `<13>1 - bytewise app - - - ${'y'.repeat(60_000)}`;
    for (const byte of Buffer.from(`${body}\n`)) client.write(Buffer.from([byte]));
    await until(() => events.some((e) => e.host === 'bytewise'), 'the 60 KB message', 15_000);
    expect(events.find((e) => e.host === 'bytewise')!.message).toHaveLength(60_000);
    await legitimateSender(receiver, 'after bytewise');
    await until(arrived(events, 'after bytewise'), 'the legitimate message');
  });
});

describe('4. failed TLS handshakes are counted', () => {
  it('plain text to the TLS port: tlsHandshakeFailures; a TLS client still gets its message in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-tls-sec-'));
    try {
      const { cert, key } = await selfSignedCertificate(dir, 'IP:127.0.0.1');
      const { receiver, events } = await start({ listen: { udp: { enabled: false }, tcp: { enabled: false }, tls: { enabled: true, port: 0, cert, key } } });
      const plain = connect({ port: receiver.port('tls'), host: '127.0.0.1' });
      clients.push(plain);
      plain.on('error', () => {});
      plain.write('<13>1 - h probe - - - not TLS\n');
      await new Promise((resolve) => plain.once('close', resolve));
      await until(() => receiver.counters.tlsHandshakeFailures === 1, 'the failed handshake counted');
      const secure = tlsConnect({ port: receiver.port('tls'), host: '127.0.0.1', ca: await readFile(cert) });
      clients.push(secure);
      await new Promise((resolve) => secure.once('secureConnect', resolve));
      secure.end('<13>1 - tls-sender app - - - over TLS\n');
      await until(() => events.some((e) => e.host === 'tls-sender'), 'the TLS message');
      expect(receiver.counters.tlsHandshakeFailures).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
