/** A real Prometheus server (Debian `prometheus`) scraping one target, for end-to-end metric tests. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './ports.js';

export function requirePrometheus(): void {
  for (const tool of ['prometheus', 'promtool']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error)
      throw new Error(`${tool} not found: install the Debian package prometheus (apt-get install prometheus)`);
  }
}

export interface RunningPrometheus {
  /** Instant query through its HTTP API; resolves with the result vector. */
  query(expression: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(target: string): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-prometheus-'));
  const port = await freeTcpPort();
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: envirowatch',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const query: RunningPrometheus['query'] = async (expression) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as { status: string; data: { result: Awaited<ReturnType<RunningPrometheus['query']>> } };
    if (body.status !== 'success') throw new Error(`prometheus query ${expression} failed: ${JSON.stringify(body)}`);
    return body.data.result;
  };
  return {
    query,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
      if (stderr.includes('level=error')) throw new Error(`prometheus logged errors:\n${stderr}`);
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
