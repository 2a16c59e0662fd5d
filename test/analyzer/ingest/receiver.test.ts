/**
 * The analyzer's syslog receivers with real senders: util-linux
 * `logger` over UDP and TCP, rsyslog forwarding with octet counting, and a fuzz of garbage,
 * oversize and truncated input between valid messages (all valid ones processed, counts exact).
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import type { SyslogEvent } from '../../../src/common/syslog/event.js';
import { ingestConfigSchema } from '../../../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../../../src/analyzer/ingest/receiver.js';
import { syslogConfigSchema } from '../../../src/agent/syslog/config.js';
import { SyslogForwarder } from '../../../src/agent/syslog/forwarder.js';
import { freeUdpPort } from '../../helpers/ports.js';
import { requireRsyslog } from '../../helpers/rsyslog-collector.js';
import { selfSignedCertificate } from '../../helpers/self-signed.js';

const run = promisify(execFile);

describe('the receiver', () => {
  let receiver: SyslogReceiver | undefined;
  afterEach(async () => receiver?.stop());

  async function start(limits: Record<string, number> = {}): Promise<{ receiver: SyslogReceiver; events: SyslogEvent[] }> {
    const events: SyslogEvent[] = [];
    const config = ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { port: 0 } }, limits });
    receiver = new SyslogReceiver({ config, clock: systemClock, logger: silentLogger, onEvent: (e) => events.push(e) });
    await receiver.start();
    return { receiver, events };
  }
  const until = async (check: () => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('util-linux logger: RFC 3164 and RFC 5424 (with structured data) over UDP and TCP', async () => {
    const { receiver, events } = await start();
    const [udp, tcp] = [String(receiver.port('udp')), String(receiver.port('tcp'))];
    await run('logger', ['-d', '-n', '127.0.0.1', '-P', udp, '--rfc3164', '-t', 'openvpn', '-p', 'local0.warning', 'user alice from 203.0.113.9']);
    await run('logger', [
      '-d',
      '-n',
      '127.0.0.1',
      '-P',
      udp,
      '--rfc5424',
      '-t',
      'sensor',
      '--msgid',
      'STATUS',
      '--sd-id',
      'status@21600',
      '--sd-param',
      'to="critical"',
      'too warm',
    ]);
    await run('logger', ['-T', '-n', '127.0.0.1', '-P', tcp, '--rfc5424', '-t', 'rdp', '-p', 'auth.info', 'logon 0x3e7']);
    await run('logger', ['-T', '-n', '127.0.0.1', '-P', tcp, '--rfc3164', '-t', 'cron', 'tick']);
    await until(() => events.length === 4, 'four events');
    const by = (app: string) => events.find((e) => e.app === app)!;
    expect(by('openvpn')).toMatchObject({ format: 'rfc3164', facility: 16, severity: 4, message: 'user alice from 203.0.113.9' });
    expect(by('sensor')).toMatchObject({ format: 'rfc5424', msgId: 'STATUS', message: 'too warm' });
    expect(by('sensor').structuredData['status@21600']).toEqual({ to: ['critical'] });
    expect(by('rdp')).toMatchObject({ format: 'rfc5424', facility: 4, severity: 6, message: 'logon 0x3e7' });
    expect(by('cron')).toMatchObject({ format: 'rfc3164', message: 'tick' });
    expect(receiver.counters.received).toEqual({ udp: 2, tcp: 2, tls: 0 });
  });

  it('reads ASCII, UTF-8 and invalid UTF-8 as the UTF-8 decoder does: every byte below 0x80 the same character, bad bytes U+FFFD and counted', async () => {
    const { receiver, events } = await start();
    const bodies = [Buffer.from('plain ASCII \t\x01\x7f ~'), Buffer.from('Grüße, 日本, 🎉'), Buffer.from([0x62, 0x61, 0x64, 0x20, 0xc3, 0x28, 0xff, 0x41])];
    const udp = createSocket('udp4');
    for (const [i, body] of bodies.entries()) {
      const datagram = Buffer.concat([Buffer.from(`<134>1 2026-01-01T00:00:00Z h app - M${i} - `), body]);
      await new Promise<void>((resolve) => udp.send(datagram, receiver.port('udp'), '127.0.0.1', () => resolve()));
    }
    udp.close();
    // Over TCP the receiver checks a whole read for ASCII first: one write with all three (a read
    // with non-ASCII bytes, decoded message by message), then one with only the ASCII one.
    const tcp = connect(receiver.port('tcp'), '127.0.0.1');
    const frames = (msgId: string, list: Buffer[]) =>
      Buffer.concat(list.map((body, i) => Buffer.concat([Buffer.from(`<134>1 2026-01-01T00:00:00Z h app - ${msgId}${i} - `), body, Buffer.from('\n')])));
    await new Promise<void>((resolve) => tcp.write(frames('T0', bodies), () => resolve()));
    await until(() => events.length === 6, 'six events');
    await new Promise<void>((resolve) => tcp.end(frames('T1', bodies.slice(0, 1)), () => resolve()));
    await until(() => events.length === 7, 'seven events');
    const messages = (prefix: string) =>
      events
        .filter((e) => e.msgId.startsWith(prefix))
        .sort((a, b) => a.msgId.localeCompare(b.msgId))
        .map((e) => e.message);
    const decoded = bodies.map((body) => new TextDecoder().decode(body));
    expect(messages('M')).toEqual(decoded);
    expect(messages('T0')).toEqual(decoded);
    expect(messages('T1')).toEqual(decoded.slice(0, 1));
    expect(messages('M')[2]).toBe('bad \ufffd(\ufffdA');
    expect(receiver.counters.invalidUtf8).toBe(2);
  });

  it('rsyslog forwards to it over TCP with octet counting', async () => {
    requireRsyslog();
    const { receiver, events } = await start();
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-rsyslog-fwd-'));
    const input = await freeUdpPort();
    const conf = join(dir, 'rsyslog.conf');
    await writeFile(
      conf,
      [
        `global(workDirectory="${dir}")`,
        'module(load="imudp")',
        `input(type="imudp" address="127.0.0.1" port="${input}")`,
        `*.* action(type="omfwd" target="127.0.0.1" port="${receiver.port('tcp')}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")`,
        '',
      ].join('\n'),
    );
    const rsyslogd = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'pid')], { stdio: 'ignore' });
    try {
      // rsyslogd needs a moment to open its input; resend until the forwarded message arrives.
      await until(
        () => {
          void run('logger', ['-d', '-n', '127.0.0.1', '-P', String(input), '--rfc5424', '-t', 'fwtest', 'line one\nstill line one']).catch(() => {});
          return events.some((e) => e.app === 'fwtest');
        },
        'rsyslog to forward',
        10_000,
      );
      const event = events.find((e) => e.app === 'fwtest')!;
      expect(event.format).toBe('rfc5424');
      expect(event.message).toContain('line one');
      expect(receiver.counters.connections).toBeGreaterThanOrEqual(1);
    } finally {
      rsyslogd.kill('SIGTERM');
      await new Promise((resolve) => rsyslogd.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('fuzz: 10,000 random, truncated, binary and oversize messages between valid ones: all valid ones processed, counts exact', async () => {
    const { receiver, events } = await start({ maxMessageBytes: 1024 });
    let seed = 4242;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const garbage = (): Buffer => {
      const kind = Math.floor(random() * 4);
      if (kind === 0) return Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)).filter((b) => b !== 0x0a));
      if (kind === 1) return Buffer.from('<13>1 2026-01-01T00:00:00Z h a - - [bad');
      if (kind === 2) return Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x41]); // invalid UTF-8
      return Buffer.from('x'.repeat(2000)); // oversize
    };
    const valid = (i: number) => Buffer.from(`<134>1 2026-01-01T00:00:00Z fuzz app - VALID - valid ${i}`);
    // TCP: octet-counted frames; 5000 garbage + 5000 valid on one connection.
    const socket = connect(receiver.port('tcp'), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let oversizeTcp = 0;
    let oversizeUdp = 0;
    for (let i = 0; i < 5000; i++) {
      const bad = garbage();
      if (bad.length > 1024) oversizeTcp++;
      socket.write(Buffer.concat([Buffer.from(`${bad.length} `), bad, Buffer.from(`${valid(i).length} `), valid(i)]));
    }
    socket.end();
    await until(() => events.filter((e) => e.msgId === 'VALID').length === 5000, '5000 valid TCP messages', 15_000);
    // UDP: 5000 datagrams, half garbage, paced so loopback drops nothing.
    const udp = createSocket('udp4');
    for (let i = 0; i < 2500; i++) {
      const bad = garbage();
      if (bad.length > 1024) oversizeUdp++;
      for (const datagram of [bad, valid(10_000 + i)])
        await new Promise<void>((resolve) => udp.send(datagram, receiver.port('udp'), '127.0.0.1', () => resolve()));
    }
    udp.close();
    await until(() => events.filter((e) => e.msgId === 'VALID').length === 7500, '2500 valid UDP messages', 15_000);
    await until(() => receiver.counters.received.udp === 5000, 'all datagrams');
    const c = receiver.counters;
    expect(oversizeTcp).toBeGreaterThan(0);
    expect(oversizeUdp).toBeGreaterThan(0);
    expect(c.oversize).toBe(oversizeTcp + oversizeUdp);
    expect(c.received).toEqual({ tcp: 10_000 - oversizeTcp, udp: 5000, tls: 0 });
    expect(c.parsed.rfc5424 + c.parsed.rfc3164 + c.parsed.raw).toBe(events.length);
    expect(events.length).toBe(15_000 - oversizeTcp - oversizeUdp);
    expect(c.invalidUtf8).toBeGreaterThan(0);
    expect(c.sinkErrors).toBe(0);
  }, 60_000);

  it("TLS (RFC 5425): the agent's syslog forwarder delivers its events, certificate checked against the CA", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-tls-'));
    const { cert, key } = await selfSignedCertificate(dir);
    const events: SyslogEvent[] = [];
    const config = ingestConfigSchema.parse({ listen: { udp: { enabled: false }, tcp: { enabled: false }, tls: { enabled: true, port: 0, cert, key } } });
    receiver = new SyslogReceiver({ config, clock: systemClock, logger: silentLogger, onEvent: (e) => events.push(e) });
    await receiver.start();
    const forwarder = new SyslogForwarder({
      config: syslogConfigSchema.parse({
        hostname: 'sensor-tls',
        destinations: [{ host: '127.0.0.1', port: receiver.port('tls'), protocol: 'tls', ca: cert }],
      }),
      units: { temperature: 'celsius' },
      clock: systemClock,
      logger: silentLogger,
      version: '1.2.3',
    });
    forwarder.send({
      severity: 'crit',
      msgId: 'STATUS',
      message: 'Temperature ok -> critical',
      structuredData: { 'status@21600': { to: ['critical'] } },
      timestamp: Date.now(),
    });
    await forwarder.stop();
    await until(() => events.length === 2, 'two events over TLS');
    expect(events[0]).toMatchObject({
      format: 'rfc5424',
      host: 'sensor-tls',
      app: 'envirowatch',
      msgId: 'STATUS',
      severity: 2,
      message: 'Temperature ok -> critical',
      structuredData: { 'status@21600': { to: ['critical'] } },
    });
    expect(events[1]).toMatchObject({ msgId: 'STOP' });
    expect(receiver.counters.received).toEqual({ udp: 0, tcp: 0, tls: 2 });
    expect(ingestConfigSchema.safeParse({ listen: { tls: { enabled: true } } }).error?.issues.map((i) => i.path.join('.'))).toEqual([
      'listen.tls.cert',
      'listen.tls.key',
    ]);
  });

  it('an address in use is a clear error', async () => {
    const { receiver: first } = await start();
    const config = ingestConfigSchema.parse({ listen: { udp: { enabled: false }, tcp: { port: first.port('tcp') } } });
    const second = new SyslogReceiver({ config, clock: systemClock, logger: silentLogger, onEvent: () => {} });
    await expect(second.start()).rejects.toThrow(`cannot listen for syslog on tcp 127.0.0.1:${first.port('tcp')}: EADDRINUSE`);
  });
});
