/**
 * sensorStatusChange notifications: the varbinds from hand-built changes (no sockets), and the
 * notifier with its sender against a real Net-SNMP snmptrapd over loopback (traps, acknowledged
 * informs), a port where nothing listens (retries, failure, the queue bound) and a scripted
 * receiver (which replies acknowledge an inform).
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { formatConfigIssues, parseConfigText } from '../../../src/common/config-file.js';
import type { ConfigError } from '../../../src/common/errors.js';
import { createLogger, type LogLevel } from '../../../src/common/logger.js';
import type { AgentSnapshot, QuantityState, StatusChange } from '../../../src/agent/agent.js';
import { resolveAgentConfig } from '../../../src/agent/config/resolve.js';
import { agentConfigSchema } from '../../../src/agent/config/schema.js';
import type { Quantity } from '../../../src/agent/readings/quantities.js';
import type { Status } from '../../../src/agent/readings/thresholds.js';
import { BerReader, Tag, encodeInteger, encodeString, sequence } from '../../../src/snmp/ber.js';
import { PduType } from '../../../src/snmp/message/message.js';
import { NotificationPduType } from '../../../src/snmp/notification/pdu.js';
import { notificationsConfigSchema } from '../../../src/agent/snmp/config.js';
import { StatusChangeNotifier } from '../../../src/agent/snmp/status-change-notifier.js';
import { SENSOR_STATUS_CHANGE_OID, statusChangeVarbinds } from '../../../src/agent/snmp/status-change-varbinds.js';
import { SNMP_TRAP_OID_0, SYS_UP_TIME_0 } from '../../../src/snmp/notification/varbinds.js';
import { agentFixture } from '../../helpers/agent-fixture.js';
import { startSnmptrapd, type RunningSnmptrapd, type TrapdNotification } from '../../helpers/snmptrapd.js';
import { freeUdpPort } from '../../helpers/ports.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const ROW = '1.3.6.1.4.1.21600.1.5.1.1.1';
const TRAP_OID = SENSOR_STATUS_CHANGE_OID.join('.');
const defaults = (units: 'fahrenheit' | 'celsius' = 'fahrenheit') => resolveAgentConfig(agentConfigSchema.parse({ units: { temperature: units } }));

function state(quantity: Quantity, value: number | undefined, status: Status): QuantityState {
  const reading = value === undefined ? undefined : { quantity, value, raw: value, timestamp: NOW };
  return { quantity, sensor: quantity === 'light' ? 'ltr559' : 'bme280', reading, level: 'ok', status };
}

/** The change's varbinds as `oid → value`, sysUpTime 4200. */
function varbinds(change: Omit<StatusChange, 'timestamp'>, stateValue = change.value, units: 'fahrenheit' | 'celsius' = 'fahrenheit') {
  const { thresholds } = defaults(units);
  const snapshot: AgentSnapshot = { timestamp: NOW, quantities: [state(change.quantity, stateValue, change.to)], sensors: [] };
  const list = statusChangeVarbinds({ change: { ...change, timestamp: NOW }, snapshot, units: { temperature: units }, thresholds, sysUpTime: 4200 });
  return list.map((v) => [v.oid.join('.'), 'value' in v.value ? v.value.value : v.value.type] as const);
}

describe('notificationsConfigSchema', () => {
  it('defaults to no receivers, and a receiver to a v2c trap to port 162 with community public', () => {
    expect(notificationsConfigSchema.parse({})).toEqual({ receivers: [] });
    expect(notificationsConfigSchema.parse({ receivers: [{ host: 'nms.example.org' }] }).receivers).toEqual([
      { host: 'nms.example.org', port: 162, community: 'public', kind: 'trap', timeout: 2000, retries: 3 },
    ]);
  });

  it('reports every mistake at once with its key path', () => {
    const result = notificationsConfigSchema.safeParse({
      receivers: [{ host: 'bad host', kind: 'notify', timeout: 'soon', retries: -1, port: 0, comunity: 'x' }],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'receivers.0.host: must be an IPv4 or IPv6 address or a host name',
        'receivers.0.kind: must be trap or inform',
        'receivers.0.timeout: "soon" is not a duration between 1ms and 60s, like 500ms or 2s',
        expect.stringMatching(/^receivers\.0\.retries: /),
        expect.stringMatching(/^receivers\.0\.port: /),
        expect.stringMatching(/^receivers\.0: .*comunity/),
      ]),
    );
  });

  it('takes an SNMPv3 receiver as a v3 block with the keys of an snmp.v3Users entry, and no community', () => {
    const v3 = { name: 'traps', authProtocol: 'SHA-512', authPassword: 'auth password', privPassword: 'priv password' };
    expect(notificationsConfigSchema.parse({ receivers: [{ host: '::1', v3, kind: 'inform' }] }).receivers).toEqual([
      { host: '::1', port: 162, v3: { ...v3, privProtocol: 'AES' }, kind: 'inform', timeout: 2000, retries: 3 },
    ]);
  });

  it('refuses community and v3 together, and names the keys of a bad v3 block, along with other mistakes', () => {
    const yaml = [
      'snmp:', //                                                     line 1
      '  notifications:', //                                          line 2
      '    receivers:', //                                            line 3
      '      - host: 127.0.0.1', //                                   line 4
      '        community: public', //                                 line 5
      '        port: 0', //                                           line 6: bad port
      '        v3: { name: traps, authProtocol: SHA-256, authPassword: long enough, privPassword: long enough }', // line 7
      '      - host: 127.0.0.1', //                                   line 8
      '        v3: { name: traps, authProtocol: MD5, authPassword: short, privPassword: long enough, level: authNoPriv }', // line 9
    ].join('\n');
    let issues: string[] = [];
    try {
      parseConfigText(agentConfigSchema, yaml, 'agent.yaml');
    } catch (error) {
      issues = formatConfigIssues(error as ConfigError).sort();
    }
    expect(issues).toEqual([
      expect.stringMatching(/^agent\.yaml:6: snmp\.notifications\.receivers\.0\.port: /),
      'agent.yaml:7: snmp.notifications.receivers.0.v3: a receiver is SNMPv2c (community) or SNMPv3 (v3), not both: remove community or v3',
      'agent.yaml:9: snmp.notifications.receivers.1.v3.authPassword: found a value (not shown: it is a secret): must be at least 8 characters',
      'agent.yaml:9: snmp.notifications.receivers.1.v3.authProtocol: found the text "MD5": must be SHA-224, SHA-256, SHA-384, SHA-512 or SHA',
      'agent.yaml:9: snmp.notifications.receivers.1.v3.level: unknown key (check its spelling and indentation)',
    ]);
    expect(issues.join('\n')).not.toMatch(/long enough|short/); // passwords are not echoed
  });
});

describe('statusChangeVarbinds', () => {
  it('sends sysUpTime, snmpTrapOID, the row and the crossed critical limit in .8 for warning → critical', () => {
    // 26.9 °C = 80.42 °F, beyond the default critical 80 °F (26.667 °C).
    expect(varbinds({ quantity: 'temperature', from: 'warning', to: 'critical', value: 26.9, limit: { side: 'high', limit: (80 - 32) / 1.8 } })).toEqual([
      [SYS_UP_TIME_0.join('.'), 4200],
      [SNMP_TRAP_OID_0.join('.'), SENSOR_STATUS_CHANGE_OID],
      [`${ROW}.1.1`, 1], // sensorIndex
      [`${ROW}.2.1`, 'Temperature'], // sensorType
      [`${ROW}.3.1`, 80], // sensorValue, rounded °F
      [`${ROW}.4.1`, 8042], // × 100
      [`${ROW}.6.1`, 3], // critical(3)
      [`${ROW}.8.1`, 8000], // critical limit × 100
    ]);
  });

  it('puts a warning limit in .7, and computes it when the event has none (low side: humidity)', () => {
    const list = varbinds({ quantity: 'humidity', from: 'ok', to: 'warning', value: 14.2 });
    expect(list.slice(2)).toEqual([
      [`${ROW}.1.2`, 2],
      [`${ROW}.2.2`, 'Humidity'],
      [`${ROW}.3.2`, 14],
      [`${ROW}.4.2`, 1420],
      [`${ROW}.6.2`, 2],
      [`${ROW}.7.2`, 1500],
    ]);
  });

  it('on the way back to ok reports the limit of the level left: critical → ok gives the critical limit', () => {
    expect(varbinds({ quantity: 'temperature', from: 'critical', to: 'ok', value: 24 }).at(-1)).toEqual([`${ROW}.8.1`, 8000]);
    expect(varbinds({ quantity: 'temperature', from: 'warning', to: 'ok', value: 24 }).at(-1)).toEqual([`${ROW}.7.1`, 7700]);
    expect(varbinds({ quantity: 'temperature', from: 'critical', to: 'warning', value: 25.5 }).at(-1)).toEqual([`${ROW}.7.1`, 7700]);
  });

  it('converts limits to the configured unit: °C gives 2650 for 26.5 °C', () => {
    expect(varbinds({ quantity: 'temperature', from: 'ok', to: 'critical', value: 27 }, 27, 'celsius').slice(-3)).toEqual([
      [`${ROW}.4.1`, 2700],
      [`${ROW}.6.1`, 3],
      [`${ROW}.8.1`, 2650],
    ]);
  });

  it('on error sends the last good value the table shows and no limit', () => {
    const list = varbinds({ quantity: 'temperature', from: 'critical', to: 'error', reason: 'EREMOTEIO' }, 26.9);
    expect(list.slice(4)).toEqual([
      [`${ROW}.3.1`, 80],
      [`${ROW}.4.1`, 8042],
      [`${ROW}.6.1`, 4],
    ]);
  });

  it('sends no limit for stale, nor for ok after error, and 0 for a value never read', () => {
    expect(varbinds({ quantity: 'light', from: 'ok', to: 'stale', value: 120 }).slice(-2)).toEqual([
      [`${ROW}.4.3`, 12000],
      [`${ROW}.6.3`, 5],
    ]);
    expect(varbinds({ quantity: 'temperature', from: 'error', to: 'ok', value: 21 }).at(-1)).toEqual([`${ROW}.6.1`, 1]);
    expect(varbinds({ quantity: 'light', from: 'stale', to: 'error' }, undefined).slice(-3)).toEqual([
      [`${ROW}.3.3`, 0],
      [`${ROW}.4.3`, 0],
      [`${ROW}.6.3`, 4],
    ]);
  });
});

describe('NotificationSender over loopback: a real snmptrapd, dead ports, a scripted receiver', () => {
  let trapd: RunningSnmptrapd;
  // No skip when snmptrapd is missing: startSnmptrapd throws naming the Debian package.
  beforeAll(async () => {
    trapd = await startSnmptrapd();
  });
  afterAll(async () => {
    await trapd?.stop();
  });

  function sender(receivers: unknown[], extra: { maxPendingInforms?: number } = {}) {
    const logs: { level: LogLevel; line: string }[] = [];
    const { units, thresholds } = defaults();
    const { receivers: parsed } = notificationsConfigSchema.parse({ receivers });
    const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
    return { logs, notifier: new StatusChangeNotifier({ receivers: parsed, units, thresholds, logger, clock: systemClock, sysUpTime: () => 4200, ...extra }) };
  }

  const value = (n: TrapdNotification, oid: string) => n.varbinds.find((v) => v.oid === oid)?.value;
  const carries = (pdu: string, status: number) => (n: TrapdNotification) =>
    n.pdu === pdu && value(n, `${ROW}.6.1`) === status && value(n, '1.3.6.1.6.3.1.1.4.1.0') === TRAP_OID;

  it('sends a trap when the agent on emulated sensors crosses the critical temperature', async () => {
    const { notifier } = sender([{ host: '127.0.0.1', port: trapd.port }]);
    const { agent, board, poll, events } = await agentFixture('cpuCorrection:\n  enabled: false\n');
    agent.on('statusChange', (change) => notifier.notify(change, agent.snapshot()));
    const conditions = { humidityRH: 40, pressurePa: 101_325 };
    for (const temperatureC of [22, 27]) {
      board.bme280.setConditions({ temperatureC, ...conditions });
      await poll();
    }
    const change = events.statusChange.find((c) => c.quantity === 'temperature')!;
    expect(`${change.from}→${change.to}`).toBe('ok→critical');
    const received = await trapd.waitFor(carries('TRAP2', 3));
    expect(received.community).toBe('public');
    expect(received.varbinds.map((v) => [v.oid, v.type, v.value])).toEqual([
      ['1.3.6.1.2.1.1.3.0', 'Timeticks', 4200],
      ['1.3.6.1.6.3.1.1.4.1.0', 'OID', TRAP_OID],
      [`${ROW}.1.1`, 'INTEGER', 1],
      [`${ROW}.2.1`, 'STRING', 'Temperature'],
      [`${ROW}.3.1`, 'INTEGER', Math.round(change.value! * 1.8 + 32)],
      [`${ROW}.4.1`, 'INTEGER', Math.round((change.value! * 1.8 + 32) * 100)],
      [`${ROW}.6.1`, 'INTEGER', 3],
      [`${ROW}.8.1`, 'INTEGER', 8000],
    ]);
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 1, acknowledged: 0, retried: 0, failed: 0, dropped: 0 });
  });

  it('sends an inform that snmptrapd acknowledges: counted, never resent', async () => {
    const { notifier } = sender([{ host: '127.0.0.1', port: trapd.port, kind: 'inform', timeout: '1s', retries: 3 }]);
    const change: StatusChange = { quantity: 'temperature', from: 'critical', to: 'ok', value: 24, timestamp: NOW };
    notifier.notify(change, { timestamp: NOW, quantities: [state('temperature', 24, 'ok')], sensors: [] });
    const received = await trapd.waitFor(carries('INFORM', 1));
    expect(value(received, `${ROW}.8.1`)).toBe(8000); // the critical limit it recovered from
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(1), { timeout: 3000 });
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 1, acknowledged: 1, retried: 0, failed: 0, dropped: 0 });
    expect(trapd.received.filter((n) => n.pdu === 'INFORM')).toHaveLength(1);
  });

  it('resends an unanswered inform `retries` times, then counts it failed, without holding up a trap', async () => {
    const deadPort = await freeUdpPort();
    const { notifier, logs } = sender([
      { host: '127.0.0.1', port: deadPort, kind: 'inform', timeout: '100ms', retries: 2 },
      { host: '127.0.0.1', port: trapd.port, kind: 'trap' },
    ]);
    const started = Date.now();
    notifier.notify(
      { quantity: 'humidity', from: 'ok', to: 'error', reason: 'EIO', timestamp: NOW },
      { timestamp: NOW, quantities: [state('humidity', 38, 'error')], sensors: [] },
    );
    expect(Date.now() - started).toBeLessThan(50); // notify does not wait
    await trapd.waitFor((n) => n.pdu === 'TRAP2' && value(n, `${ROW}.6.2`) === 4);
    expect(notifier.counters).toMatchObject({ failed: 0, acknowledged: 0 }); // the inform is still waiting
    // Waits 100 + 200 + 400 ms (doubling) before giving up.
    await vi.waitFor(() => expect(notifier.counters.failed).toBe(1), { timeout: 3000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(notifier.counters).toEqual({ sent: 2, acknowledged: 0, retried: 2, failed: 1, dropped: 0 });
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.line)).toEqual([
      expect.stringMatching(/not acknowledged; giving up.*to=127\.0\.0\.1:\d+ attempts=3/),
    ]);
    await notifier.close();
  });

  it('bounds the informs waiting per receiver and abandons them at close', async () => {
    const deadPort = await freeUdpPort();
    const { notifier } = sender([{ host: '127.0.0.1', port: deadPort, kind: 'inform', timeout: '10s', retries: 3 }], { maxPendingInforms: 2 });
    const snapshot: AgentSnapshot = { timestamp: NOW, quantities: [state('temperature', 26, 'warning')], sensors: [] };
    for (let i = 0; i < 3; i++) notifier.notify({ quantity: 'temperature', from: 'ok', to: 'warning', value: 26, timestamp: NOW }, snapshot);
    const started = Date.now();
    await notifier.close();
    expect(Date.now() - started).toBeLessThan(1000); // does not sit out the 10 s timeouts
    expect(notifier.counters).toEqual({ sent: 3, acknowledged: 0, retried: 0, failed: 0, dropped: 3 }); // 1 pushed out, 2 at close
    notifier.notify({ quantity: 'temperature', from: 'warning', to: 'ok', value: 22, timestamp: NOW }, snapshot);
    expect(notifier.counters.dropped).toBe(4);
  });

  it("takes only a Response with its request-id from the receiver's port as an acknowledgement", async () => {
    // A scripted receiver: answers each inform with a wrong request-id, then with the right one from
    // another port; only the third copy gets a proper answer.
    const receiver = createSocket('udp4');
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    let copies = 0;
    receiver.on('message', (packet, remote) => {
      const message = new BerReader(packet).readSequence();
      message.readInteger(); // version
      message.read(Tag.OctetString); // community
      const requestId = message.readSequence(NotificationPduType.InformRequest).readInteger();
      const reply = (id: number) =>
        sequence(Tag.Sequence, [
          encodeInteger(1),
          encodeString('public'),
          sequence(PduType.Response, [encodeInteger(id), encodeInteger(0), encodeInteger(0), sequence(Tag.Sequence, [])]),
        ]);
      copies += 1;
      receiver.send(reply(requestId + 1), remote.port, remote.address);
      stranger.send(reply(requestId), remote.port, remote.address);
      if (copies === 3) receiver.send(reply(requestId), remote.port, remote.address);
    });
    const { notifier } = sender([{ host: '127.0.0.1', port: receiver.address().port, kind: 'inform', timeout: '50ms', retries: 5 }]);
    notifier.notify(
      { quantity: 'humidity', from: 'warning', to: 'critical', value: 9, timestamp: NOW },
      { timestamp: NOW, quantities: [state('humidity', 9, 'critical')], sensors: [] },
    );
    await vi.waitFor(() => expect(notifier.counters.acknowledged).toBe(1), { timeout: 3000 });
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 1, acknowledged: 1, retried: 2, failed: 0, dropped: 0 });
    receiver.close();
    stranger.close();
  });

  it('counts an unresolvable receiver as failed and logs it once per 10 s, never throwing', async () => {
    const { notifier, logs } = sender([{ host: 'receiver.invalid', port: 162 }]);
    const snapshot: AgentSnapshot = { timestamp: NOW, quantities: [state('light', 0, 'stale')], sensors: [] };
    for (let i = 0; i < 3; i++) notifier.notify({ quantity: 'light', from: 'ok', to: 'stale', value: 0, timestamp: NOW }, snapshot);
    await notifier.close();
    expect(notifier.counters).toEqual({ sent: 0, acknowledged: 0, retried: 0, failed: 3, dropped: 0 });
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.line)).toEqual([
      expect.stringMatching(/trap could not be sent.*to=receiver\.invalid:162 error=(ENOTFOUND|EAI_AGAIN)/),
    ]);
  });
});
