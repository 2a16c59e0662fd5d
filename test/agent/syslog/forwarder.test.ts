/**
 * The agent's syslog forwarding: the formats (RFC 5424 with escaped structured data, RFC 3164,
 * RFC 6587 octet counting), and delivery to a real rsyslogd over UDP, TCP and TLS, with the
 * bounded queue while the collector is down.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { formatRfc3164, formatRfc5424, octetCounted, type OutgoingMessage } from '../../../src/common/syslog/format.js';
import { syslogConfigSchema } from '../../../src/agent/syslog/config.js';
import { SyslogForwarder } from '../../../src/agent/syslog/forwarder.js';
import { heartbeatMessage, statusChangeMessage } from '../../../src/agent/syslog/messages.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { freeTcpPort, freeUdpPort } from '../../helpers/ports.js';
import { requireRsyslog, startRsyslog, type RunningRsyslog } from '../../helpers/rsyslog-collector.js';
import { selfSignedCertificate } from '../../helpers/self-signed.js';

const BASE: OutgoingMessage = {
  facility: 'local0',
  severity: 'warning',
  timestamp: Date.UTC(2026, 10, 23, 21, 5, 9, 120),
  hostname: 'sensor-7',
  appName: 'envirowatch',
  procId: '42',
  msgId: 'STATUS',
  message: 'Temperature ok -> warning',
};

describe('formats', () => {
  it('RFC 5424: header, escaped structured data, BOM before the message', () => {
    const line = formatRfc5424({ ...BASE, structuredData: { 'status@21600': { sensor: ['Temperature'], reason: ['a "quoted" ] \\ value'] } } });
    expect(line).toBe(
      '<132>1 2026-11-23T21:05:09.120Z sensor-7 envirowatch 42 STATUS [status@21600 sensor="Temperature" reason="a \\"quoted\\" \\] \\\\ value"] \ufeffTemperature ok -> warning',
    );
    expect(formatRfc5424({ ...BASE, hostname: 'a b', procId: undefined, msgId: '', message: 'two\nlines' })).toBe(
      '<132>1 2026-11-23T21:05:09.120Z a_b envirowatch - - - \ufefftwo lines',
    );
  });

  it('RFC 3164: local time stamp, tag with pid, structured data as key=value pairs', () => {
    const line = formatRfc3164({ ...BASE, structuredData: { 'status@21600': { sensor: ['Temperature'], reason: ['too warm'] } } });
    expect(line).toMatch(/^<132>Nov (2[34]) \d\d:\d\d:09 sensor-7 envirowatch\[42\]: Temperature ok -> warning sensor=Temperature reason="too warm"$/);
  });

  it('octet counting counts bytes, not characters', () => {
    expect(octetCounted('°C').toString('utf8')).toBe('3 °C');
  });

  it('config: ports default by protocol; bad keys are named', () => {
    const config = syslogConfigSchema.parse({ destinations: [{ host: 'a' }, { host: 'b', protocol: 'tls' }, { host: 'c', protocol: 'tcp', port: 1514 }] });
    expect(config.destinations.map((d) => d.port)).toEqual([514, 6514, 1514]);
    expect(config).toMatchObject({ facility: 'local0', appName: 'envirowatch', hostname: null, heartbeat: 60_000, queue: 1000 });
    const bad = syslogConfigSchema.safeParse({ destinations: [{ host: '', protocol: 'sctp' }], facility: 'local9' });
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['destinations.0.host', 'destinations.0.protocol', 'facility']);
  });
});

describe('to a real rsyslogd', () => {
  let rsyslog: RunningRsyslog;
  let certs: { cert: string; key: string; ca: string };

  beforeAll(async () => {
    requireRsyslog(true);
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-tls-'));
    const { cert, key } = await selfSignedCertificate(dir);
    certs = { cert, key, ca: cert };
    rsyslog = await startRsyslog({ tls: certs });
  }, 20_000);
  afterAll(async () => rsyslog?.stop());

  it('UDP, TCP (octet counting) and TLS, RFC 5424 and 3164: every message arrives with its fields', async () => {
    const fixture = await agentFixture();
    const snapshot = await fixture.poll();
    const before = (await rsyslog.messages()).length;
    const config = syslogConfigSchema.parse({
      hostname: 'sensor-7',
      destinations: [
        { host: '127.0.0.1', port: rsyslog.udpPort, protocol: 'udp' },
        { host: '127.0.0.1', port: rsyslog.tcpPort, protocol: 'tcp' },
        { host: '127.0.0.1', port: rsyslog.tlsPort, protocol: 'tls', ca: certs.ca },
        { host: '127.0.0.1', port: rsyslog.udpPort, protocol: 'udp', format: 'rfc3164' },
      ],
    });
    const forwarder = new SyslogForwarder({ config, units: { temperature: 'fahrenheit' }, clock: systemClock, logger: silentLogger, version: '9.9.9' });
    forwarder.send(
      statusChangeMessage(
        { quantity: 'temperature', from: 'ok', to: 'critical', value: 27.5, limit: { side: 'high', limit: (80 - 32) / 1.8 }, timestamp: Date.now() },
        { temperature: 'fahrenheit' },
      ),
    );
    forwarder.send(heartbeatMessage(snapshot, { temperature: 'fahrenheit' }, '9.9.9'));
    await forwarder.stop();
    const got = (await rsyslog.waitFor(before + 12)).slice(before);
    const stream = got.filter((m) => m.msgId === 'STATUS' && m.structuredData !== '-');
    expect(stream).toHaveLength(3); // the three RFC 5424 destinations
    for (const m of stream) {
      expect(m).toMatchObject({
        hostname: 'sensor-7',
        app: 'envirowatch',
        facility: 'local0',
        severity: 'crit',
        message: 'Temperature ok -> critical (81.5 °F, limit high 80 °F)',
      });
      expect(m.structuredData).toBe('[status@21600 sensor="Temperature" from="ok" to="critical" unit="°F" value="81.5" limit="high 80"]');
    }
    const heartbeats = got.filter((m) => m.msgId === 'HEARTBEAT');
    expect(heartbeats).toHaveLength(3);
    expect(heartbeats[0]!.structuredData).toMatch(
      /^\[readings@21600 temperature="7\d(\.\d+)?" temperatureStatus="ok" humidity="[\d.]+" humidityStatus="ok" pressure="[\d.]+" pressureStatus="ok" light="[\d.]+" lightStatus="ok" proximity="\d+" proximityStatus="ok" temperatureUnit="°F"\]\[agent@21600 version="9\.9\.9"\]$/,
    );
    // RFC 3164 has no MSGID or structured data: the pairs ride in the message.
    const bsd = got.filter((m) => m.message.startsWith('Temperature ok -> critical') && m.structuredData === '-');
    expect(bsd).toHaveLength(1);
    expect(bsd[0]).toMatchObject({ hostname: 'sensor-7', app: 'envirowatch', procId: String(process.pid) });
    expect(bsd[0]!.message).toContain('to=critical');
    // STOP went to all four.
    expect(got.filter((m) => m.message.startsWith('envirowatch agent 9.9.9 stopping'))).toHaveLength(4);
  }, 20_000);
});

describe('a TCP collector that is down', () => {
  it('queues up to syslog.queue messages, drops the oldest, and says how many once connected', async () => {
    requireRsyslog();
    const port = await freeTcpPort();
    const config = syslogConfigSchema.parse({ hostname: 'sensor-7', queue: 10, destinations: [{ host: '127.0.0.1', port, protocol: 'tcp' }] });
    const forwarder = new SyslogForwarder({ config, units: { temperature: 'celsius' }, clock: systemClock, logger: silentLogger, version: '9.9.9' });
    for (let i = 1; i <= 50; i++) forwarder.send({ severity: 'info', msgId: 'TEST', message: `message ${i}`, timestamp: Date.now() });
    const counters = Object.values(forwarder.counters)[0]!;
    expect(counters.dropped).toBe(40);
    const rsyslog = await startRsyslog({ tcpPort: port });
    try {
      // The destination retries 1 s after its first refusal, then 2 s: the queue goes out then.
      const got = await rsyslog.waitFor(11, 8_000);
      expect(got.map((m) => m.message)).toEqual([
        '40 messages were dropped while this destination was unreachable',
        ...Array.from({ length: 10 }, (_, i) => `message ${41 + i}`),
      ]);
      expect(got[0]).toMatchObject({ msgId: 'DROPPED', severity: 'warning' });
    } finally {
      await forwarder.stop();
      await rsyslog.stop();
    }
  }, 20_000);
});

describe('envirowatch agent with syslog destinations', () => {
  it('sends START, heartbeats with the readings, and STOP to rsyslog over TCP', async () => {
    requireRsyslog();
    const rsyslog = await startRsyslog();
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-syslog-'));
    const config = join(dir, 'agent.yaml');
    await writeFile(
      config,
      `snmp:\n  addresses: [127.0.0.1]\n  port: ${await freeUdpPort()}\n  communities: [{ name: public }]\nsyslog:\n  hostname: sensor-e2e\n  heartbeat: 1s\n  destinations:\n    - { host: 127.0.0.1, port: ${rsyslog.tcpPort}, protocol: tcp }\n`,
    );
    const cli = fileURLToPath(new URL('../../../dist/src/cli/envirowatch.mjs', import.meta.url));
    const child = spawn(cli, ['agent', '--simulate', '--config', config], { env: { ...process.env, ENVIROWATCH_CONFIG: '' }, stdio: 'ignore' });
    try {
      const got = await rsyslog.waitFor(3, 10_000);
      expect(got[0]).toMatchObject({ hostname: 'sensor-e2e', app: 'envirowatch', msgId: 'START' });
      expect(got.slice(1, 3).map((m) => m.msgId)).toEqual(['HEARTBEAT', 'HEARTBEAT']);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      const all = await rsyslog.waitFor(got.length + 1);
      expect(all.at(-1)).toMatchObject({ msgId: 'STOP' });
    } finally {
      child.kill('SIGKILL');
      await rsyslog.stop();
    }
  }, 30_000);
});
