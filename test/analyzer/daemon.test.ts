/**
 * `envirowatch analyzer` as users run it: real syslog from `logger`, an anomaly alert stored in
 * SQLite, `alerts list/show/ack`, and alerts and acknowledgements surviving kill -9.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { analyzerConfigSchema } from '../../src/analyzer/config.js';
import { AnalyzerDaemon } from '../../src/analyzer/daemon.js';
import type { Alert } from '../../src/analyzer/rules/alert.js';
import { AlertStore } from '../../src/analyzer/store/alerts.js';
import { openDatabase } from '../../src/analyzer/store/database.js';
import { loadCounters } from '../../src/analyzer/store/status.js';
import { octetCounted } from '../../src/common/syslog/format.js';
import { busiestHosts, sensorsPage } from '../../src/analyzer/store/sensor-data.js';
import { analyzerSetup, cli, startAnalyzer, stopAnalyzer, waitFor, sendVpnLogon, VPN_RULE } from '../helpers/analyzer-process.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';

const run = promisify(execFile);

/** One TCP connection, the messages octet-counted, then closed. */
async function sendOverTcp(port: number, messages: readonly string[]): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.end(Buffer.concat(messages.map((message) => octetCounted(message))));
}

describe('envirowatch analyzer', () => {
  it("collects its heap's garbage when a burst of messages ends (common/heap-garbage.ts), once, not again while quiet", async () => {
    const { config, tcp } = await analyzerSetup(VPN_RULE, ['web: { enabled: false }']);
    const analyzer = await startAnalyzer(config);
    const counters = async () => JSON.parse((await cli(['counters', '--config', config, '--json'])).stdout || 'null')?.counters;
    try {
      // 5,000 in one burst: more than QUIET_EVENTS (1,000) in a second, far less than 32 MB of garbage, then quiet seconds.
      const burst = (round: number) =>
        Array.from(
          { length: 5_000 },
          (_, i) => `<134>Nov 24 06:00:02 fw1 openvpn[1]: user 'u${i % 100}' address '10.${round}.${i >> 8}.${i & 255}:1194' - connected`,
        );
      /** Sends a burst, waits for it to be processed and the next collection; the counters then. */
      const afterBurst = async (round: number, collections: number) => {
        await sendOverTcp(tcp, burst(round));
        return waitFor(async () => {
          const c = await counters();
          return c?.engine.events === 5_000 * round && c.memory.collections > collections ? c : undefined;
        }, `a collection after burst ${round}`);
      };
      // The first burst warms the daemon up (its code compiled, start-up's garbage collected at the limit or at the end of the burst).
      const first = await afterBurst(1, 0);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const warm = (await counters()).memory.collections as number;
      expect(warm).toBe(first.memory.collections); // quiet seconds after a quiet second collect nothing (the heap did not grow by 32 MB)
      // The second burst grows the heap by far less than the limit: only its end collects, once.
      const second = await afterBurst(2, warm);
      expect(second.memory.collections).toBe(warm + 1);
      expect(second.rules['vpn-new-address'].counters.matched).toBe(10_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await counters()).memory.collections).toBe(warm + 1);
    } finally {
      await stopAnalyzer(analyzer);
    }
  });

  it('turns a VPN logon from a new address into a stored alert that survives kill -9, and acknowledges it', async () => {
    const { config, tcp } = await analyzerSetup([...VPN_RULE, '    learning: 1ms']);
    expect(await cli(['check-config', '--analyzer', config])).toMatchObject({ code: 0, stdout: `${config}: OK (1 rule)\n` });
    const send = (ip: string) => sendVpnLogon(tcp, ip);
    let analyzer = await startAnalyzer(config);
    try {
      await send('198.51.100.1'); // learned
      await new Promise((resolve) => setTimeout(resolve, 50));
      await send('203.0.113.50'); // new after learning → alert
      const listed = await waitFor(async () => {
        const { stdout } = await cli(['alerts', 'list', '--config', config, '--json']);
        return stdout.trim()
          ? stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l))
          : undefined;
      }, 'the alert');
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ ruleId: 'vpn-new-address', kind: 'anomaly', key: 'dave', value: '203.0.113.50' });

      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      const afterKill = await cli(['alerts', 'show', listed[0].id, '--config', config]);
      expect(afterKill.code).toBe(0);
      expect(JSON.parse(afterKill.stdout)).toMatchObject({ id: listed[0].id, value: '203.0.113.50' });

      expect(await cli(['alerts', 'ack', listed[0].id, '--config', config, '--by', 'erin', '--comment', 'travelling'])).toMatchObject({
        code: 0,
        stdout: `acknowledged ${listed[0].id}\n`,
      });
      expect(await cli(['alerts', 'ack', listed[0].id, '--config', config])).toMatchObject({ code: 1 });
      analyzer = await startAnalyzer(config);
      await waitFor(
        async () => ((await cli(['alerts', 'list', '--config', config, '--all', '--json'])).stdout.includes('"by":"erin"') ? true : undefined),
        'the acknowledgement after a restart',
      );
      expect((await cli(['alerts', 'list', '--config', config])).stdout).toBe('');
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);

  it('envirowatch counters shows what the running analyzer received, parsed, dropped, matched and raised', async () => {
    const { config, udp } = await analyzerSetup(
      [
        '  - id: vpn-new-address',
        '    kind: anomaly',
        '    match: { regex: "user (?<user>\\\\w+) from (?<ip>\\\\S+)" }',
        '    key: ${user}',
        '    value: ${ip}',
        '    learning: 1ms',
      ],
      ['limits: { maxMessageBytes: 480 }'],
    );
    expect(await cli(['counters', '--config', config])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/cannot open the analyzer's database in .*directory does not exist/),
    });
    const analyzer = await startAnalyzer(config);
    const socket = createSocket('udp4');
    try {
      const datagrams = [
        '<134>1 2026-11-24T06:00:00Z fw1 vpn - - - user dave from 198.51.100.1',
        '<134>1 2026-11-24T06:00:01Z fw1 vpn - - - user dave from 203.0.113.9',
        '<134>Nov 24 06:00:02 fw1 vpn: user erin from 198.51.100.2',
        'not syslog at all',
        'x'.repeat(481),
        Buffer.from([0x3c, 0x31, 0x33, 0x34, 0x3e, 0xff, 0xfe, 0x20, 0x61]),
      ];
      for (const datagram of datagrams) {
        await new Promise((resolve) => socket.send(datagram, udp, '127.0.0.1', resolve));
        await new Promise((resolve) => setTimeout(resolve, 20)); // past the 1 ms learning period
      }
      const snapshot = await waitFor(async () => {
        const { stdout } = await cli(['counters', '--config', config, '--json']);
        const parsed = stdout ? JSON.parse(stdout) : undefined;
        return parsed?.counters.ingest.received.udp === datagrams.length && parsed.counters.engine.events === 5 ? parsed : undefined;
      }, 'the counters');
      expect(snapshot.pid).toBe(analyzer.child.pid);
      expect(snapshot.counters.ingest).toMatchObject({ parsed: { rfc5424: 2, rfc3164: 1, raw: 2 }, oversize: 1, invalidUtf8: 1, sinkErrors: 0 });
      expect(snapshot.counters.rules['vpn-new-address']).toEqual({ kind: 'anomaly', counters: { matched: 3, alerts: 1, evictedValues: 0, evictedKeys: 0 } });
      expect(snapshot.counters.notify).toEqual({ outbox: 0, delivered: 0, retried: 0, gaveUp: 0 });
      const text = await cli(['counters', '--config', config]);
      expect(text.stdout).toMatch(new RegExp(`^analyzer pid ${analyzer.child.pid}, started `));
      expect(text.stdout).toMatch(/^ingest\.oversize +1$/m);
      expect(text.stdout).toContain('rule vpn-new-address (anomaly): matched 3, alerts 1, evictedValues 0, evictedKeys 0');
    } finally {
      socket.close();
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);

  it('explains a bad config with the key path and line, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyzer-'));
    const config = join(dir, 'analyzer.yaml');
    await writeFile(config, 'listen:\n  udp:\n    port: 70000\nrules:\n  - id: x\n    kind: eps\n');
    const { code, stderr } = await cli(['analyzer', '--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${config}:3: listen.udp.port:`);
    expect(stderr).toContain(`${config}:5: rules.0: an eps rule needs below and/or above`);
  });

  it('kill -9 loses no learned state: baselines and learning periods go on, a timer that expired while down fires at once', async () => {
    const { config, tcp } = await analyzerSetup([
      '  - id: vpn',
      '    kind: anomaly',
      '    match: { regex: "user (?<user>\\\\w+) from (?<ip>[\\\\d.]+)" }',
      '    key: ${user}',
      '    value: ${ip}',
      '    learning: 3s',
      '  - id: session',
      '    kind: timer',
      '    start: { regex: "logon (?<id>\\\\w+)" }',
      '    end: { regex: "logoff (?<id>\\\\w+)" }',
      '    key: ${id}',
      '    timeout: 2s',
    ]);
    const send = (text: string) => run('logger', ['-T', '-n', '127.0.0.1', '-P', String(tcp), '--rfc5424', '-t', 'test', text]);
    const alerts = async () =>
      (await cli(['alerts', 'list', '--config', config, '--json'])).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    let analyzer = await startAnalyzer(config);
    const firstSeen = Date.now();
    try {
      await send('user frank from 10.0.0.1');
      await send('logon s1');
      // Written within a second: wait for two ticks, then kill without any chance to flush.
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      expect(await alerts()).toEqual([]);
      // Down past the timer's 2 s and the key's 3 s of learning (both counted from before the kill).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstSeen + 3_200 - Date.now())));
      analyzer = await startAnalyzer(config);
      const timer = await waitFor(async () => (await alerts()).find((a) => a.kind === 'timer'), 'the expired timer to fire');
      expect(timer).toMatchObject({ ruleId: 'session', key: 's1' });
      await send('user frank from 10.0.0.1'); // learned before the kill: silent
      await send('user frank from 10.0.0.9'); // learning ended (from the first event, before the kill): alert
      const anomaly = await waitFor(async () => (await alerts()).find((a) => a.kind === 'anomaly'), 'the anomaly');
      expect(anomaly).toMatchObject({ key: 'frank', value: '10.0.0.9' });
      expect((await alerts()).filter((a) => a.kind === 'anomaly')).toHaveLength(1);
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);

  it('kill -9 during a flood: everything the saved counters say was processed is learned (they are committed together, every second)', async () => {
    const { config, tcp, dir } = await analyzerSetup(
      ['  - { id: vpn, kind: anomaly, match: { regex: "user (?<user>\\\\w+) from (?<ip>[\\\\d.]+)" }, key: "${user}", value: "${ip}", learning: 1h }'],
      ['web: { enabled: false }'],
    );
    const analyzer = await startAnalyzer(config);
    const keys = 30_000;
    const database = join(dir, 'data');
    const saved = () => {
      const db = openDatabase(database, { readonly: true });
      try {
        return {
          events: loadCounters(db)?.counters.engine.events ?? 0,
          learned: (db.prepare("SELECT COUNT(*) AS n FROM anomaly_keys WHERE rule_id = 'vpn'").get() as { n: number }).n,
        };
      } finally {
        db.close();
      }
    };
    try {
      await sendOverTcp(
        tcp,
        Array.from({ length: keys }, (_, i) => `<134>1 - vpn openvpn - - - user u${i} from 10.0.${i >> 8}.${i & 255}`),
      );
      // Killed as soon as a flush has counted part of the flood, while more is still coming in.
      const before = await waitFor(
        async () => {
          const now = saved();
          return now.events > 0 ? now : undefined;
        },
        'a flush during the flood',
        20_000,
      );
      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      const after = saved();
      expect(before.events).toBeLessThanOrEqual(after.events);
      // Each event taught one key: the state committed with the counters holds at least as many.
      expect(after.learned).toBeGreaterThanOrEqual(after.events);
      expect(after.learned).toBeLessThanOrEqual(keys);
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 40_000);

  it('stores every alert raised while the writer thread commits a flood of learned state (no alert lost to a locked database)', async () => {
    const { config, tcp, dir } = await analyzerSetup(
      [
        '  - { id: vpn, kind: anomaly, match: { regex: "user (?<user>\\\\w+) from (?<ip>[\\\\d.]+)" }, key: "${user}", value: "${ip}", learning: 1h }',
        '  - { id: door, kind: event, match: { regex: "door (?<n>\\\\d+) open" }, key: "${n}" }',
      ],
      ['web: { enabled: false }'],
    );
    const analyzer = await startAnalyzer(config);
    const messages = 60_000;
    try {
      // Every 100th message an alert, the others each a new key for the writer thread to commit.
      await sendOverTcp(
        tcp,
        Array.from({ length: messages }, (_, i) =>
          i % 100 === 0 ? `<134>1 - door - - - - door ${i} open` : `<134>1 - vpn openvpn - - - user u${i} from 10.0.${i >> 8}.${i & 255}`,
        ),
      );
      await waitFor(
        async () => {
          const db = openDatabase(join(dir, 'data'), { readonly: true });
          const events = loadCounters(db)?.counters.engine.events ?? 0;
          db.close();
          return events === messages ? true : undefined;
        },
        'every message processed',
        30_000,
      );
      expect(await stopAnalyzer(analyzer)).toBe(0);
      const db = openDatabase(join(dir, 'data'), { readonly: true });
      const { counters } = loadCounters(db)!;
      const stored = (db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE rule_id = 'door'").get() as { n: number }).n;
      db.close();
      expect(counters.ingest.sinkErrors).toBe(0);
      expect(counters.rules['door']!.counters['alerts']).toBe(messages / 100);
      expect(stored).toBe(messages / 100);
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 60_000);

  it('an acknowledgement with --baseline from another process teaches the running analyzer the value (keep-alerting rule)', async () => {
    const { config, udp } = await analyzerSetup([
      '  - id: vpn',
      '    kind: anomaly',
      '    match: { regex: "user (?<user>\\\\w+) from (?<ip>\\\\S+)" }',
      '    key: ${user}',
      '    value: ${ip}',
      '    learning: 1ms',
      '    onAlert: keep-alerting',
    ]);
    const analyzer = await startAnalyzer(config);
    const socket = createSocket('udp4');
    const send = async (ip: string) => {
      await new Promise((resolve) => socket.send(`<134>1 - fw1 vpn - - - user dave from ${ip}`, udp, '127.0.0.1', resolve));
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    const alerts = async () =>
      (await cli(['alerts', 'list', '--all', '--config', config, '--json'])).stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    try {
      await send('198.51.100.1'); // learning
      await send('203.0.113.7');
      await send('203.0.113.7'); // keep-alerting: alerts again
      const first = await waitFor(async () => ((await alerts()).length === 2 ? await alerts() : undefined), 'two alerts');
      expect(first.map((a) => a.value)).toEqual(['203.0.113.7', '203.0.113.7']);
      expect(await cli(['alerts', 'ack', first[0].id, '--config', config, '--baseline', '--by', 'erin'])).toMatchObject({ code: 0 });
      await waitFor(
        async () => ((await cli(['counters', '--config', config, '--json'])).stdout.includes('"matched":3') ? true : undefined),
        'the analyzer to go on',
      );
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the daemon applies acknowledgements every second
      await send('203.0.113.7'); // now part of the baseline: no alert
      await send('203.0.113.8'); // still new: alert
      const after = await waitFor(async () => ((await alerts()).length === 3 ? await alerts() : undefined), 'the third alert');
      expect(after.map((a) => a.value)).toEqual(['203.0.113.8', '203.0.113.7', '203.0.113.7']);
      expect(after.find((a) => a.id === first[0].id).ack).toMatchObject({ by: 'erin', baseline: true });
    } finally {
      socket.close();
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);

  it("stores a tick of 3,000 alerts 500 a transaction, each before it is told, all of them by stop(); the keys' below states committed only after their alerts", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyzer-'));
    const tcp = await freeTcpPort();
    const config = analyzerConfigSchema.parse({
      listen: { udp: { port: await freeUdpPort() }, tcp: { port: tcp } },
      dataDir: dir,
      web: { enabled: false },
      rules: [{ id: 'silent', kind: 'eps', match: { app: '^beat$' }, key: '${host}', interval: '10s', below: 1 }],
    });
    const windowStart = Date.UTC(2026, 11, 5, 3);
    let now = windowStart + 100;
    const clock: Clock = { ...systemClock, now: () => now };
    // Each alert told (logged, notified) with how many were stored then, and how many keys' below
    // states the database held then (read from its file, as a restart after a kill -9 would).
    const told: { id: string; storedThen: number; belowThen: number }[] = [];
    let committedBelow: (() => number) | undefined;
    const daemon: AnalyzerDaemon = new AnalyzerDaemon({
      config,
      clock,
      logger: silentLogger,
      onAlert: (alert: Alert) => told.push({ id: alert.id, storedThen: storedCount.get() as number, belowThen: committedBelow!() }),
    });
    const storedCount = daemon.db.prepare("SELECT COUNT(*) FROM alerts WHERE rule_id = 'silent'").pluck();
    await daemon.start();
    const reader = openDatabase(dir, { readonly: true });
    const belowCount = reader.prepare("SELECT COUNT(*) FROM eps_states WHERE rule_id = 'silent' AND state = 'below'").pluck();
    committedBelow = () => belowCount.get() as number;
    try {
      const keys = 3_000;
      await sendOverTcp(
        tcp,
        Array.from({ length: keys }, (_, i) => `<14>1 - host-${i} beat - - - alive`),
      );
      await waitFor(async () => (daemon.engine.ruleCounters()['silent']?.counters['matched'] === keys ? true : undefined), 'every message counted');
      // The next window, watched whole, was silent: every key below at once, stored before stop() resolves.
      now = windowStart + 20_001;
      await daemon.stop();
      expect(told).toHaveLength(keys);
      expect(told.map((alert) => alert.storedThen)).toEqual(told.map((_, i) => Math.ceil((i + 1) / 500) * 500));
      // A state that says "below" without its alert stored would, after a kill -9, never raise it.
      expect(told.filter((alert) => alert.belowThen > alert.storedThen)).toEqual([]);
      expect(committedBelow()).toBe(keys); // and committed by stop()
      const db = openDatabase(dir, { readonly: true });
      const stored = db.prepare("SELECT id FROM alerts WHERE rule_id = 'silent' ORDER BY rowid").pluck().all();
      db.close();
      expect(stored).toEqual(told.map((alert) => alert.id)); // in the order raised
    } finally {
      await daemon.stop();
      reader.close();
    }
  });

  it('keeps heartbeat readings and per-host event rates for the web page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyzer-'));
    const config = analyzerConfigSchema.parse({
      listen: { udp: { port: await freeUdpPort() }, tcp: { enabled: false } },
      dataDir: dir,
      web: { enabled: false },
      rules: [],
    });
    const daemon = new AnalyzerDaemon({ config, clock: systemClock, logger: silentLogger });
    await daemon.start();
    const socket = createSocket('udp4');
    try {
      const heartbeat = (host: string, t: string) =>
        `<134>1 ${t} ${host} envirowatch 1 HEARTBEAT [readings@21600 temperature="72.5" temperatureStatus="ok" humidity="38.2" humidityStatus="warning" temperatureUnit="degF" lightStatus="error"] Temperature 72.5 degF ok`;
      for (const message of [
        heartbeat('sensor-a', '2026-11-24T06:00:00Z'),
        heartbeat('sensor-a', '2026-11-24T06:01:00Z'),
        heartbeat('sensor-b', '2026-11-24T06:00:30Z'),
        '<134>1 - fw1 kernel - - - not a heartbeat',
      ]) {
        await new Promise((resolve) => socket.send(message, config.listen.udp.port, '127.0.0.1', resolve));
      }
      await waitFor(async () => (daemon.receiver.counters.received.udp === 4 ? true : undefined), 'the messages');
      await daemon.stop();
      const db = openDatabase(dir);
      const latest = sensorsPage(db, {}, 10).sensors;
      expect(
        latest.map((sensor) => [
          sensor.host,
          sensor.readings.map((r) => `${r.quantity}=${r.value} ${r.unit} ${r.status} ${new Date(r.time).toISOString().slice(11, 16)}`),
        ]),
      ).toEqual([
        ['sensor-a', ['humidity=38.2 %RH warning 06:01', 'temperature=72.5 degF ok 06:01']],
        ['sensor-b', ['humidity=38.2 %RH warning 06:00', 'temperature=72.5 degF ok 06:00']],
      ]);
      const rates = new Map(busiestHosts(db, 0, 10).map(({ host, perMinute }) => [host, perMinute]));
      expect([...rates.keys()].sort()).toEqual(['fw1', 'sensor-a', 'sensor-b']);
      expect(rates.get('sensor-a')!.reduce((sum, r) => sum + r.count, 0)).toBe(2);
      db.close();
    } finally {
      socket.close();
      await daemon.stop();
    }
  });

  it('deletes alerts older than retention.alerts at start (and hourly)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyzer-'));
    const config = analyzerConfigSchema.parse({
      listen: { udp: { port: 0 }, tcp: { port: 0 } },
      dataDir: dir,
      web: { enabled: false },
      retention: { alerts: '30d' },
    });
    const db = openDatabase(dir);
    const store = new AlertStore(db);
    const alert = (id: string, ageDays: number) => ({
      id,
      ruleId: 'r',
      kind: 'anomaly' as const,
      severity: 'warning' as const,
      time: Date.now() - ageDays * 86_400_000,
      host: 'h',
      key: 'k',
      summary: id,
      evidence: {},
    });
    store.insert(alert('old', 31));
    store.insert(alert('recent', 29));
    db.close();
    const daemon = new AnalyzerDaemon({ config, clock: systemClock, logger: silentLogger });
    await daemon.start();
    try {
      expect(daemon.alerts.list({ open: true }).map((a) => a.id)).toEqual(['recent']);
    } finally {
      await daemon.stop();
    }
  });
});
