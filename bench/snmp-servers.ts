/**
 * The serving side of `npm run bench:snmp`: Debian's snmpd (with the original design's pass script)
 * and `envirowatch agent --simulate`, each a child process on a free loopback port with a temp
 * config, and their RSS from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Oid } from '../src/snmp/oid.js';
import { CLI, cliNodeFlags } from './cli.js';
import { freeUdpPort } from '../test/helpers/ports.js';
import { procStat } from '../test/helpers/proc-stat.js';
import { getLoad } from './snmp-load.js';

/** Source files the compiled bench (dist/bench/) uses. */
export const PASS_SCRIPT = fileURLToPath(new URL('../../bench/snmp-pass.pl', import.meta.url));

/** VmRSS of a process in MB, from /proc/PID/status. */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * User + system CPU time of process `pid` so far, with that of its children it has waited for (the
 * pass script's forks), in µs: /proc/PID/stat utime, stime, cutime, cstime in ticks of 1/100 s.
 */
export function cpuUs(pid: number): number {
  const field = procStat(`/proc/${pid}/stat`);
  return (field(14) + field(15) + field(16) + field(17)) * 10_000;
}

export interface Server {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly target: string;
  stop(): Promise<void>;
}

/** Starts `command`, keeps the tail of its output for errors, waits until it answers a GET for `probe`. */
async function serve(name: string, port: number, command: string, args: string[], env: NodeJS.ProcessEnv, probe: Oid): Promise<Server> {
  const child: ChildProcess = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`${name} exited before answering (${command} ${args.join(' ')}):\n${output}`);
    }
    const answered = await getLoad({ port, oids: [probe], inFlight: 1, responses: 1, durationMs: 300, timeoutMs: 250 });
    if (answered.responses > 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer on 127.0.0.1:${port} within 15 s:\n${output}`);
    }
  }
  return { name, pid: child.pid, port, target: `127.0.0.1:${port}`, stop };
}

/** The values the original's Python poller would have written, one integer per file. */
export function writeOriginalFiles(dir: string, values: { temperature: number; humidity: number; light: number }): void {
  for (const [file, value] of Object.entries(values)) writeFileSync(join(dir, file), `${value}\n`);
}

/**
 * Debian's snmpd, not daemonised, with a temp config only (-C -c): the original design's pass line
 * for the sensor table, and its own system group. State files go to `dir`, not /var/lib/snmp.
 */
export async function startSnmpd(dir: string, probe: Oid, options: { agentxSocket?: string } = {}): Promise<Server> {
  const port = await freeUdpPort();
  const conf = join(dir, `snmpd-${port}.conf`);
  // As AgentX master, the sensor table comes from our subagent instead of the pass script.
  const table = options.agentxSocket
    ? ['master agentx', `agentXSocket ${options.agentxSocket}`]
    : [`pass .1.3.6.1.4.1.21600.1.5.1.1.1 /usr/bin/perl ${PASS_SCRIPT} ${dir}`];
  writeFileSync(conf, [`agentaddress udp:127.0.0.1:${port}`, 'rocommunity public 127.0.0.1', ...table, ''].join('\n'));
  // Per port: the bench runs two at once (the ceiling's beside the subagent's master).
  const env = { ...process.env, SNMP_PERSISTENT_DIR: join(dir, `snmpd-state-${port}`), MIBS: '', MIBDIRS: '/nonexistent' };
  const args = [
    '-f',
    '-Lo',
    '-C',
    '-c',
    conf,
    '-I',
    '-smux,mteTrigger,mteTriggerConf,mteEvent,mteEventConf,mteObjects,mteObjectsConf',
    '-p',
    join(dir, `snmpd-${port}.pid`),
  ];
  return serve('snmpd', port, 'snmpd', args, env, probe);
}

/**
 * `envirowatch agent --simulate` as a child process with its node flags and a temp config: its
 * own SNMP agent, or with `agentxVia` a subagent of that snmpd (ready once snmpd serves `probe`).
 */
export async function startAgentCli(
  dir: string,
  probe: Oid,
  nodeFlags = cliNodeFlags(),
  agentxVia?: { snmpd: Server; socket: string },
): Promise<Server & { nodeFlags: string[] }> {
  const port = agentxVia ? agentxVia.snmpd.port : await freeUdpPort();
  const config = join(dir, `agent-${port}.yaml`);
  const snmp = agentxVia
    ? ['snmp:', '  mode: agentx', '  agentx:', `    socket: "${agentxVia.socket}"`, '']
    : ['snmp:', '  addresses: [127.0.0.1]', `  port: ${port}`, '  communities:', '    - name: public', ''];
  writeFileSync(config, snmp.join('\n'));
  const server = await serve('envirowatch agent', port, process.execPath, [...nodeFlags, CLI, 'agent', '--simulate', '--config', config], process.env, probe);
  return { ...server, nodeFlags };
}
