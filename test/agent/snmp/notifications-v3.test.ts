/**
 * The agent's sensorStatusChange over SNMPv3 (USM authPriv) against a real Net-SNMP snmptrapd over
 * loopback: the notifier's NotificationSender with v3 receivers (traps with our engine, informs
 * with discovery, rediscovery after a receiver restart, wrong keys), then the wiring in
 * startSnmpService (one engine shared by the agent and its traps). The message layer by hand:
 * test/snmp/notification/v3.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { createLogger, type LogLevel } from '../../../src/common/logger.js';
import type { AgentSnapshot, QuantityState, StatusChange } from '../../../src/agent/agent.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import { openLocalEngine } from '../../../src/snmp/v3/local-engine.js';
import { notificationsConfigSchema } from '../../../src/agent/snmp/config.js';
import { StatusChangeNotifier } from '../../../src/agent/snmp/status-change-notifier.js';
import { SENSOR_STATUS_CHANGE_OID } from '../../../src/agent/snmp/status-change-varbinds.js';
import { encodeDiscoveryProbe } from '../../../src/snmp/notification/v3.js';
import { startSnmpService } from '../../../src/agent/snmp/service.js';
import { decodeV3Message } from '../../../src/snmp/v3/message.js';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';
import type { TrapdNotification } from '../../helpers/snmptrapd.js';
import { snmptrapdPerTest } from '../../helpers/snmptrapd-per-test.js';

const USER: SnmpV3User = { name: 'ewuser', authProtocol: 'SHA-256', authPassword: 'authpass123', privProtocol: 'AES', privPassword: 'privpass123' };
const OUR_ENGINE = Buffer.from('800054600512345678', 'hex');
const NOW = Date.UTC(2026, 0, 1, 12);
const ROW = '1.3.6.1.4.1.21600.1.5.1.1.1';
const TRAP_OID = SENSOR_STATUS_CHANGE_OID.join('.');

const { trapd, cleanups } = snmptrapdPerTest();

/** A change whose varbinds are fixed: temperature warning → critical at 26.9 °C (80.42 °F), critical limit 80 °F. */
const CHANGE: StatusChange = {
  quantity: 'temperature',
  from: 'warning',
  to: 'critical',
  value: 26.9,
  limit: { side: 'high', limit: (80 - 32) / 1.8 },
  timestamp: NOW,
};
const STATE: QuantityState = {
  quantity: 'temperature',
  sensor: 'bme280',
  reading: { quantity: 'temperature', value: 26.9, raw: 26.9, timestamp: NOW },
  level: 'ok',
  status: 'critical',
};
const SNAPSHOT: AgentSnapshot = { timestamp: NOW, quantities: [STATE], sensors: [] };

/** Row index, name, value (°F and ×100), status critical(3), the crossed critical limit × 100; sysUpTime aside. */
function expectStatusChange(notification: TrapdNotification, sysUpTime?: number): void {
  const [upTime, ...rest] = notification.varbinds.map((v) => [v.oid, v.type, v.value]);
  expect(upTime).toEqual(['1.3.6.1.2.1.1.3.0', 'Timeticks', sysUpTime ?? expect.any(Number)]);
  expect(rest).toEqual([
    ['1.3.6.1.6.3.1.1.4.1.0', 'OID', TRAP_OID],
    [`${ROW}.1.1`, 'INTEGER', 1],
    [`${ROW}.2.1`, 'STRING', 'Temperature'],
    [`${ROW}.3.1`, 'INTEGER', 80],
    [`${ROW}.4.1`, 'INTEGER', 8042],
    [`${ROW}.6.1`, 'INTEGER', 3],
    [`${ROW}.8.1`, 'INTEGER', 8000],
  ]);
}

const defaults = (snmp: unknown = {}) => resolveAgentConfig(agentConfigSchema.parse({ snmp }));

describe('NotificationSender with SNMPv3 receivers, against a real snmptrapd', () => {
  async function sender(receivers: unknown[]) {
    const logs: { level: LogLevel; line: string }[] = [];
    const { units, thresholds } = defaults();
    const { receivers: parsed } = notificationsConfigSchema.parse({ receivers });
    const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
    const startedAt = systemClock.monotonic();
    const localEngine = await openLocalEngine({
      config: { engineId: OUR_ENGINE.toString('hex'), engineBootsFile: null },
      users: [],
      now: () => systemClock.monotonic(),
      startedAt,
    });
    const notifier = new StatusChangeNotifier({ receivers: parsed, units, thresholds, logger, clock: systemClock, sysUpTime: () => 4200, localEngine });
    cleanups.push(() => notifier.close());
    return { logs, notifier };
  }
  const reports = (logs: { line: string }[], stat: string) =>
    logs.filter((l) => l.line.includes('Report from a notification receiver') && l.line.includes(`report=${stat}`)).length;

  it('sends a v3 trap with our engine ID that snmptrapd authenticates, decrypts and logs', async () => {
    const receiver = await trapd({ v3: { user: USER, engineId: OUR_ENGINE } });
    const { notifier, logs } = await sender([{ host: '127.0.0.1', port: receiver.port, v3: USER }]);
    notifier.notify(CHANGE, SNAPSHOT);
    const notification = await receiver.waitFor((n) => n.pdu === 'TRAP2');
    expect(notification).toMatchObject({ version: 'v3', user: 'ewuser' });
    expectStatusChange(notification, 4200);
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 1, acknowledged: 0, retried: 0, failed: 0, dropped: 0 });
    expect(logs.map((l) => l.line).join('\n')).not.toMatch(/authpass123|privpass123/);
  });

  it('sends a v3 inform: discovers the receiver engine once, then each inform is acknowledged', async () => {
    const receiver = await trapd({ v3: { user: USER } });
    const { notifier, logs } = await sender([{ host: '127.0.0.1', port: receiver.port, v3: USER, kind: 'inform', timeout: '1s', retries: 2 }]);
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(1), { timeout: 3000 });
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(2), { timeout: 3000 });
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 2, acknowledged: 2, retried: 0, failed: 0, dropped: 0 });
    expect(reports(logs, 'unknownEngineIDs')).toBe(1); // the engine ID is cached
    const informs = receiver.received.filter((n) => n.pdu === 'INFORM');
    expect(informs).toHaveLength(2);
    expect(informs[0]).toMatchObject({ version: 'v3', user: 'ewuser' });
    expectStatusChange(informs[0]!, 4200);
    expect(logs.map((l) => l.line).join('\n')).not.toMatch(/authpass123|privpass123/);
  });

  it('resynchronises after a receiver reboot (notInTimeWindows) and rediscovers a new engine (unknownEngineIDs)', async () => {
    const receiver = await trapd({ v3: { user: USER } });
    const { notifier, logs } = await sender([{ host: '127.0.0.1', port: receiver.port, v3: USER, kind: 'inform', timeout: '1s', retries: 1 }]);
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(1), { timeout: 3000 });
    // Same engine ID, boots + 1: our cached boots is stale, the authenticated Report corrects it.
    await receiver.restart();
    expect(logs.at(-1)?.line).toContain(`engineId=${receiver.engineId.toString('hex')}`);
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(2), { timeout: 3000 });
    expect(reports(logs, 'notInTimeWindows')).toBe(1);
    // A different snmptrapd (new engine ID) on the same port: our keys are localised for the old one.
    await receiver.stop();
    const replacement = await trapd({ v3: { user: USER }, port: receiver.port });
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(3), { timeout: 3000 });
    expect(reports(logs, 'unknownEngineIDs')).toBe(2);
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 3, acknowledged: 3, retried: 0, failed: 0, dropped: 0 });
    expect(replacement.received.filter((n) => n.pdu === 'INFORM')).toHaveLength(1);
  });

  it('wrong keys: snmptrapd logs neither the trap nor the inform, and the inform counts as failed', async () => {
    const wrong: SnmpV3User = { ...USER, authPassword: 'not the password' };
    const receiver = await trapd({ v3: { user: USER, engineId: OUR_ENGINE } });
    const informReceiver = await trapd({ v3: { user: USER } });
    const { notifier, logs } = await sender([
      { host: '127.0.0.1', port: receiver.port, v3: wrong },
      { host: '127.0.0.1', port: informReceiver.port, v3: wrong, kind: 'inform', timeout: '200ms', retries: 1 },
    ]);
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.failed).toBe(1), { timeout: 3000 });
    await notifier.close();
    // A trap is never acknowledged, so a wrong key is invisible to us: it counts as sent.
    expect(notifier.counters).toEqual({ sent: 2, acknowledged: 0, retried: 0, failed: 1, dropped: 0 });
    await expect(receiver.waitFor(() => true, 300)).rejects.toThrow(/did not receive/);
    expect(informReceiver.received).toEqual([]);
    // snmptrapd answers the inform with a wrongDigests Report: no point resending, it fails at once.
    const warnings = logs.filter((l) => l.level === 'warn').map((l) => l.line);
    expect(warnings).toEqual([expect.stringMatching(/SNMPv3 inform refused by the receiver.* user=ewuser report=wrongDigests$/)]);
    expect(warnings.join('\n')).not.toMatch(/not the password|privpass123/);
  });
});

describe('NotificationSender with a v3 receiver that answers garbage', () => {
  it('drops undecodable, truncated and unexpected replies without crashing; the inform fails after its retries', async () => {
    // A scripted receiver: every datagram is answered with random bytes, a truncated copy, and a
    // well-formed v3 message with the right msgID that is not a Response (our own discovery probe).
    const receiver = createSocket('udp4');
    cleanups.push(() => {
      receiver.close();
    });
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    let datagrams = 0;
    receiver.on('message', (packet, remote) => {
      datagrams += 1;
      const { message } = decodeV3Message(packet) as Extract<ReturnType<typeof decodeV3Message>, { kind: 'message' }>;
      for (const reply of [randomBytes(40), packet.subarray(0, packet.length - 7), encodeDiscoveryProbe(message.msgId, 1)])
        receiver.send(reply, remote.port, remote.address);
    });
    const logs: { level: LogLevel; line: string }[] = [];
    const { units, thresholds } = defaults();
    const { receivers } = notificationsConfigSchema.parse({
      receivers: [{ host: '127.0.0.1', port: receiver.address().port, v3: USER, kind: 'inform', timeout: '50ms', retries: 2 }],
    });
    const logger = createLogger({ level: 'info', sink: (level, line) => logs.push({ level, line }) });
    const notifier = new StatusChangeNotifier({ receivers, units, thresholds, logger, clock: systemClock, sysUpTime: () => 1 });
    notifier.notify(CHANGE, SNAPSHOT);
    await vi.waitFor(() => expect(notifier.counters.failed).toBe(1), { timeout: 3000 });
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 1, acknowledged: 0, retried: 2, failed: 1, dropped: 0 });
    expect(datagrams).toBe(3); // three discovery probes: nothing it answered taught us an engine
    // One line per kind of trouble (rate-limited), then the failure.
    const warnings = logs.map((l) => l.line);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/undecodable packet/),
        expect.stringMatching(/does not authenticate or decrypt.*reason="PDU 0xa0"/),
        expect.stringMatching(/not acknowledged; giving up/),
      ]),
    );
    expect(warnings.filter((line) => /undecodable packet/.test(line))).toHaveLength(1);
  });
});

describe("startSnmpService: v3 traps carry the agent's own engine", () => {
  async function service(snmp: Record<string, unknown>) {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-engine-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bootsFile = join(dir, 'snmp-engine.json');
    const resolved = defaults({ addresses: ['127.0.0.1'], port: 0, engineId: OUR_ENGINE.toString('hex'), engineBootsFile: bootsFile, ...snmp });
    const logger = createLogger({ level: 'error', sink: () => {} });
    const running = await startSnmpService({ config: resolved.config.snmp, snapshot: () => SNAPSHOT, resolved, logger, sysDescr: 'test' });
    cleanups.push(() => running.stop());
    return { running, bootsFile };
  }

  for (const [label, v3Users] of [
    ["with v3 users: the agent's engine", [USER]],
    ['without v3 users: an engine opened for the traps, from the same config', []],
  ] as const) {
    it(`${label}, its boots file counted once`, async () => {
      const receiver = await trapd({ v3: { user: USER, engineId: OUR_ENGINE } });
      const { running, bootsFile } = await service({ v3Users, notifications: { receivers: [{ host: '127.0.0.1', port: receiver.port, v3: USER }] } });
      running.notify(CHANGE, SNAPSHOT);
      expectStatusChange(await receiver.waitFor((n) => n.pdu === 'TRAP2'));
      expect(running.notificationCounters).toMatchObject({ sent: 1, failed: 0 });
      expect(JSON.parse(await readFile(bootsFile, 'utf8'))).toEqual({ engineId: OUR_ENGINE.toString('hex'), engineBoots: 1 });
    });
  }
});
