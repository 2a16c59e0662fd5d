/**
 * Part of `npm run bench:analyzer`: `envirowatch analyze` against SEC (Debian `sec`) replaying the
 * same 1,000,000-line file with equivalent rules, each as its own process, on this machine.
 *
 * The rules are chosen so that both tools must reach the same alerts although SEC's windows run
 * on the wall clock and ours on the events' own time:
 *   - anomaly (a user from a new address): ours learns for 1 ms from a user's first logon (the
 *     lines are 1 ms apart, so that is the first logon only) and learns each value it alerts on;
 *     SEC: two Single rules over contexts (user seen, user+address seen).
 *   - timer (logon without logoff): ours 8 h; SEC PairWithWindow with a 1 s window. A logoff
 *     follows its logon 50 lines later (50 ms of event time; microseconds of SEC's clock), or never.
 *     SEC's unmatched windows expire 1 s after their logon on its clock; it runs on after the
 *     last line until they have. Ours expire when the last line, a day later, moves the clock.
 *   - counts (a host above 8000 events in the day): ours eps, 24 h windows, `above: 8000`, judged
 *     when the last line opens the next day; SEC SingleWithThreshold, thresh 8001 in 86400 s
 *     (the whole run).
 * Alerts are compared as sets of "kind key" strings. SEC's time is to the moment it has read the
 * last line (a rule writes DONE); the wait for its last windows is not counted. Both wall and CPU
 * time (user + system; ours includes the `envirowatch` process that re-executes into the analyzer's).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { procStat } from '../test/helpers/proc-stat.js';

const LINES = 1_000_000;
const USERS = 2000;
const FLOOD_HOSTS = 5;
const ABOVE = 8000;
const START = Date.UTC(2026, 4, 1, 10);
const CLI = fileURLToPath(new URL('../src/cli/envirowatch.mjs', import.meta.url));

const OURS = `rules:
  - id: vpn-new-address
    kind: anomaly
    match: { app: ^openvpn$, regex: "user '(?<user>[^']+)' address '(?<ip>[^':]+):\\\\d+' - connected" }
    key: \${user}
    value: \${ip}
    learning: 1ms
    onAlert: learn
  - id: logon-without-logoff
    kind: timer
    start: { regex: "4624: .*Logon ID: (?<id>0x[0-9a-f]+)$" }
    end: { regex: "4634: .*Logon ID: (?<id>0x[0-9a-f]+)$" }
    key: \${id}
    timeout: 8h
  - id: flood
    kind: eps
    interval: 24h
    above: ${ABOVE}
`;

const SEC = `type=SingleWithThreshold
ptype=RegExp
pattern=^<\\d+>1 \\S+ (\\S+) \\S+ \\S+ \\S+ - (?!DONE)
desc=eps $1
action=write - eps $1
thresh=${ABOVE + 1}
window=86400
continue=TakeNext

type=Single
ptype=RegExp
pattern= openvpn \\S+ \\S+ - openvpn server '[^']+' user '([^']+)' address '([^':]+):\\d+' - connected
context=!USER_$1
desc=learn $1 $2
action=create USER_$1; create SEEN_$1_$2

type=Single
ptype=RegExp
pattern= openvpn \\S+ \\S+ - openvpn server '[^']+' user '([^']+)' address '([^':]+):\\d+' - connected
context=!SEEN_$1_$2
desc=anomaly $1 $2
action=create SEEN_$1_$2; write - anomaly $1 $2

type=PairWithWindow
ptype=RegExp
pattern=4624: .*Logon ID: (0x[0-9a-f]+)$
desc=timer $1
action=write - timer $1
ptype2=RegExp
pattern2=4634: .*Logon ID: $1$
desc2=closed $1
action2=none
window=1

type=Single
ptype=SubStr
pattern=- DONE
desc=done
action=write - DONE
`;

/** Line i of the file: 2 % VPN logons, 2 % Windows logons (all but every 29th logged off 51 lines later), the rest firewall lines. */
function line(i: number): string {
  const time = new Date(START + i).toISOString();
  // Every 20th line comes from one of the flood hosts (10,000 each); the others spread over 200 hosts (~4750 each).
  const host = i % 20 === 0 ? `flood${(i / 20) % FLOOD_HOSTS}` : `host${i % 200}`;
  const head = (app: string) => `<134>1 ${time} ${host} ${app} - - - `;
  const slot = i % 50;
  if (slot === 1) {
    const user = (i * 7919) % USERS;
    const usual = (i >> 4) % 3;
    const address = i % 97 === 0 ? `203.0.113.${i % 50}` : `10.${user >> 8}.${user & 255}.${usual}`;
    return `${head('openvpn')}openvpn server 'ovpns1' user 'user${user}' address '${address}:1194' - connected`;
  }
  if (slot === 2) return `${head('Security-Auditing')}4624: An account was successfully logged on. Logon ID: 0x${i.toString(16)}`;
  if (slot === 3 && i >= 51 && (i - 51) % 29 !== 0) return `${head('Security-Auditing')}4634: An account was logged off. Logon ID: 0x${(i - 51).toString(16)}`;
  return `${head('kernel')}IN=eth0 OUT= SRC=192.0.2.${i % 250} DST=198.51.100.1 PROTO=TCP DPT=${i % 1024}`;
}

export interface SecComparison {
  readonly lines: number;
  readonly oursMs: number;
  readonly secMs: number;
  /** User and system CPU time: steadier than the wall time on a shared machine. */
  readonly oursCpuMs: number;
  readonly secCpuMs: number;
  readonly oursAlerts: number;
  readonly secAlerts: number;
  readonly onlyOurs: string[];
  readonly onlySec: string[];
  readonly byKind: Record<string, number>;
}

/** User + system CPU time so far of process `pid`, in ms (/proc's utime and stime, in clock ticks of 1/100 s). */
function cpuMs(pid: number): number {
  const field = procStat(`/proc/${pid}/stat`);
  return (field(14) + field(15)) * 10;
}

export async function compareWithSec(): Promise<SecComparison> {
  const dir = await mkdtemp(join(tmpdir(), 'envirowatch-sec-'));
  const input = join(dir, 'input.log');
  const stream = createWriteStream(input);
  for (let i = 0; i < LINES; i++) if (!stream.write(`${line(i)}\n`)) await once(stream, 'drain');
  // A day later: moves our clock past every timer and closes the day's EPS window; SEC's DONE mark.
  stream.end(`<134>1 ${new Date(START + 86_400_000).toISOString()} bench bench - - - DONE\n`);
  await once(stream, 'finish');
  await writeFile(join(dir, 'rules.yaml'), OURS);
  await writeFile(join(dir, 'rules.sec'), SEC);

  let started = performance.now();
  // Through bash, whose `times` gives the CPU time of its children (the command and the process it re-executes into) once they ended.
  const { stdout, stderr } = await promisify(execFile)(
    'bash',
    [
      '-c',
      '"$@"; status=$?; times >&2; exit $status',
      'bash',
      process.execPath,
      CLI,
      'analyze',
      '--rules',
      join(dir, 'rules.yaml'),
      '--input',
      input,
      '--json',
    ],
    { maxBuffer: 1 << 28 },
  );
  const oursMs = performance.now() - started;
  // The last line of `times`: the children's user and system time, e.g. "0m1.612s 0m0.197s".
  const childTimes = stderr
    .trimEnd()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map((time) => {
      const [, minutes, seconds] = /^(\d+)m([\d.]+)s$/.exec(time)!;
      return Number(minutes) * 60_000 + Number(seconds) * 1000;
    });
  const oursCpuMs = childTimes[0]! + childTimes[1]!;
  const ours = new Set(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as { kind: string; key: string; value?: string })
      .map((alert) => (alert.kind === 'anomaly' ? `anomaly ${alert.key} ${alert.value}` : `${alert.kind} ${alert.key}`)),
  );

  started = performance.now();
  const sec = spawn('sec', [`--conf=${join(dir, 'rules.sec')}`, `--input=${input}`, '--fromstart', '--nodetach', '--log=/dev/null', '--debug=1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let secMs = 0;
  let secCpuMs = 0;
  let output = '';
  sec.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (!secMs && output.includes('DONE\n')) {
      secMs = performance.now() - started;
      secCpuMs = cpuMs(sec.pid!);
      // Its last 1 s windows expire on its clock; then stop it.
      setTimeout(() => sec.kill('SIGTERM'), 2500);
    }
  });
  await once(sec, 'exit');
  if (!secMs) throw new Error(`sec stopped before reading the whole file:\n${output.slice(-2000)}`);
  const secSet = new Set(output.split('\n').filter((text) => text && text !== 'DONE'));
  const byKind: Record<string, number> = {};
  for (const alert of ours) byKind[alert.split(' ')[0]!] = (byKind[alert.split(' ')[0]!] ?? 0) + 1;
  return {
    lines: LINES + 1,
    oursMs,
    secMs,
    oursCpuMs,
    secCpuMs,
    oursAlerts: ours.size,
    secAlerts: secSet.size,
    onlyOurs: [...ours].filter((alert) => !secSet.has(alert)),
    onlySec: [...secSet].filter((alert) => !ours.has(alert)),
    byKind,
  };
}
