import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** `public`, from `%P`. */
  readonly community: string;
  readonly varbinds: readonly TrapdVarbind[];
  /** The line as printed, for failure messages. */
  readonly line: string;
}

export interface RunningSnmptrapd {
  readonly port: number;
  readonly received: TrapdNotification[];
  /** Resolves with the first received notification matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (n: TrapdNotification) => boolean, timeoutMs?: number): Promise<TrapdNotification>;
  stop(): Promise<void>;
}

// %P: "TRAP2, SNMP v2c, community public"; %V| sets the varbind separator; %v: the varbinds.
const FORMAT = 'format2 NOTIFICATION %P\\t%V|%v\\n';
const LINE = /^NOTIFICATION (\w+), SNMP v2c, community (\S*)\t(.*)$/;

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
  return { pdu: match[1]!, community: match[2]!, varbinds: match[3]!.split('|').map(parseVarbind), line };
}


export async function startSnmptrapd(options: { community?: string } = {}): Promise<RunningSnmptrapd> {
  requireSnmptrapd();
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-snmptrapd-'));
  const config = join(dir, 'snmptrapd.conf');
  await writeFile(config, [`authCommunity log,net ${options.community ?? 'public'}`, 'doNotRetainNotificationLogs yes', FORMAT, ''].join('\n'));
  const port = await freeUdpPort();
  // -f foreground, -Lo log to stdout, -n numeric addresses, -On numeric OIDs, -C -c only our config,
  // -m '' -M /nonexistent no MIBs; the environment keeps snmp.conf and persistent files out too.
  const args = ['-f', '-Lo', '-n', '-On', '-C', '-c', config, '-m', '', '-M', '/nonexistent', `udp:127.0.0.1:${port}`];
  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: dir, SNMP_PERSISTENT_DIR: dir };
  const child: ChildProcess = spawn('snmptrapd', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const received: TrapdNotification[] = [];
  const waiters = new Set<() => void>();
  let output = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const notification = parseTrapdLine(line);
      if (notification) received.push(notification);
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // snmptrapd prints its version once its transport is open.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`snmptrapd did not start within 5 s:\n${output}`)), 5000);
    const check = () => {
      if (!/NET-SNMP version/.test(output)) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    child.once('error', (error) => reject(new Error(`cannot run snmptrapd (Debian package \`snmptrapd\`): ${error.message}`)));
    void exited.then((code) => reject(new Error(`snmptrapd exited with ${code} before it was ready:\n${output}`)));
  });

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

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  return { port, received, waitFor, stop };
}
