/**
 * Notifications through the outbox: a real HTTP server as the webhook, retries with backoff on
 * errors, giving up after retry.giveUpAfter, the syslog channel into a real socket, and an alert
 * whose webhook was down during a kill -9 delivered once after the restart.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import { parseSyslog } from '../../../src/common/syslog/parse.js';
import { openChannel } from '../../../src/analyzer/notify/channels.js';
import { notifyConfigSchema } from '../../../src/analyzer/notify/config.js';
import { Dispatcher } from '../../../src/analyzer/notify/dispatcher.js';
import { Outbox } from '../../../src/analyzer/notify/outbox.js';
import { alertVarbinds, truncateUtf8 } from '../../../src/analyzer/notify/snmp-alert.js';
import { ENGINE_BOOTS_FILE, openAnalyzerEngine } from '../../../src/analyzer/notify/snmp-engine.js';
import type { Alert } from '../../../src/analyzer/rules/alert.js';
import { openDatabase } from '../../../src/analyzer/store/database.js';
import { freeTcpPort, freeUdpPort } from '../../helpers/ports.js';
import { startSnmptrapd, type RunningSnmptrapd, type TrapdNotification } from '../../helpers/snmptrapd.js';
import { selfSignedCertificate } from '../../helpers/self-signed.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../dist/src/cli/envirowatch.mjs', import.meta.url));

/** A webhook receiver answering with `statuses` in turn (then 200), keeping the bodies. */
async function webhookServer(port: number, statuses: number[] = []): Promise<{ server: Server; bodies: Alert[]; url: string }> {
  const bodies: Alert[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(body) as Alert);
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, bodies, url: `http://127.0.0.1:${port}/hook` };
}

const ALERT: Alert = {
  id: 'a1',
  ruleId: 'sensor-critical',
  kind: 'event',
  severity: 'crit',
  time: Date.UTC(2026, 4, 1),
  host: 'sensor-a',
  key: 'sensor-a/Temperature',
  summary: 'sensor-a too warm',
  evidence: {},
};
/** The problem ALERT opened, resolved seven minutes later. */
const RESOLUTION: Alert = {
  ...ALERT,
  id: 'p2',
  problem: 'resolved',
  summary: 'sensor-a Temperature critical -> ok; resolved after 7m',
  resolves: { id: 'a1', openedAt: ALERT.time - 420_000, durationMs: 420_000, reopened: 0 },
};

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

async function setup(channels: unknown[], retry = {}, notify: { snmpEngineId?: string } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-notify-'));
  const db = openDatabase(dir);
  const config = notifyConfigSchema.parse({ channels, retry, ...notify });
  const outbox = new Outbox(db);
  const opened = new Map(
    config.channels.map((c) => [
      c.id,
      openChannel(c, { logger: silentLogger, snmpEngine: () => openAnalyzerEngine({ engineId: config.snmpEngineId, dataDir: dir }) }),
    ]),
  );
  const dispatcher = new Dispatcher(outbox, opened, config, silentLogger);
  return { outbox, dispatcher, opened, dir, clock: new ManualClock(Date.UTC(2026, 4, 1)) };
}

describe('webhook through the outbox', () => {
  it('retries a failing webhook with backoff and delivers once', async () => {
    const port = await freeTcpPort();
    const hook = await webhookServer(port, [500, 503]);
    servers.push(hook.server);
    const { outbox, dispatcher, opened, clock } = await setup([{ id: 'ops', type: 'webhook', url: hook.url }], { first: '5s' });
    expect(opened.get('ops')!.wants(ALERT)).toBe(true);
    outbox.enqueue(ALERT, ['ops'], clock.now());
    outbox.enqueue(ALERT, ['ops'], clock.now()); // the same alert twice: one row
    await dispatcher.step(clock.now()); // 500
    clock.advance(4_000);
    await dispatcher.step(clock.now()); // not due yet (5 s)
    clock.advance(1_000);
    await dispatcher.step(clock.now()); // 503; next in 10 s
    clock.advance(10_000);
    await dispatcher.step(clock.now()); // 200
    clock.advance(60_000);
    await dispatcher.step(clock.now());
    expect(hook.bodies).toEqual([ALERT]);
    expect(dispatcher.counters).toEqual({ delivered: 1, retried: 2, gaveUp: 0 });
    expect(outbox.depth()).toBe(0);
  });

  it('gives up after retry.giveUpAfter when the webhook stays down, and filters by severity and rule', async () => {
    const { outbox, dispatcher, opened, clock } = await setup(
      [
        { id: 'down', type: 'webhook', url: `http://127.0.0.1:${await freeTcpPort()}/`, timeout: '1s' },
        { id: 'only-vpn', type: 'webhook', url: 'http://127.0.0.1:9/', rules: ['vpn-new-address'] },
        { id: 'errors-only', type: 'webhook', url: 'http://127.0.0.1:9/', minSeverity: 'alert' },
      ],
      { first: '1m', max: '10m', giveUpAfter: '1h' },
    );
    expect(['down', 'only-vpn', 'errors-only'].filter((id) => opened.get(id)!.wants(ALERT))).toEqual(['down']);
    outbox.enqueue(ALERT, ['down'], clock.now());
    for (let minute = 0; minute <= 70; minute++) {
      await dispatcher.step(clock.now());
      clock.advance(60_000);
    }
    expect(dispatcher.counters.gaveUp).toBe(1);
    expect(dispatcher.counters.retried).toBeGreaterThanOrEqual(6); // 1, 2, 4, 8, 10, 10 … minutes
    expect(outbox.depth()).toBe(0);
  });
});

describe('a flood', () => {
  it('1000 alerts at once reach the webhook as 10 digests of 100, each listing its alerts', async () => {
    const port = await freeTcpPort();
    const hook = await webhookServer(port);
    servers.push(hook.server);
    const { outbox, dispatcher, clock } = await setup([{ id: 'ops', type: 'webhook', url: hook.url }]);
    for (let i = 0; i < 1000; i++)
      outbox.enqueue({ ...ALERT, id: `a${i}`, ruleId: i % 2 ? 'vpn' : 'sensor-critical', severity: i === 500 ? 'alert' : 'crit' }, ['ops'], clock.now());
    for (let step = 0; step < 12; step++) {
      await dispatcher.step(clock.now());
      clock.advance(1_000);
    }
    expect(hook.bodies).toHaveLength(10);
    expect(hook.bodies.every((b) => b.kind === 'digest' && b.evidence.alerts!.length === 100)).toBe(true);
    expect(hook.bodies.flatMap((b) => b.evidence.alerts!.map((a) => a.id)).sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `a${i}`).sort());
    expect(hook.bodies[5]).toMatchObject({ severity: 'alert', summary: expect.stringMatching(/^100 alerts \(50 sensor-critical, 50 vpn\); first: /) });
    expect(dispatcher.counters.delivered).toBe(1000);
    expect(outbox.depth()).toBe(0);
  });

  it('a few alerts still go one by one', async () => {
    const port = await freeTcpPort();
    const hook = await webhookServer(port);
    servers.push(hook.server);
    const { outbox, dispatcher, clock } = await setup([{ id: 'ops', type: 'webhook', url: hook.url }]);
    for (let i = 0; i < 10; i++) outbox.enqueue({ ...ALERT, id: `b${i}` }, ['ops'], clock.now());
    await dispatcher.step(clock.now());
    expect(hook.bodies.map((b) => b.id)).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`));
  });
});

describe('problems and their resolution', () => {
  const OPENED: Alert = { ...ALERT, id: 'p1', problem: 'open', summary: 'sensor-a Temperature warning -> critical' };
  const RESOLVED: Alert = {
    ...ALERT,
    id: 'p2',
    problem: 'resolved',
    summary: 'sensor-a Temperature critical -> ok; resolved after 7m',
    resolves: { id: 'p1', openedAt: ALERT.time - 420_000, durationMs: 420_000, reopened: 0 },
  };

  it('a resolution goes to channels with onResolve, by default email and webhook, not syslog and snmp', async () => {
    const destination = { host: '127.0.0.1', port: 514, protocol: 'udp' };
    const { opened } = await setup([
      { id: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/' },
      { id: 'mail', type: 'email', smtp: { host: '127.0.0.1' }, from: 'a@example.org', to: ['b@example.org'] },
      { id: 'siem', type: 'syslog', destination },
      { id: 'nms', type: 'snmp', receiver: { host: '127.0.0.1' } },
      { id: 'siem-all', type: 'syslog', destination, onResolve: true },
      { id: 'hook-quiet', type: 'webhook', url: 'http://127.0.0.1:9/', onResolve: false },
    ]);
    const wanting = (alert: Alert) => [...opened.values()].filter((channel) => channel.wants(alert)).map((channel) => channel.id);
    expect(wanting(OPENED)).toEqual(['hook', 'mail', 'siem', 'nms', 'siem-all', 'hook-quiet']);
    expect(wanting(RESOLVED)).toEqual(['hook', 'mail', 'siem-all']);
    for (const channel of opened.values()) await channel.close();
  });

  it('the webhook gets the resolution with its duration; a digest counts resolutions apart from openings', async () => {
    const port = await freeTcpPort();
    const hook = await webhookServer(port);
    servers.push(hook.server);
    const { outbox, dispatcher, clock } = await setup([{ id: 'ops', type: 'webhook', url: hook.url }]);
    outbox.enqueue(RESOLVED, ['ops'], clock.now());
    await dispatcher.step(clock.now());
    expect(hook.bodies[0]).toMatchObject({
      problem: 'resolved',
      resolves: { id: 'p1', durationMs: 420_000 },
      summary: expect.stringContaining('resolved after 7m'),
    });
    for (let i = 0; i < 12; i++) outbox.enqueue({ ...(i < 5 ? RESOLVED : OPENED), id: `d${i}` }, ['ops'], clock.now());
    await dispatcher.step(clock.now());
    expect(hook.bodies[1]).toMatchObject({ kind: 'digest', summary: expect.stringMatching(/^12 alerts \(5 sensor-critical resolved, 7 sensor-critical\); /) });
    expect(hook.bodies[1]!.evidence.alerts![0]).toMatchObject({ id: 'd0', problem: 'resolved', durationMs: 420_000 });
  });

  it('alertState in the trap: below/above/open for an opening, recovered for a resolution, none for a one-shot alert', () => {
    const state = (alert: Alert) => alertVarbinds(alert, 0).find((varbind) => varbind.oid.join('.') === '1.3.6.1.4.1.21600.1.5.4.8.0')!.value;
    expect(
      [
        ALERT,
        OPENED,
        { ...OPENED, kind: 'eps', state: 'below' } as Alert,
        { ...OPENED, kind: 'eps', state: 'above' } as Alert,
        RESOLVED,
        { ...RESOLVED, kind: 'eps', state: 'recovered' } as Alert,
      ].map(state),
    ).toEqual([1, 5, 2, 3, 4, 4].map((value) => ({ type: 'integer', value })));
  });
});

describe('email channel', () => {
  it('sends the templated mail over STARTTLS with authentication to a real SMTP server; a server that is down is retried, not lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-smtp-'));
    const { cert, key } = await selfSignedCertificate(dir);
    const port = await freeTcpPort();
    const channel = {
      id: 'mail',
      type: 'email',
      smtp: { host: '127.0.0.1', port, security: 'starttls', user: 'alerts', password: 'secret pass', ca: cert },
      from: 'envirowatch@example.org',
      to: ['ops@example.org'],
    };
    const { outbox, dispatcher, clock, opened } = await setup([channel], { first: '5s' });
    outbox.enqueue(ALERT, ['mail'], clock.now());
    await dispatcher.step(clock.now()); // nothing listens yet
    expect(dispatcher.counters).toMatchObject({ delivered: 0, retried: 1 });

    const mails: { from: string; to: string[]; data: string; user: string; secure: boolean }[] = [];
    const server = new SMTPServer({
      key: readFileSync(key),
      cert: readFileSync(cert),
      authOptional: false,
      onAuth: (auth, _session, callback) =>
        auth.username === 'alerts' && auth.password === 'secret pass' ? callback(null, { user: auth.username }) : callback(new Error('bad credentials')),
      onData: (stream, session, callback) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            user: String(session.user),
            secure: session.secure,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      clock.advance(5_000);
      await dispatcher.step(clock.now());
      expect(dispatcher.counters).toMatchObject({ delivered: 1, retried: 1 });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: 'envirowatch@example.org', to: ['ops@example.org'], user: 'alerts', secure: true });
      expect(mails[0]!.data).toMatch(/^Subject: \[envirowatch crit\] sensor-a too warm\r?$/m);
      expect(mails[0]!.data).toContain('Rule: sensor-critical (event)');
      expect(mails[0]!.data).toContain('Time: 2026-05-01T00:00:00.000Z');
    } finally {
      await opened.get('mail')!.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a resolution through real peers', () => {
  it("email (on by default) reaches an SMTP server with the problem's duration", async () => {
    const port = await freeTcpPort();
    const mails: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _session, callback) => {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
        stream.on('end', () => {
          mails.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const { outbox, dispatcher, clock, opened } = await setup([
      { id: 'mail', type: 'email', smtp: { host: '127.0.0.1', port, security: 'none' }, from: 'envirowatch@example.org', to: ['ops@example.org'] },
    ]);
    try {
      outbox.enqueue(RESOLUTION, ['mail'], clock.now());
      await dispatcher.step(clock.now());
      expect(dispatcher.counters).toMatchObject({ delivered: 1 });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain('resolved after 7m');
    } finally {
      await opened.get('mail')!.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('an SNMP trap with onResolve: true reaches snmptrapd with alertState recovered(4)', async () => {
    const receiver = await startSnmptrapd({});
    try {
      const { outbox, dispatcher, clock, opened } = await setup([
        { id: 'nms', type: 'snmp', receiver: { host: '127.0.0.1', port: receiver.port }, onResolve: true },
      ]);
      outbox.enqueue(RESOLUTION, ['nms'], clock.now());
      await dispatcher.step(clock.now());
      const trap = await receiver.waitFor((n) => n.pdu === 'TRAP2');
      await opened.get('nms')!.close();
      const values = Object.fromEntries(trap.varbinds.map((v) => [v.oid, v.value]));
      expect(values['1.3.6.1.4.1.21600.1.5.4.8.0']).toBe(4);
      expect(String(values['1.3.6.1.4.1.21600.1.5.4.9.0'])).toContain('resolved after 7m');
    } finally {
      await receiver.stop();
    }
  });
});

describe('syslog channel', () => {
  it('forwards the alert as RFC 5424 with its fields as structured data', async () => {
    const socket = createSocket('udp4');
    const received: string[] = [];
    socket.on('message', (message) => received.push(message.toString()));
    const port = await freeUdpPort();
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    try {
      const { outbox, dispatcher, clock, opened } = await setup([{ id: 'siem', type: 'syslog', destination: { host: '127.0.0.1', port } }]);
      outbox.enqueue(ALERT, ['siem'], clock.now());
      await dispatcher.step(clock.now());
      await opened.get('siem')!.close();
      const deadline = Date.now() + 3000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const event = parseSyslog(received[0]!, { receivedAt: 0, source: 'x' });
      expect(event).toMatchObject({ format: 'rfc5424', app: 'envirowatch-analyzer', msgId: 'ALERT', severity: 2, message: 'sensor-a too warm' });
      expect(event.structuredData['alert@21600']).toMatchObject({ id: ['a1'], rule: ['sensor-critical'], host: ['sensor-a'] });
    } finally {
      socket.close();
    }
  });
});

describe('snmp channel, against a real snmptrapd', () => {
  const USER = { name: 'ewalert', authProtocol: 'SHA-256', authPassword: 'authpass123', privProtocol: 'AES', privPassword: 'privpass123' } as const;
  const ANALYZER_ENGINE = Buffer.from('80005460040a6e616c797a6572', 'hex');
  const started: RunningSnmptrapd[] = [];
  afterEach(async () => {
    for (const trapd of started.splice(0)) await trapd.stop();
  });
  const trapd = async (options: Parameters<typeof startSnmptrapd>[0] = {}) => {
    const running = await startSnmptrapd(options);
    started.push(running);
    return running;
  };
  const ANOMALY: Alert = {
    ...ALERT,
    id: '0123456789abcdef',
    ruleId: 'vpn-new-address',
    kind: 'anomaly',
    severity: 'warning',
    host: 'fw1',
    key: 'domain\\jdoe',
    value: '25.22.29.248',
    summary: 'jdoe connected from 25.22.29.248, never seen since learning',
    time: Date.UTC(2026, 10, 24, 6, 40, 12, 345),
  };
  const byOid = (n: TrapdNotification) => Object.fromEntries(n.varbinds.map((v) => [v.oid, v.value]));

  it('sends the analyzerAlert trap with every MIB object, in order', async () => {
    const receiver = await trapd();
    const { outbox, dispatcher, clock, opened } = await setup([{ id: 'nms', type: 'snmp', receiver: { host: '127.0.0.1', port: receiver.port } }]);
    outbox.enqueue(ANOMALY, ['nms'], clock.now());
    await dispatcher.step(clock.now());
    const trap = await receiver.waitFor((n) => n.pdu === 'TRAP2');
    await opened.get('nms')!.close();
    expect(trap.community).toBe('public');
    expect(trap.varbinds.map((v) => v.oid)).toEqual([
      '1.3.6.1.2.1.1.3.0',
      '1.3.6.1.6.3.1.1.4.1.0',
      ...Array.from({ length: 10 }, (_, i) => `1.3.6.1.4.1.21600.1.5.4.${i + 1}.0`),
    ]);
    const values = byOid(trap);
    expect(values['1.3.6.1.6.3.1.1.4.1.0']).toBe('1.3.6.1.4.1.21600.1.5.2.0.2');
    const object = (n: number) => values[`1.3.6.1.4.1.21600.1.5.4.${n}.0`];
    // snmptrapd prints a backslash in a STRING escaped (domain\\jdoe).
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(object)).toEqual([
      '0123456789abcdef',
      'vpn-new-address',
      1,
      5,
      'fw1',
      'domain\\\\jdoe',
      '25.22.29.248',
      1,
      ANOMALY.summary,
    ]);
    // DateAndTime 2026-11-24 06:40:12.3 +0:0, as snmptrapd prints octets that are not text.
    expect(String(object(10)).trim()).toBe('07 EA 0B 18 06 28 0C 03 2B 00 00');
    expect(dispatcher.counters).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
  });

  it("cuts texts to the MIB's 255 octets without splitting a character", () => {
    const summary = `${'x'.repeat(254)}é and more`; // é is two octets, from octet 255 on
    const varbinds = alertVarbinds({ ...ANOMALY, summary }, 0);
    expect(varbinds[10]!.value).toEqual({ type: 'string', value: 'x'.repeat(254) });
    expect(truncateUtf8('é'.repeat(200))).toBe('é'.repeat(127));
  });

  it('an inform to a receiver that is down is retried through the outbox and delivered once it is up', async () => {
    const port = await freeUdpPort();
    const { outbox, dispatcher, clock, opened } = await setup(
      [{ id: 'nms', type: 'snmp', receiver: { host: '127.0.0.1', port, kind: 'inform', timeout: '50ms', retries: 1 } }],
      { first: '5s' },
    );
    outbox.enqueue(ANOMALY, ['nms'], clock.now());
    await dispatcher.step(clock.now()); // nobody there: two attempts, no acknowledgement
    expect(dispatcher.counters).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    expect(outbox.depth()).toBe(1);
    const receiver = await trapd({ port });
    clock.advance(5_000);
    await dispatcher.step(clock.now());
    expect(dispatcher.counters).toEqual({ delivered: 1, retried: 1, gaveUp: 0 });
    expect(outbox.depth()).toBe(0);
    expect(receiver.received.filter((n) => n.pdu === 'INFORM' && byOid(n)['1.3.6.1.4.1.21600.1.5.4.1.0'] === ANOMALY.id)).toHaveLength(1);
    await opened.get('nms')!.close();
  });

  it("SNMPv3: a trap with the analyzer's own engine and an inform to snmptrapd's, both authenticated and decrypted", async () => {
    const trapReceiver = await trapd({ v3: { user: USER, engineId: ANALYZER_ENGINE } });
    const informReceiver = await trapd({ v3: { user: USER } });
    const { outbox, dispatcher, clock, opened, dir } = await setup(
      [
        { id: 'v3-trap', type: 'snmp', receiver: { host: '127.0.0.1', port: trapReceiver.port, v3: USER } },
        { id: 'v3-inform', type: 'snmp', receiver: { host: '127.0.0.1', port: informReceiver.port, v3: USER, kind: 'inform' } },
      ],
      {},
      { snmpEngineId: ANALYZER_ENGINE.toString('hex') }, // snmptrapd knows the user for this engine (createUser -e)
    );
    outbox.enqueue(ANOMALY, ['v3-trap', 'v3-inform'], clock.now());
    await dispatcher.step(clock.now());
    expect(dispatcher.counters).toEqual({ delivered: 2, retried: 0, gaveUp: 0 });
    const trap = await trapReceiver.waitFor((n) => n.pdu === 'TRAP2');
    const inform = await informReceiver.waitFor((n) => n.pdu === 'INFORM');
    for (const notification of [trap, inform]) {
      expect(notification).toMatchObject({ version: 'v3', user: 'ewalert' });
      expect(byOid(notification)['1.3.6.1.4.1.21600.1.5.4.1.0']).toBe(ANOMALY.id);
    }
    // The engine's boots are counted in the data dir.
    expect(JSON.parse(readFileSync(join(dir, ENGINE_BOOTS_FILE), 'utf8'))).toEqual({ engineId: ANALYZER_ENGINE.toString('hex'), engineBoots: 1 });
    await Promise.all([...opened.values()].map((channel) => channel.close()));
  });
});

describe('envirowatch analyzer with a webhook', () => {
  it('an alert raised while the webhook is down survives kill -9 and is delivered once after the restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-notify-'));
    const [udp, tcp, hookPort] = [await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
    const config = join(dir, 'analyzer.yaml');
    await writeFile(
      config,
      [
        `listen: { udp: { port: ${udp} }, tcp: { port: ${tcp} } }`,
        `dataDir: ${join(dir, 'data')}`,
        'web: { port: 0 }',
        'notify:',
        `  channels: [{ id: ops, type: webhook, url: "http://127.0.0.1:${hookPort}/hook", timeout: 1s }]`,
        '  retry: { first: 1s, max: 1s }',
        'rules:',
        '  - { id: critical, kind: event, match: { regex: "critical" }, severity: crit }',
        '',
      ].join('\n'),
    );
    const start = async () => {
      const child = spawn(CLI, ['analyzer', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!log.includes('analyzer started')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the analyzer did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return child;
    };
    let analyzer: ChildProcess = await start();
    try {
      await run('logger', ['-T', '-n', '127.0.0.1', '-P', String(tcp), '--rfc5424', '-t', 'sensor', 'Temperature warning -> critical']);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // stored, one failed attempt (nothing listens)
      analyzer.kill('SIGKILL');
      await new Promise((resolve) => analyzer.once('exit', resolve));
      const hook = await webhookServer(hookPort);
      servers.push(hook.server);
      analyzer = await start();
      const deadline = Date.now() + 10_000;
      while (hook.bodies.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // a second delivery would come within this
      expect(hook.bodies).toHaveLength(1);
      expect(hook.bodies[0]).toMatchObject({
        ruleId: 'critical',
        kind: 'event',
        severity: 'crit',
        summary: expect.stringContaining('Temperature warning -> critical'),
      });
    } finally {
      analyzer.kill('SIGKILL');
    }
  }, 30_000);
});
