import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnmpV3User } from '../../src/snmp/v3/config.js';
import { runTool } from './snmp-tools.js';
import { createUserLine } from './snmptrapd.js';
import { freeTcpPort, freeUdpPort } from './ports.js';

/**
 * Net-SNMP's snmpd as a real AgentX master: foreground, loopback only, its own config (no system
 * snmpd.conf, snmp.conf, MIBs or persistent state), AgentX on TCP or a Unix socket in a temp dir.
 * A missing snmpd is a failure, not a skip: a suite that silently tests nothing proves nothing.
 */
const SNMPD_PATHS = ['snmpd', '/usr/sbin/snmpd'];

function snmpdBinary(): string | undefined {
  return SNMPD_PATHS.find((candidate) => {
    const result = spawnSync(candidate, ['-v'], { stdio: 'pipe' });
    return !result.error && result.status === 0;
  });
}

export function requireSnmpd(): void {
  if (!snmpdBinary()) throw new Error('snmpd not found: install the Debian package `snmpd` (apt-get install snmpd)');
}

export interface SnmpdOptions {
  /** `tcp:127.0.0.1:PORT` or a Unix socket path; default a free TCP port. */
  readonly agentxSocket?: string;
  /** UDP port for SNMP; default a free one. */
  readonly udpPort?: number;
  /** An SNMPv3 user with read-only access at authPriv (`rouser NAME priv`), besides the `public` community. */
  readonly v3User?: SnmpV3User;
}

export interface RunningSnmpd {
  /** `127.0.0.1:PORT` for the tools. */
  readonly target: string;
  readonly udpPort: number;
  /** As written in `agentXSocket`, and as `snmp.agentx.socket` takes it. */
  readonly agentxSocket: string;
  readonly dir: string;
  /** Everything snmpd logged (-Lo), for failure messages. */
  readonly output: () => string;
  /** Kills snmpd (SIGKILL when `hard`, else SIGTERM) and waits for it to exit. */
  kill(hard?: boolean): Promise<void>;
  /** Starts it again with the same config and ports (after kill()). */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

export async function startSnmpd(options: SnmpdOptions = {}): Promise<RunningSnmpd> {
  const binary = snmpdBinary();
  if (!binary) throw new Error('snmpd not found: install the Debian package `snmpd` (apt-get install snmpd)');
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-snmpd-'));
  const udpPort = options.udpPort ?? (await freeUdpPort());
  const agentxSocket = options.agentxSocket ?? `tcp:127.0.0.1:${await freeTcpPort()}`;
  // Not in the persistent directory: snmpd renames $SNMP_PERSISTENT_DIR/snmpd.conf at start.
  const confDir = join(dir, 'conf');
  const stateDir = join(dir, 'state');
  await mkdir(confDir);
  await mkdir(stateDir);
  const conf = join(confDir, 'snmpd.conf');
  await writeFile(
    conf,
    [
      'master agentx',
      `agentXSocket ${agentxSocket}`,
      // Short master-side timeout so a test that breaks the subagent does not stall the tools.
      'agentXTimeout 2',
      'agentXRetries 1',
      `agentaddress udp:127.0.0.1:${udpPort}`,
      'rocommunity public 127.0.0.1',
      ...(options.v3User ? [createUserLine({ user: options.v3User }), `rouser ${options.v3User.name} priv`] : []),
      'dontLogTCPWrappersConnects yes',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SNMP_PERSISTENT_DIR: stateDir, SNMPCONFPATH: confDir, MIBS: '', MIBDIRS: '/nonexistent' };
  let output = '';
  let child: ChildProcess | undefined;

  const launch = async () => {
    // -f foreground, -Lo log to stdout, -C no other config files, -I -smux no SMUX, no MIB files.
    child = spawn(binary, ['-f', '-Lo', '-C', '-c', conf, '-I', '-smux', '-M', '/nonexistent', '-m', ''], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Ready when it answers: sysDescr.0 is snmpd's own.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`snmpd exited with ${child.exitCode}:\n${output}`);
      const result = await runTool('snmpget', ['-v2c', '-c', 'public', '-r', '0', '-t', '0.3', `127.0.0.1:${udpPort}`, '1.3.6.1.2.1.1.1.0']);
      if (result.code === 0) return;
    }
    throw new Error(`snmpd did not answer within 10 s:\n${output}`);
  };

  const kill = async (hard = false) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    });
  };

  await launch();
  return {
    target: `127.0.0.1:${udpPort}`,
    udpPort,
    agentxSocket,
    dir,
    output: () => output,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    },
  };
}
