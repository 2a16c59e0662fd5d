import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './snmp-tools.js';
import { freeTcpPort } from './ports.js';

/**
 * Real processes for test/managers.test.ts: the built agent (`envirowatch agent --simulate`) and
 * the managers' own programs. A missing program is a failure that names its Debian package.
 */

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export const SNMP_EXPORTER = '/usr/bin/prometheus-snmp-exporter';

export interface RunningProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  stop(): Promise<void>;
}

function track(child: ChildProcessWithoutNullStreams): { output: () => string; exited: Promise<number | null> } {
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => text, exited };
}

async function stopChild(child: ChildProcessWithoutNullStreams, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, output: () => string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface RunningAgent extends RunningProcess {
  /** The UDP port the agent's log says it listens on (127.0.0.1). */
  readonly port: number;
  readonly target: string;
}

/**
 * `envirowatch agent --simulate --print-readings` on 127.0.0.1, a free UDP port, community
 * `public`, as test/cli.test.ts runs it. Resolves once the first reading is printed (before it,
 * the table has rows with no value yet: sensorReadingAge -1).
 */
export async function startCliAgent(options: { communities?: string; extraSnmpYaml?: string } = {}): Promise<RunningAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-managers-'));
  const config = join(dir, 'agent.yaml');
  await writeFile(
    config,
    `snmp:\n  addresses: [127.0.0.1]\n  port: 0\n  communities: ${options.communities ?? '[{ name: public }]'}\n${options.extraSnmpYaml ?? ''}`,
  );
  const child = spawn(process.execPath, [CLI, 'agent', '--simulate', '--print-readings', '--config', config], {
    env: { ...process.env, ENVIROWATCH_CONFIG: '' },
  });
  const { output, exited } = track(child);
  const port = await waitFor(
    'the agent\'s "SNMP agent listening" log line',
    () => {
      if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${output()}`);
      const match = /msg="SNMP agent listening" addresses=127\.0\.0\.1:(\d+)/.exec(output());
      return match ? Number(match[1]) : undefined;
    },
    output,
  );
  const stop = () => stopChild(child, exited);
  try {
    await waitFor('the first printed reading', () => (/Temperature .* · Light \d/.test(output()) ? true : undefined), output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, port, target: `127.0.0.1:${port}`, output, stop };
}

export function requireSnmpExporter(): void {
  try {
    accessSync(SNMP_EXPORTER, constants.X_OK);
  } catch {
    throw new Error(`${SNMP_EXPORTER} not found: install the Debian package \`prometheus-snmp-exporter\` (apt-get install prometheus-snmp-exporter)`);
  }
}

/** Runs a program to completion. */
export function runProgram(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      // A program that is not installed: code 'ENOENT', reported as 127 like a shell would.
      if (error && error.code === 'ENOENT') return resolve({ code: 127, stdout: '', stderr: `${file}: ENOENT (not installed)` });
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface RunningExporter extends RunningProcess {
  readonly url: string;
}

/** prometheus-snmp-exporter with `configFile`, on 127.0.0.1 and a free port; resolves once it answers HTTP. */
export async function startSnmpExporter(configFile: string): Promise<RunningExporter> {
  requireSnmpExporter();
  const port = await freeTcpPort();
  const child = spawn(SNMP_EXPORTER, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`]);
  const { output, exited } = track(child);
  const url = `http://127.0.0.1:${port}`;
  const running = { child, url, output, stop: () => stopChild(child, exited) };
  try {
    await waitFor(
      'snmp_exporter to answer HTTP',
      async () => {
        if (child.exitCode !== null) throw new Error(`snmp_exporter exited with ${child.exitCode}:\n${output()}`);
        try {
          return (await fetch(`${url}/`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      output,
    );
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

/** One sample of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (enough of it for the exporter's output). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * Parses a TOML file with Python's tomllib (Python 3.11+): the project has no TOML parser and
 * adds no npm package for one test. Missing python3 is a failure naming the Debian package.
 */
export async function parseTomlFile(file: string): Promise<unknown> {
  const script = 'import json, sys, tomllib\nwith open(sys.argv[1], "rb") as f:\n    print(json.dumps(tomllib.load(f)))';
  const { code, stdout, stderr } = await runProgram('python3', ['-c', script, file]);
  if (code !== 0) {
    if (/ENOENT|No module named 'tomllib'/.test(stderr) || code === 127) {
      throw new Error(`python3 with tomllib (3.11+) is needed to parse TOML: install the Debian package \`python3\` (bookworm has 3.11): ${stderr}`);
    }
    throw new Error(`${file} is not valid TOML: ${stderr.trim().split('\n').at(-1)}`);
  }
  return JSON.parse(stdout);
}

/** Every OID the agent serves (no leading dot), from a v2c walk of the whole tree with Net-SNMP's snmpwalk. */
export async function servedOids(target: string): Promise<Set<string>> {
  const walk = await runTool('snmpwalk', ['-v2c', '-c', 'public', '-On', target, '.1']);
  if (walk.code !== 0) throw new Error(`snmpwalk failed: ${walk.stderr}`);
  const oids = walk.stdout
    .split('\n')
    .map((line) => /^\.?([\d.]+) = /.exec(line)?.[1])
    .filter((oid): oid is string => oid !== undefined);
  return new Set(oids);
}

/** True when `oid` is served, or is a column/subtree (a prefix) under which something is served. */
export function servesOidOrSubtree(served: ReadonlySet<string>, oid: string): boolean {
  const bare = oid.replace(/^\./, '');
  if (served.has(bare)) return true;
  for (const candidate of served) if (candidate.startsWith(`${bare}.`)) return true;
  return false;
}
