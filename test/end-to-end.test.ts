/**
 * The whole product on this machine: `envirowatch agent --simulate` (emulated sensors playing the
 * scripted room, emulated LCD kept in a PNG) forwarding syslog over TCP to `envirowatch analyzer`,
 * SNMP read with Net-SNMP's snmpget, traps received by a real snmptrapd. When the room's
 * temperature crosses the critical limit, the SNMP status column, the trap, the display's colour
 * and the analyzer's alert all say critical. Stopping the agent raises the silent-sensor alert
 * within its interval; starting it again raises the recovery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePNGFromStream } from 'pureimage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzerSetup, CLI, cli, startAnalyzer, stopAnalyzer, waitFor, type RunningAnalyzer } from './helpers/analyzer-process.js';
import { freeUdpPort } from './helpers/ports.js';
import { runTool } from './helpers/snmp-tools.js';
import { startSnmptrapd, type RunningSnmptrapd } from './helpers/snmptrapd.js';

const STATUS_TEMPERATURE = '1.3.6.1.4.1.21600.1.5.1.1.1.6.1';
const CRITICAL = 3;
/** The LCD's temperature row background at (1, 30), drawn 4x in the PNG: rgb565(220, 0, 0) when critical. */
const RED_IN_PNG = [222, 0, 0];

let trapd: RunningSnmptrapd;
let analyzer: RunningAnalyzer;
let analyzerConfig: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let agentArgs: string[];
let snmpPort: number;
let png: string;

interface ListedAlert {
  id: string;
  ruleId: string;
  key: string;
  state?: string;
  problem?: { state: 'open' | 'resolved' };
  summary: string;
}

async function alerts(): Promise<ListedAlert[]> {
  const { stdout } = await cli(['alerts', 'list', '--all', '--config', analyzerConfig, '--json']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ListedAlert);
}

function startAgent(): void {
  agent = spawn(CLI, agentArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ENVIROWATCH_CONFIG: '' } });
  agent.stdout!.on('data', (chunk: Buffer) => (agentLog += chunk.toString()));
  agent.stderr!.on('data', (chunk: Buffer) => (agentLog += chunk.toString()));
}

async function stopAgent(): Promise<void> {
  if (!agent || agent.exitCode !== null) return;
  const exited = new Promise((resolve) => agent!.once('exit', resolve));
  agent.kill('SIGTERM');
  await exited;
}

async function pngPixel(file: string, x: number, y: number): Promise<number[]> {
  const bitmap = await decodePNGFromStream(createReadStream(file));
  const rgba = bitmap.getPixelRGBA(x, y);
  return [(rgba >>> 24) & 0xff, (rgba >>> 16) & 0xff, (rgba >>> 8) & 0xff];
}

beforeAll(async () => {
  trapd = await startSnmptrapd();
  const setup = await analyzerSetup([
    // The shipped rules with windows short enough for a test: 3 s, at least 2 messages (heartbeats every 1 s).
    '  - { id: sensor-silent, kind: eps, match: { app: ^envirowatch$ }, interval: 3s, below: 2, severity: err }',
    '  - { id: sensor-critical, kind: event, match: { app: ^envirowatch$, severity: crit, regex: "^(?<quantity>\\\\w+) \\\\w+ -> critical" }, key: "${host}/${quantity}", severity: crit }',
  ]);
  analyzerConfig = setup.config;
  analyzer = await startAnalyzer(analyzerConfig);
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-e2e-'));
  snmpPort = await freeUdpPort();
  png = join(dir, 'display.png');
  const agentConfig = join(dir, 'agent.yaml');
  await writeFile(
    agentConfig,
    [
      'snmp:',
      '  addresses: [127.0.0.1]',
      `  port: ${snmpPort}`,
      '  communities: [{ name: public }]',
      `  notifications: { receivers: [{ host: 127.0.0.1, port: ${trapd.port} }] }`,
      'display: { type: st7735, splash: 1s }',
      'syslog:',
      `  destinations: [{ host: 127.0.0.1, port: ${setup.tcp}, protocol: tcp, format: rfc5424 }]`,
      '  heartbeat: 1s',
      '',
    ].join('\n'),
  );
  agentArgs = ['agent', '--simulate', '--config', agentConfig, '--display-snapshot', png];
  startAgent();
}, 30_000);

afterAll(async () => {
  await stopAgent();
  if (analyzer) await stopAnalyzer(analyzer);
  await trapd?.stop();
});

describe('agent → syslog → analyzer, with SNMP, traps and the display', () => {
  it('the temperature crossing its critical limit: SNMP status, trap, display colour and analyzer alert agree', async () => {
    // The scripted room passes 80 °F about 22 s into its minute.
    const critical = await waitFor(
      async () => (await alerts()).find((alert) => alert.ruleId === 'sensor-critical' && alert.key === `${hostname()}/Temperature`),
      "the analyzer's critical alert",
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent log:\n${agentLog.slice(-3000)}\nanalyzer log:\n${analyzer.log().slice(-3000)}`);
    });
    expect(critical.summary).toMatch(/Temperature \w+ -> critical/);
    // The room stays past the limit for about 10 s: everything else must say critical now.
    const status = await runTool('snmpget', ['-v2c', '-c', 'public', '-On', '-Oqv', `127.0.0.1:${snmpPort}`, STATUS_TEMPERATURE]);
    expect(status.stdout.trim()).toBe(String(CRITICAL));
    const trap = await trapd.waitFor((n) => n.varbinds.some((v) => v.oid === STATUS_TEMPERATURE && v.value === CRITICAL), 5_000);
    expect(trap.pdu).toBe('TRAP2');
    await waitFor(
      async () => ((await pngPixel(png, 4, 120)).join() === RED_IN_PNG.join() ? true : undefined),
      'the display to show the temperature row red',
      5_000,
    );
  }, 60_000);

  it('a stopped agent opens the silent-sensor problem within its interval; started again, the problem resolves', async () => {
    const silent = (state: string) => async () =>
      (await alerts()).find((alert) => alert.ruleId === 'sensor-silent' && alert.key === hostname() && alert.problem?.state === state);
    expect(await silent('open')()).toBeUndefined();
    await stopAgent();
    const stoppedAt = Date.now();
    // The window in progress when it stopped, then one whole 3 s window with nothing: at most ~6 s.
    await waitFor(silent('open'), 'the silent-sensor problem', 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    startAgent();
    await waitFor(silent('resolved'), 'the resolution', 15_000);
  }, 40_000);
});
