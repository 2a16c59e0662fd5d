/**
 * `npm run bench:state`: how the analyzer's learned state scales, printed, not asserted (#19).
 * At 10k, 100k and 1M items:
 *   - memory per learned anomaly value (10 per key), per anomaly key with one value, and per held
 *     timer start: JS heap and RSS grown per item, each in a fresh process (bench/state-probe.ts);
 *   - start-up of `envirowatch-analyzer analyzer` (the shipped command, node's default flags) on a
 *     store with N anomaly keys and N held timer starts, written by the analyzer's own store: time
 *     from spawn to its "analyzer started" line, and its RSS then.
 *   - µs per line through an anomaly rule evicting on every line and an event rule alerting on
 *     every line, at 1k, 10k and 100k keys (bench/state-probe.ts `lines`): flat if linear;
 *   - 200,000 EPS keys going silent at once into the same command (bench/eps-silent.ts): the alerts
 *     stored, when the last was, and the daemon's longest stall meanwhile.
 * Sizes can be given as arguments: `npm run bench:state -- 10000 100000` (the EPS keys: `--eps N`).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ANALYZER_CLI, analyzerSetup } from '../test/helpers/analyzer-process.js';
import { epsSilent } from './eps-silent.js';
import { STATE_RULE_LINES } from './state-rules.js';

const PROBE = fileURLToPath(new URL('./state-probe.js', import.meta.url));
const args = process.argv.slice(2);
const epsAt = args.indexOf('--eps');
const epsKeys = epsAt >= 0 ? Number(args.splice(epsAt, 2)[1]) : 200_000;
const sizes = args.map(Number);
if (sizes.length === 0) sizes.push(10_000, 100_000, 1_000_000);

const run = async (args: string[]) =>
  (await promisify(execFile)(process.execPath, ['--expose-gc', '--max-old-space-size=16384', PROBE, ...args], { maxBuffer: 1 << 20 })).stdout;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const status = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** CPU seconds (user + system) of process `pid` so far; /proc counts in clock ticks of 1/100 s on Linux. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Starts the analyzer on `config` and waits (however long) for its "analyzer started": the time that took, its CPU time, its RSS then and its peak. */
async function startUp(config: string): Promise<{ ms: number; cpu: number; rss: number; peak: number }> {
  const started = performance.now();
  const child = spawn(ANALYZER_CLI, ['analyzer', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const up = await new Promise<boolean>((resolve) => {
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => (log += chunk.toString()).includes('analyzer started') && resolve(true));
    child.once('exit', () => resolve(false));
  });
  if (!up) throw new Error(`the analyzer exited:\n${log}`);
  const result = { ms: performance.now() - started, cpu: cpuSeconds(child.pid!), rss: status(child.pid!, 'VmRSS'), peak: status(child.pid!, 'VmHWM') };
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return result;
}

process.stdout.write(`node ${process.version}\n`);
for (const n of sizes) {
  const parts: string[] = [];
  for (const what of ['values', 'keys', 'timers']) {
    const { heapBytes, rssBytes } = JSON.parse(await run([what, String(n)])) as { heapBytes: number; rssBytes: number };
    parts.push(
      `per ${what === 'values' ? 'anomaly value (10/key)' : what === 'keys' ? 'anomaly key (1 value)' : 'held timer'}: heap ${fmt(heapBytes)} B, RSS ${fmt(rssBytes)} B`,
    );
  }
  process.stdout.write(`${fmt(n)}: ${parts.join('; ')}\n`);

  const { config, dir } = await analyzerSetup(STATE_RULE_LINES, ['web: { enabled: false }']);
  await run(['generate', join(dir, 'data'), String(n)]);
  const { ms, cpu, rss, peak } = await startUp(config);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${fmt(n)}: start-up with ${fmt(n)} anomaly keys + ${fmt(n)} held timers: ${(ms / 1000).toFixed(1)} s (CPU ${cpu.toFixed(1)} s), RSS after start ${mb(rss)} (peak ${mb(peak)})\n`,
  );
}

{
  const figures: string[] = [];
  for (const keys of [1_000, 10_000, 100_000]) {
    const { anomalyUs, eventUs } = JSON.parse(await run(['lines', String(keys)])) as { anomalyUs: number; eventUs: number };
    figures.push(`${fmt(keys)} keys: anomaly evicting ${anomalyUs.toFixed(2)} µs, event ${eventUs.toFixed(2)} µs`);
  }
  process.stdout.write(`per line: ${figures.join('; ')}\n`);
}
if (epsKeys > 0) {
  const { stored, lastStoredAfterMs, longestStallMs, longestStallAtMs } = await epsSilent(epsKeys);
  process.stdout.write(
    `${fmt(epsKeys)} EPS keys silent at once: ${fmt(stored)} below alerts stored, the last ${(lastStoredAfterMs / 1000).toFixed(1)} s after the silent window's end; longest stall of the daemon's event loop ${fmt(longestStallMs)} ms, from ${(longestStallAtMs / 1000).toFixed(1)} s after that end\n`,
  );
}
