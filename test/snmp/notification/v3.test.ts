/**
 * SNMPv3 (USM authPriv) notification messages (notification/v3.ts) built by hand and sent to a
 * real Net-SNMP snmptrapd over loopback: traps with our engine authoritative, informs after
 * discovery (RFC 3414 §4), the notInTimeWindows Report, wrong keys.
 */
import { createSocket, type Socket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { Varbind } from '../../../src/snmp/message/message.js';
import { decodeV3Reply, encodeDiscoveryProbe, encodeV3Notification, localizeKeys, masterKeys } from '../../../src/snmp/notification/v3.js';
import { SNMP_TRAP_OID_0, SYS_UP_TIME_0 } from '../../../src/snmp/notification/varbinds.js';
import { parseOid } from '../../../src/snmp/oid.js';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';
import type { RunningSnmptrapd, TrapdNotification } from '../../helpers/snmptrapd.js';
import { snmptrapdPerTest } from '../../helpers/snmptrapd-per-test.js';

const USER: SnmpV3User = { name: 'ewuser', authProtocol: 'SHA-256', authPassword: 'authpass123', privProtocol: 'AES', privPassword: 'privpass123' };
const OUR_ENGINE = Buffer.from('800054600512345678', 'hex');
/** The agent's sensorStatusChange and a sensorStatus cell, as examples of enterprise OIDs. */
const SENSOR_STATUS_CHANGE = parseOid('1.3.6.1.4.1.21600.1.5.2.0.1');
const TRAP_OID = SENSOR_STATUS_CHANGE.join('.');
const ROW = '1.3.6.1.4.1.21600.1.5.1.1.1';

const { trapd, cleanups } = snmptrapdPerTest();

describe('SNMPv3 notification messages against a real snmptrapd', () => {
  const varbinds: Varbind[] = [
    { oid: SYS_UP_TIME_0, value: { type: 'timeticks', value: 4242 } },
    { oid: SNMP_TRAP_OID_0, value: { type: 'oid', value: SENSOR_STATUS_CHANGE } },
    { oid: [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 6, 1], value: { type: 'integer', value: 3 } },
  ];

  async function openSocket(): Promise<Socket> {
    const socket = createSocket('udp4');
    cleanups.push(() => {
      socket.close();
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return socket;
  }

  const send = (socket: Socket, packet: Buffer, port: number) =>
    new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));

  function nextReply(socket: Socket, timeoutMs = 2000): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        resolve(undefined);
      }, timeoutMs);
      const onMessage = (packet: Buffer) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(packet);
      };
      socket.on('message', onMessage);
    });
  }

  /** The first notification within `timeoutMs`, or undefined. */
  const firstWithin = (receiver: RunningSnmptrapd, timeoutMs: number) => receiver.waitFor(() => true, timeoutMs).catch(() => undefined);

  function expectVarbinds(notification: TrapdNotification): void {
    expect(notification.varbinds.map((v) => [v.oid, v.value])).toEqual([
      ['1.3.6.1.2.1.1.3.0', 4242],
      ['1.3.6.1.6.3.1.1.4.1.0', TRAP_OID],
      [`${ROW}.6.1`, 3],
    ]);
  }

  it('delivers an authPriv trap with our engine as the authoritative one', async () => {
    const receiver = await trapd({ v3: { user: USER, engineId: OUR_ENGINE } });
    const socket = await openSocket();
    const keys = localizeKeys(masterKeys(USER), OUR_ENGINE);
    await send(socket, encodeV3Notification({ kind: 'trap', keys, boots: 1, time: 5, msgId: 1, requestId: 77, varbinds }), receiver.port);
    const notification = await receiver.waitFor(() => true);
    expect(notification).toMatchObject({ pdu: 'TRAP2', version: 'v3', user: 'ewuser' });
    expectVarbinds(notification);
  });

  it('a trap with a wrong password is not logged', async () => {
    const receiver = await trapd({ v3: { user: USER, engineId: OUR_ENGINE } });
    const socket = await openSocket();
    const keys = localizeKeys(masterKeys({ ...USER, authPassword: 'wrongpass123' }), OUR_ENGINE);
    await send(socket, encodeV3Notification({ kind: 'trap', keys, boots: 1, time: 5, msgId: 1, requestId: 78, varbinds }), receiver.port);
    expect(await firstWithin(receiver, 1000)).toBeUndefined();
  });

  it('discovers the receiver engine, then sends an inform it acknowledges', async () => {
    const receiver = await trapd({ v3: { user: USER } });
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(10, 100), receiver.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    expect(report).toMatchObject({ kind: 'report', stat: 'unknownEngineIDs' });
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys(USER), report.engineId);
    await send(
      socket,
      encodeV3Notification({ kind: 'inform', keys, boots: report.boots, time: report.time, msgId: 11, requestId: 101, varbinds }),
      receiver.port,
    );
    const reply = decodeV3Reply((await nextReply(socket))!, keys);
    expect(reply).toMatchObject({ kind: 'response', requestId: 101, errorStatus: 0 });
    const notification = await receiver.waitFor(() => true);
    expect(notification).toMatchObject({ pdu: 'INFORM', version: 'v3', user: 'ewuser' });
    expectVarbinds(notification);
  });

  it('reads a notInTimeWindows Report for a stale boots/time, and resynchronises from it', async () => {
    const receiver = await trapd({ v3: { user: USER } });
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(30, 300), receiver.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys(USER), report.engineId);
    await send(socket, encodeV3Notification({ kind: 'inform', keys, boots: report.boots + 5, time: 0, msgId: 31, requestId: 301, varbinds }), receiver.port);
    const stale = decodeV3Reply((await nextReply(socket))!, keys);
    expect(stale).toMatchObject({ kind: 'report', stat: 'notInTimeWindows', boots: report.boots });
    if (stale.kind !== 'report') throw new Error('no report');
    await send(
      socket,
      encodeV3Notification({ kind: 'inform', keys, boots: stale.boots, time: stale.time, msgId: 32, requestId: 302, varbinds }),
      receiver.port,
    );
    expect(decodeV3Reply((await nextReply(socket))!, keys)).toMatchObject({ kind: 'response', requestId: 302 });
  });

  it('an inform with a wrong password is neither acknowledged nor logged', async () => {
    const receiver = await trapd({ v3: { user: USER } });
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(20, 200), receiver.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys({ ...USER, privPassword: 'wrongpass123', authPassword: 'wrongpass456' }), report.engineId);
    await send(
      socket,
      encodeV3Notification({ kind: 'inform', keys, boots: report.boots, time: report.time, msgId: 21, requestId: 201, varbinds }),
      receiver.port,
    );
    const reply = await nextReply(socket, 1000);
    if (reply) expect(decodeV3Reply(reply, keys).kind).not.toBe('response');
    expect(await firstWithin(receiver, 500)).toBeUndefined();
  });
});
