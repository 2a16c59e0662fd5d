import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Varbind } from '../src/agent/snmp/message.js';
import { SENSOR_STATUS_CHANGE_OID, SNMP_TRAP_OID_0, SYS_UP_TIME_0 } from '../src/agent/snmp/notification-varbinds.js';
import { decodeV3Reply, encodeDiscoveryProbe, encodeV3Notification, localizeKeys, masterKeys, type V3Credentials } from '../src/agent/snmp/notification-v3.js';
import { requireSnmptrapd } from './helpers/snmptrapd.js';
import { freeUdpPort } from './helpers/ports.js';

/** Real snmptrapd as the v3 receiver; lines look like `NOTIFICATION TRAP2, SNMP v3, user u, context \t<varbinds>`. */
const USER: V3Credentials = { name: 'ewuser', authProtocol: 'SHA-256', authPassword: 'authpass123', privProtocol: 'AES', privPassword: 'privpass123' };
const OUR_ENGINE = Buffer.from('800054600512345678', 'hex');

interface Trapd {
  port: number;
  lines: string[];
  stop(): Promise<void>;
}

const started: Trapd[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const trapd of started.splice(0)) await trapd.stop();
  for (const socket of sockets.splice(0)) socket.close();
});

async function startTrapd(createUser: string): Promise<Trapd> {
  requireSnmptrapd();
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-snmptrapd-v3-'));
  const config = join(dir, 'snmptrapd.conf');
  await writeFile(config, [createUser, `authUser log ${USER.name}`, 'doNotRetainNotificationLogs yes', 'format2 NOTIFICATION %P\\t%V|%v\\n', ''].join('\n'));
  const port = await freeUdpPort();
  const args = ['-f', '-Lo', '-n', '-On', '-C', '-c', config, '-m', '', '-M', '/nonexistent', `udp:127.0.0.1:${port}`];
  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: dir, SNMP_PERSISTENT_DIR: dir };
  const child: ChildProcess = spawn('snmptrapd', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    lines.push(...chunk.split('\n').filter((line) => line.startsWith('NOTIFICATION')));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const deadline = Date.now() + 5000;
  while (!/NET-SNMP version/.test(output)) {
    if (Date.now() > deadline) throw new Error(`snmptrapd did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const trapd: Trapd = {
    port,
    lines,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  started.push(trapd);
  return trapd;
}

const varbinds: Varbind[] = [
  { oid: SYS_UP_TIME_0, value: { type: 'timeticks', value: 4242 } },
  { oid: SNMP_TRAP_OID_0, value: { type: 'oid', value: SENSOR_STATUS_CHANGE_OID } },
  { oid: [1, 3, 6, 1, 4, 1, 21600, 1, 5, 1, 1, 1, 6, 1], value: { type: 'integer', value: 3 } },
];

async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const send = (socket: Socket, packet: Buffer, port: number) => new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));

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

async function waitForLine(trapd: Trapd, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (trapd.lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return trapd.lines[0];
}

function expectVarbinds(line: string): void {
  expect(line).toContain('.1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.21600.1.5.2.0.1');
  expect(line).toContain('.1.3.6.1.2.1.1.3.0 = Timeticks: (4242)');
  expect(line).toContain('.1.3.6.1.4.1.21600.1.5.1.1.1.6.1 = INTEGER: 3');
}

describe('SNMPv3 notification encoding against a real snmptrapd', () => {
  it('delivers an authPriv trap with our engine as the authoritative one', async () => {
    const trapd = await startTrapd(`createUser -e 0x${OUR_ENGINE.toString('hex')} ${USER.name} SHA-256 ${USER.authPassword} AES ${USER.privPassword}`);
    const socket = await openSocket();
    const keys = localizeKeys(masterKeys(USER), OUR_ENGINE);
    await send(socket, encodeV3Notification({ kind: 'trap', keys, boots: 1, time: 5, msgId: 1, requestId: 77, varbinds }), trapd.port);
    const line = await waitForLine(trapd, 5000);
    expect(line).toMatch(/TRAP2, SNMP v3, user ewuser/);
    expectVarbinds(line!);
  });

  it('a trap with a wrong password is not logged', async () => {
    const trapd = await startTrapd(`createUser -e 0x${OUR_ENGINE.toString('hex')} ${USER.name} SHA-256 ${USER.authPassword} AES ${USER.privPassword}`);
    const socket = await openSocket();
    const keys = localizeKeys(masterKeys({ ...USER, authPassword: 'wrongpass123' }), OUR_ENGINE);
    await send(socket, encodeV3Notification({ kind: 'trap', keys, boots: 1, time: 5, msgId: 1, requestId: 78, varbinds }), trapd.port);
    expect(await waitForLine(trapd, 1000)).toBeUndefined();
  });

  it('discovers the receiver engine, then sends an inform it acknowledges', async () => {
    const trapd = await startTrapd(`createUser ${USER.name} SHA-256 ${USER.authPassword} AES ${USER.privPassword}`);
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(10, 100), trapd.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    expect(report).toMatchObject({ kind: 'report', stat: 'unknownEngineIDs' });
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys(USER), report.engineId);
    await send(socket, encodeV3Notification({ kind: 'inform', keys, boots: report.boots, time: report.time, msgId: 11, requestId: 101, varbinds }), trapd.port);
    const reply = decodeV3Reply((await nextReply(socket))!, keys);
    expect(reply).toMatchObject({ kind: 'response', requestId: 101, errorStatus: 0 });
    const line = await waitForLine(trapd, 5000);
    expect(line).toMatch(/INFORM, SNMP v3, user ewuser/);
    expectVarbinds(line!);
  });

  it('reads a notInTimeWindows Report for a stale boots/time, and resynchronises from it', async () => {
    const trapd = await startTrapd(`createUser ${USER.name} SHA-256 ${USER.authPassword} AES ${USER.privPassword}`);
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(30, 300), trapd.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys(USER), report.engineId);
    await send(socket, encodeV3Notification({ kind: 'inform', keys, boots: report.boots + 5, time: 0, msgId: 31, requestId: 301, varbinds }), trapd.port);
    const stale = decodeV3Reply((await nextReply(socket))!, keys);
    expect(stale).toMatchObject({ kind: 'report', stat: 'notInTimeWindows', boots: report.boots });
    if (stale.kind !== 'report') throw new Error('no report');
    await send(socket, encodeV3Notification({ kind: 'inform', keys, boots: stale.boots, time: stale.time, msgId: 32, requestId: 302, varbinds }), trapd.port);
    expect(decodeV3Reply((await nextReply(socket))!, keys)).toMatchObject({ kind: 'response', requestId: 302 });
  });

  it('an inform with a wrong password is neither acknowledged nor logged', async () => {
    const trapd = await startTrapd(`createUser ${USER.name} SHA-256 ${USER.authPassword} AES ${USER.privPassword}`);
    const socket = await openSocket();
    await send(socket, encodeDiscoveryProbe(20, 200), trapd.port);
    const report = decodeV3Reply((await nextReply(socket))!, undefined);
    if (report.kind !== 'report') throw new Error('no report');
    const keys = localizeKeys(masterKeys({ ...USER, privPassword: 'wrongpass123', authPassword: 'wrongpass456' }), report.engineId);
    await send(socket, encodeV3Notification({ kind: 'inform', keys, boots: report.boots, time: report.time, msgId: 21, requestId: 201, varbinds }), trapd.port);
    const reply = await nextReply(socket, 1000);
    if (reply) expect(decodeV3Reply(reply, keys).kind).not.toBe('response');
    expect(await waitForLine(trapd, 500)).toBeUndefined();
  });
});
