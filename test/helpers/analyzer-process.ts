/** The analyzer as users run it: `envirowatch` (the built bundle) in its own process, with a temp config. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort } from './ports.js';

// From test/helpers/ (vitest) or, compiled for the benches, from dist/test/helpers/.
export const CLI = fileURLToPath(new URL(`../../${import.meta.url.includes('/dist/test/') ? '' : 'dist/'}src/cli/envirowatch.mjs`, import.meta.url));
/** The analyzer's own entry (the daemon's node flags on its first line), which its systemd unit starts and `envirowatch analyzer` re-executes into. */
export const ANALYZER_CLI = CLI.replace(/envirowatch\.mjs$/, 'envirowatch-analyzer.mjs');

export function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(CLI, args, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A temp dir with analyzer.yaml listening on free ports (web on any free port), storing in the dir, with these rule lines. */
export async function analyzerSetup(ruleLines: string[], extraLines: string[] = []): Promise<{ config: string; tcp: number; udp: number; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-analyzer-'));
  const [udp, tcp] = [await freeUdpPort(), await freeTcpPort()];
  const config = join(dir, 'analyzer.yaml');
  const web = extraLines.some((line) => line.startsWith('web:')) ? [] : ['web: { port: 0 }'];
  await writeFile(
    config,
    [
      `listen: { udp: { port: ${udp} }, tcp: { port: ${tcp} } }`,
      `dataDir: ${join(dir, 'data')}`,
      ...web,
      ...extraLines,
      ...(ruleLines.length ? ['rules:', ...ruleLines] : ['rules: []']),
      '',
    ].join('\n'),
  );
  return { config, tcp, udp, dir };
}

export interface RunningAnalyzer {
  readonly child: ChildProcess;
  /** The web page's URL from its log, when the web page is on. */
  readonly webUrl: string | undefined;
  /** Everything it printed so far. */
  log(): string;
}

/**
 * `envirowatch-analyzer analyzer --config CONFIG` as the systemd unit starts it (the child is the
 * analyzer itself: its pid, kill -9), or with `cli` `envirowatch analyzer`, which re-executes into it.
 * Resolved once it says it started (its output in the error otherwise).
 */
export async function startAnalyzer(config: string, cli = ANALYZER_CLI, startTimeoutMs = 10_000): Promise<RunningAnalyzer> {
  const child = spawn(cli, ['analyzer', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the analyzer exited with ${child.exitCode}`);
      return log.includes('analyzer started') ? true : undefined;
    },
    'the analyzer to start',
    startTimeoutMs,
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}:\n${log}`);
  });
  return { child, webUrl: /msg="web page" url=(\S+)/.exec(log)?.[1], log: () => log };
}

/** SIGTERM, and the exit code once it has stopped. */
export async function stopAnalyzer(analyzer: RunningAnalyzer): Promise<number | null> {
  if (analyzer.child.exitCode !== null) return analyzer.child.exitCode;
  const exited = new Promise<number | null>((resolve) => analyzer.child.once('exit', (code) => resolve(code)));
  analyzer.child.kill('SIGTERM');
  return exited;
}

/** config/rules.example.yaml's VPN-address anomaly rule without its options (learning the default 7 days), as lines of a `rules:` list. */
export const VPN_RULE = [
  '  - id: vpn-new-address',
  '    kind: anomaly',
  "    match: { app: ^openvpn$, regex: \"user '(?<user>[^']+)' address '(?<ip>[^':]+):\\\\d+' - connected\" }",
  '    key: ${user}',
  '    value: ${ip}',
];

/** The OpenVPN log-on line the VPN-address anomaly rule learns from, sent by util-linux `logger` over TCP (RFC 3164). */
export function sendVpnLogon(tcpPort: number, ip: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    execFile(
      'logger',
      ['-T', '-n', '127.0.0.1', '-P', String(tcpPort), '--rfc3164', '-t', 'openvpn', `openvpn server 'ovpns1' user 'dave' address '${ip}:1194' - connected`],
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
}
