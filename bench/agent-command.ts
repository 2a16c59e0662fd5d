/**
 * The agent as users run it, for `npm run bench`: `envirowatch agent --simulate` (the bundle, with
 * the node flags of its first line) as a child process with a temp config, its RSS and CPU time
 * read from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI } from './cli.js';
import { freeUdpPort } from '../test/helpers/ports.js';
import { procStat } from '../test/helpers/proc-stat.js';

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface RunningAgentCommand {
  readonly pid: number;
  readonly port: number;
  /** Readings printed so far (with `countReadings`). */
  readings(): number;
  /** Resolves once `count` readings have been printed. */
  readingsReached(count: number): Promise<void>;
  rssMb(): number;
  /** User + system CPU time so far, in µs. */
  cpuUs(): number;
  stop(): Promise<void>;
}

/**
 * Starts the agent with SNMP on a free loopback port and these extra config lines; resolves once
 * it says it started. With `countReadings` it prints each reading (--print-readings), so they can
 * be counted; without, it runs as the service does.
 */
export async function startAgentCommand(
  nodeFlags: readonly string[],
  options: { configLines?: readonly string[]; countReadings?: boolean } = {},
): Promise<RunningAgentCommand> {
  const dir = mkdtempSync(join(tmpdir(), 'envirowatch-bench-agent-'));
  const port = await freeUdpPort();
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    ['snmp:', '  addresses: [127.0.0.1]', `  port: ${port}`, '  communities: [{ name: public }]', ...(options.configLines ?? []), ''].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [...nodeFlags, CLI, 'agent', '--simulate', ...(options.countReadings ? ['--print-readings'] : []), '--config', config],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ENVIROWATCH_CONFIG: '' } },
  );
  let readings = 0;
  let log = '';
  const waiting = new Set<{ count: number; resolve: () => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let started: () => void;
  const startedOrExited = Promise.race([new Promise<void>((resolve) => (started = resolve)), exited]);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      // A reading line starts with its ISO time; log lines with level=.
      if (/^\d{4}-\d\d-\d\dT/.test(line)) {
        readings++;
        for (const waiter of waiting) if (readings >= waiter.count) (waiting.delete(waiter), waiter.resolve());
        return;
      }
      log = (log + line + '\n').slice(-4000);
      if (line.includes('agent started')) started();
    });
  }
  await startedOrExited;
  if (child.exitCode !== null || child.pid === undefined) throw new Error(`the agent exited before it started:\n${log}`);
  const pid = child.pid;
  return {
    pid,
    port,
    readings: () => readings,
    readingsReached: (count) => (readings >= count ? Promise.resolve() : new Promise((resolve) => waiting.add({ count, resolve }))),
    rssMb: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
    cpuUs: () => {
      const field = procStat(`/proc/${pid}/stat`);
      return ((field(14) + field(15)) / TICKS_PER_SECOND) * 1e6;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
