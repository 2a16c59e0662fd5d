import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { ManualClock } from '../../src/common/clock.js';
import { createLogger, type LogLevel } from '../../src/common/logger.js';
import type { AgentSnapshot } from '../../src/agent/agent.js';
import type { ResolvedAgentConfig } from '../../src/agent/config/resolve.js';
import { snmpConfigSchema, type SnmpConfig } from '../../src/agent/snmp/config.js';
import { SnmpAgent } from '../../src/agent/snmp/snmp-agent.js';
import type { UnitSystem } from '../../src/agent/readings/units.js';
import type { SnmpV3User } from '../../src/snmp/v3/config.js';

/**
 * Net-SNMP's own command-line tools are the peers these tests talk to. Missing tools are a
 * failure, not a skip: a suite that silently tests nothing proves nothing.
 */
export function requireNetSnmpTools(): void {
  try {
    execFileSync('snmpwalk', ['-V'], { stdio: 'pipe' });
  } catch {
    throw new Error('Net-SNMP command-line tools not found (snmpwalk): install the Debian package `snmp` (apt-get install snmp)');
  }
}

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one Net-SNMP tool. No MIB files are loaded (`-m ''` with an empty MIB path), so output is
 * `iso.3.6.1…` whatever the machine has installed, as the original sensor's output was.
 */
export function runTool(tool: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: '/nonexistent' };
    execFile(tool, ['-m', '', '-M', '/nonexistent', ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface RunningSnmpAgent {
  agent: SnmpAgent;
  clock: ManualClock;
  /** `127.0.0.1:PORT` for the tools. */
  target: string;
  port: number;
  logs: { level: LogLevel; line: string }[];
  stop(): Promise<void>;
}

export async function startSnmpAgent(options: {
  snapshot: () => AgentSnapshot;
  units?: UnitSystem;
  thresholds?: ResolvedAgentConfig['thresholds'];
  config?: Partial<SnmpConfig>;
  clock?: ManualClock;
}): Promise<RunningSnmpAgent> {
  const clock = options.clock ?? new ManualClock();
  const logs: RunningSnmpAgent['logs'] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => logs.push({ level, line }) });
  const config = snmpConfigSchema.parse({
    addresses: ['127.0.0.1'],
    port: 0,
    communities: [{ name: 'public' }],
    sysName: 'envirowatch-test',
    ...options.config,
  });
  const agent = new SnmpAgent({
    config,
    snapshot: options.snapshot,
    units: options.units ?? { temperature: 'fahrenheit' },
    thresholds: options.thresholds ?? {},
    logger,
    clock,
    sysDescr: 'envirowatch test agent',
  });
  const { addresses } = await agent.start();
  const port = Number(addresses[0]!.split(':').at(-1));
  return { agent, clock, target: `127.0.0.1:${port}`, port, logs, stop: () => agent.stop() };
}

/** Sends one raw datagram and resolves with the first reply, or undefined after `timeoutMs`. */
export function sendRaw(port: number, packet: Buffer, timeoutMs = 500, address = '127.0.0.1'): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (reply) => finish(reply));
    socket.on('error', reject);
    socket.send(packet, port, address);
  });
}

/** An SNMPv3 user as the Net-SNMP tools are told it, for `v3Args`. */
export interface V3Credentials {
  readonly user: string;
  /** `-l`; authPriv unless a test wants a weaker level on purpose. */
  readonly level?: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
  readonly authProtocol?: string;
  readonly authPassword?: string;
  readonly privProtocol?: string;
  readonly privPassword?: string;
}

/** `-v3 -l … -u … -a … -A … -x … -X …` for the Net-SNMP tools. */
/** The SNMPv3 user the differential tests give both the agent and snmpd (createUser + rouser … priv). */
export const TEST_V3_USER: SnmpV3User = {
  name: 'monitor',
  authProtocol: 'SHA-256',
  authPassword: 'auth password one',
  privProtocol: 'AES',
  privPassword: 'priv password one',
};

/** An agent's v3 user as the Net-SNMP tools take it (v3Args). */
export function toolCredentials(user: SnmpV3User): V3Credentials {
  return {
    user: user.name,
    authProtocol: user.authProtocol,
    authPassword: user.authPassword,
    privProtocol: user.privProtocol,
    privPassword: user.privPassword,
  };
}

export function v3Args(credentials: V3Credentials): string[] {
  const level = credentials.level ?? 'authPriv';
  const args = ['-v3', '-l', level, '-u', credentials.user];
  if (level !== 'noAuthNoPriv') args.push('-a', credentials.authProtocol ?? 'SHA-256', '-A', credentials.authPassword ?? '');
  if (level === 'authPriv') args.push('-x', credentials.privProtocol ?? 'AES', '-X', credentials.privPassword ?? '');
  return args;
}
