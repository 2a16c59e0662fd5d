/**
 * UDP read by a thread of its own (ingest/udp-reader.ts): datagrams that arrive while the
 * receiving thread is blocked are read on and handed over afterwards, with every counter as
 * before. They come from util-linux `logger` run with spawnSync, which blocks this (the
 * receiving) thread for as long as logger sends, as a busy analyzer would be; before the reading
 * thread, more than the kernel's receive buffer holds was lost (counted as udpKernelDrops).
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { createLogger, silentLogger } from '../../../src/common/logger.js';
import type { SyslogEvent } from '../../../src/common/syslog/event.js';
import { ingestConfigSchema } from '../../../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../../../src/analyzer/ingest/receiver.js';
import { waitFor } from '../../helpers/analyzer-process.js';
import { procStat, threadNices } from '../../helpers/proc-stat.js';

describe('UDP read by its own thread', () => {
  let receiver: SyslogReceiver | undefined;
  afterEach(async () => receiver?.stop());

  async function start(limits: Record<string, number | null> = {}): Promise<{ receiver: SyslogReceiver; events: SyslogEvent[] }> {
    const events: SyslogEvent[] = [];
    const config = ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { enabled: false } }, limits });
    receiver = new SyslogReceiver({ config, clock: systemClock, logger: silentLogger, onEvent: (event) => events.push(event) });
    await receiver.start();
    return { receiver, events };
  }

  /** logger sends one datagram per line of `input`; this thread waits (blocked) until it has sent them all. */
  function loggerBurst(port: number, input: string | Buffer, extra: string[] = []): void {
    const result = spawnSync('logger', ['-d', '-n', '127.0.0.1', '-P', String(port), '--rfc3164', '-t', 'burst', ...extra], { input });
    expect(result.status, result.stderr.toString()).toBe(0);
  }

  async function allCounted(receiver: SyslogReceiver, sent: number): Promise<void> {
    await waitFor(async () => {
      receiver.refreshUdpDrops();
      const { received, udpKernelDrops, udpQueueDrops } = receiver.counters;
      return received.udp + udpKernelDrops + udpQueueDrops === sent ? true : undefined;
    }, `all ${sent} datagrams received or counted as dropped`);
  }

  it('bursts of 10,000 over ~1 s while the receiving thread is blocked: all received, in order, none dropped, each with its sender', async () => {
    const { receiver, events } = await start();
    const port = receiver.port('udp');
    // A first burst warms the reading thread's code (a cold thread runs it in the interpreter).
    loggerBurst(port, 'warm\n'.repeat(2000));
    await allCounted(receiver, 2000);
    events.length = 0;
    // 100 bursts of 100 lines of ~1,000 bytes, 5 ms apart: 10 MB, beyond any kernel receive buffer
    // (Linux grants twice the 4 MiB asked for, where net.core.rmem_max allows), each burst within it.
    const PADDING = 'p'.repeat(960);
    const CHUNKS = 100;
    const PER_CHUNK = 100;
    const script = `i=0; while [ $i -lt ${CHUNKS} ]; do seq -f 'line %g ${PADDING}' $((i*${PER_CHUNK})) $((i*${PER_CHUNK}+${PER_CHUNK - 1})) | logger -d -n 127.0.0.1 -P ${port} --rfc3164 -t burst --size 2000 || exit 1; sleep 0.005; i=$((i+1)); done`;
    const result = spawnSync('sh', ['-c', script]);
    expect(result.status, result.stderr.toString()).toBe(0);
    expect(events).toHaveLength(0); // nothing was handled while this thread was blocked
    const SENT = CHUNKS * PER_CHUNK;
    await allCounted(receiver, 2000 + SENT);
    expect(receiver.counters).toMatchObject({ received: { udp: 2000 + SENT }, udpKernelDrops: 0, udpQueueDrops: 0, parsed: { rfc3164: 2000 + SENT } });
    expect(events.map((event) => event.message)).toEqual(Array.from({ length: SENT }, (_, i) => `line ${i} ${PADDING}`));
    // Every event has its datagram's sender: one logger, one source port, per burst.
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      const sources = new Set(events.slice(chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK).map((event) => event.source));
      expect([...sources]).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    }
  });

  // A nice value above the process's needs no privilege (setpriority(2)); below, test/systemd/units.test.ts.
  it('the reading thread, and it alone, runs at limits.udpReaderNice; with null it keeps the nice of the thread that started it', async () => {
    const before = threadNices();
    expect([...before.values()]).not.toContain(7);
    const { receiver, events } = await start({ udpReaderNice: 7 });
    const during = threadNices();
    expect([...during.values()].filter((nice) => nice === 7)).toHaveLength(1);
    for (const [tid, nice] of before) if (during.has(tid)) expect(during.get(tid)).toBe(nice);
    loggerBurst(receiver.port('udp'), 'at nice 7\n');
    await allCounted(receiver, 1);
    expect(events.map((event) => event.message)).toEqual(['at nice 7']);
    await receiver.stop();
    await waitFor(async () => ([...threadNices().values()].includes(7) ? undefined : true), 'the reading thread to end');
    const beforeNull = threadNices();
    await start({ udpReaderNice: null });
    const added = [...threadNices()].filter(([tid]) => !beforeNull.has(tid)).map(([, nice]) => nice);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((nice) => nice === procStat('/proc/thread-self/stat')(19))).toBe(true);
  });

  it('oversize and invalid UTF-8 datagrams in a burst are counted as before: oversize skipped, bad bytes kept as U+FFFD', async () => {
    const { receiver, events } = await start({ maxMessageBytes: 480 });
    const long = 'x'.repeat(1000);
    const input = Buffer.concat([Buffer.from(`ok 1\n${long}\nbad \xff\xfe bytes\n`, 'latin1'), Buffer.from(`ok 2\n${long}\n`)]);
    loggerBurst(receiver.port('udp'), input, ['--size', '2000']);
    await allCounted(receiver, 5);
    expect(receiver.counters).toMatchObject({ received: { udp: 5 }, oversize: 2, invalidUtf8: 1, udpKernelDrops: 0, udpQueueDrops: 0 });
    expect(events.map((event) => event.message)).toEqual(['ok 1', 'bad \ufffd\ufffd bytes', 'ok 2']);
  });

  it('what waits for the receiving thread is bounded (limits.udpQueueBytes): beyond it datagrams are dropped and counted', async () => {
    const { receiver, events } = await start({ udpQueueBytes: 1 << 20 });
    const SENT = 20_000;
    // ~1,000-byte datagrams: 20 MB, twenty times the bound.
    loggerBurst(receiver.port('udp'), `${Array.from({ length: SENT }, (_, i) => `${i} ${'y'.repeat(960)}`).join('\n')}\n`, ['--size', '2000']);
    await allCounted(receiver, SENT);
    const { received, udpQueueDrops } = receiver.counters;
    expect(udpQueueDrops).toBeGreaterThan(0);
    // The bound's worth (1 MiB of datagrams of more than 960 bytes and 64 more each), and what the
    // kernel's buffer (at most the 4 MiB asked for) held when the queue had room again.
    expect(received.udp).toBeLessThanOrEqual((1 << 20) / (960 + 64) + (4 << 20) / 960);
    expect(events).toHaveLength(received.udp);
  });

  it('a reading thread that dies is replaced on the same port, and the error logged', async () => {
    const lines: string[] = [];
    const events: SyslogEvent[] = [];
    const config = ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { enabled: false } } });
    receiver = new SyslogReceiver({
      config,
      clock: systemClock,
      logger: createLogger({ sink: (_level, line) => lines.push(line) }),
      onEvent: (e) => events.push(e),
    });
    await receiver.start();
    const port = receiver.port('udp');
    loggerBurst(port, 'before\n');
    await allCounted(receiver, 1);
    // The thread is private: only a bug could end it, so the test ends it by hand.
    const reader = (receiver as unknown as { udp: { worker: { terminate(): Promise<number> } } }).udp;
    await reader.worker.terminate();
    await waitFor(async () => {
      loggerBurst(port, 'after\n');
      return events.some((event) => event.message === 'after') ? true : undefined;
    }, 'a datagram received by the new thread');
    expect(receiver.port('udp')).toBe(port);
    expect(lines.join('\n')).toContain('the UDP reading thread stopped; a new one started');
  });
});
