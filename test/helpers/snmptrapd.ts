import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnmpV3User } from '../../src/snmp/v3/config.js';
import { freeUdpPort } from './ports.js';

/**
 * Net-SNMP's snmptrapd as the real receiver of our notifications: foreground, loopback only, its
 * own config (no system snmptrapd.conf, snmp.conf or MIBs), one parseable line per notification.
 * A missing snmptrapd is a failure, not a skip: a suite that silently tests nothing proves nothing.
 */
export function requireSnmptrapd(): void {
  const result = spawnSync('snmptrapd', ['-v'], { stdio: 'pipe' });
  if (result.error || result.status !== 0) {
    throw new Error('snmptrapd not found: install the Debian package `snmptrapd` (apt-get install snmptrapd)');
  }
}

export interface TrapdVarbind {
  /** Numeric, without the leading dot: `1.3.6.1.2.1.1.3.0`. */
  readonly oid: string;
  /** Net-SNMP's type label: `INTEGER`, `STRING`, `OID`, `Timeticks`, … */
  readonly type: string;
  /** INTEGER and Timeticks as numbers; STRING unquoted; OID without the leading dot. */
  readonly value: string | number;
}

export interface TrapdNotification {
  /** `TRAP2` or `INFORM` (from snmptrapd's `%P`). */
  readonly pdu: string;
  readonly version: 'v2c' | 'v3';
  /** v2c: the community, e.g. `public`, from `%P`; v3: empty. */
  readonly community: string;
  /** v3: the USM user name, from `%P`; v2c: undefined. */
  readonly user?: string | undefined;
  readonly varbinds: readonly TrapdVarbind[];
  /** The line as printed, for failure messages. */
  readonly line: string;
}

export interface RunningSnmptrapd {
  readonly port: number;
  /** Its snmpEngineID, random per startSnmptrapd(), kept by restart(). */
  readonly engineId: Buffer;
  readonly received: TrapdNotification[];
  /** Resolves with the first received notification matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (n: TrapdNotification) => boolean, timeoutMs?: number): Promise<TrapdNotification>;
  /**
   * Stops it and starts it again on the same port with the same persistent directory: the same
   * engine ID, engineBoots one higher, engineTime back near 0 (what a receiver's reboot looks like).
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface SnmptrapdOptions {
  /** SNMPv2c community it logs (`authCommunity log,net`); default `public`. */
  readonly community?: string;
  /**
   * An SNMPv3 (authPriv) user it logs. With `engineId` (the sender's, for traps: RFC 3414 §1.5.1)
   * the user is created for that engine; without it, for snmptrapd's own engine (informs).
   */
  readonly v3?: { readonly user: SnmpV3User; readonly engineId?: Buffer };
  /** UDP port; default a free one (to stand in for a receiver that restarted with a new engine). */
  readonly port?: number;
}

// %P: "TRAP2, SNMP v2c, community public" or "INFORM, SNMP v3, user name, context "; %V| sets the
// varbind separator; %v: the varbinds.
const FORMAT = 'format2 NOTIFICATION %P\\t%V|%v\\n';
const LINE = /^NOTIFICATION (\w+), SNMP (v2c|v3), (community|user) ([^,\t]*)(?:, context [^\t]*)?\t(.*)$/;

function parseVarbind(text: string): TrapdVarbind {
  const match = /^\.?([\d.]+) = (?:([\w-]+): )?(.*)$/.exec(text);
  if (!match) return { oid: '', type: 'unparsed', value: text };
  const [, oid, type = '', raw = ''] = match;
  let value: string | number = raw;
  if (type === 'INTEGER') value = Number(raw);
  else if (type === 'Timeticks') value = Number(/^\((\d+)\)/.exec(raw)?.[1]);
  else if (type === 'STRING') value = raw.replace(/^"(.*)"$/, '$1');
  else if (type === 'OID') value = raw.replace(/^\./, '');
  return { oid: oid!, type, value };
}

export function parseTrapdLine(line: string): TrapdNotification | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const [, pdu, version, label, security, varbinds] = match;
  const v3 = version === 'v3';
  return {
    pdu: pdu!,
    version: v3 ? 'v3' : 'v2c',
    community: label === 'community' ? security! : '',
    user: label === 'user' ? security : undefined,
    varbinds: varbinds!.split('|').map(parseVarbind),
    line,
  };
}

/**
 * The snmpd.conf/snmptrapd.conf `createUser` line for `user` (Net-SNMP spells the protocols as our
 * config does); with `engineId`, for that (remote, authoritative) engine instead of its own.
 */
export function createUserLine({ user, engineId }: { readonly user: SnmpV3User; readonly engineId?: Buffer | undefined }): string {
  const engine = engineId ? `-e 0x${engineId.toString('hex')} ` : '';
  return `createUser ${engine}${user.name} ${user.authProtocol} "${user.authPassword}" ${user.privProtocol} "${user.privPassword}"`;
}

export async function startSnmptrapd(options: SnmptrapdOptions = {}): Promise<RunningSnmptrapd> {
  requireSnmptrapd();
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-snmptrapd-'));
  // The config apart from the persistent directory, where snmptrapd keeps its engine ID and boots.
  const confDir = join(dir, 'conf');
  const stateDir = join(dir, 'state');
  await mkdir(confDir);
  await mkdir(stateDir);
  const config = join(confDir, 'snmptrapd.conf');
  // Run like this, snmptrapd picks a new random engine ID at every start despite its persistent
  // directory, so ID and boots are set here, with the tokens it stores there; first, so that
  // createUser localises to this engine.
  const engineId = Buffer.concat([Buffer.from('80001f8805', 'hex'), randomBytes(8)]);
  let engineBoots = 0;
  const v3 = options.v3 ? [createUserLine(options.v3), `authUser log,net ${options.v3.user.name}`] : [];
  const writeConfig = () =>
    writeFile(
      config,
      [
        `oldEngineID 0x${engineId.toString('hex')}`,
        `engineBoots ${engineBoots++}`,
        `authCommunity log,net ${options.community ?? 'public'}`,
        ...v3,
        'doNotRetainNotificationLogs yes',
        FORMAT,
        '',
      ].join('\n'),
    );
  const port = options.port ?? (await freeUdpPort());
  // -f foreground, -Lo log to stdout, -n numeric addresses, -On numeric OIDs, -C -c only our config,
  // -m '' -M /nonexistent no MIBs; the environment keeps snmp.conf and persistent files out too.
  const args = ['-f', '-Lo', '-n', '-On', '-C', '-c', config, '-m', '', '-M', '/nonexistent', `udp:127.0.0.1:${port}`];
  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: confDir, SNMP_PERSISTENT_DIR: stateDir };
  const received: TrapdNotification[] = [];
  const waiters = new Set<() => void>();
  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);

  const launch = async () => {
    await writeConfig(); // snmptrapd starts at the boots in its config plus one
    const running = spawn('snmptrapd', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = running;
    let pending = '';
    let started = false;
    running.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (/NET-SNMP version/.test(line)) started = true;
        const notification = parseTrapdLine(line);
        if (notification) received.push(notification);
      }
      for (const wake of waiters) wake();
    });
    running.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));

    // snmptrapd prints its version once its transport is open.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`snmptrapd did not start within 5 s:\n${output}`)), 5000);
      const check = () => {
        if (!started) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      running.once('error', (error) => reject(new Error(`cannot run snmptrapd (Debian package \`snmptrapd\`): ${error.message}`)));
      void exited.then((code) => reject(new Error(`snmptrapd exited with ${code} before it was ready:\n${output}`)));
    });
  };

  const waitFor = (predicate: (n: TrapdNotification) => boolean, timeoutMs = 5000) =>
    new Promise<TrapdNotification>((resolve, reject) => {
      const check = () => {
        const found = received.find(predicate);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`snmptrapd did not receive the expected notification within ${timeoutMs} ms; its output:\n${output}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const kill = async () => {
    const running = child;
    child = undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      running.kill('SIGTERM');
      await exited;
    }
  };

  await launch();
  return {
    port,
    engineId,
    received,
    waitFor,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
