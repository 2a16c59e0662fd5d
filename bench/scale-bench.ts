/**
 * `npm run bench:scale [-- --largest HOSTS]`: how the analyzer's costs grow with what it holds, each
 * curve at three sizes spanning 100× (HOSTS/100, HOSTS/10, HOSTS; default 100,000), printed, not
 * asserted:
 *   - every web page of `envirowatch-analyzer` as shipped on a store of HOSTS hosts and 10× as many
 *     alerts (the last hour's rates and readings of every host, an eps rule over a hundredth of
 *     them): time and bytes per page (the first, the next and the one after of each paged list), and the longest ingest delay while the pages were fetched
 *     (a canary message every 10 ms carries its send time; the event rule it matches stores an
 *     alert stamped with its receive time, so the delay is what any message waited);
 *   - the rule engine in this process: an event rule's and an anomaly rule's lines per second with
 *     HOSTS/100 … HOSTS keys (the event rule alerting on every line, the anomaly rule past its
 *     maxKeys, every line evicting a key);
 *   - an idle daemon holding the sizes' eps keys: the longest ingest delay; 2× the sizes' keys of
 *     an eps rule going silent at once in the daemon: alerts stored, and the longest ingest delay
 *     meanwhile;
 *   - the daemon's start-up with 10× the sizes' anomaly keys and as many held timer starts: time
 *     to "analyzer started" and its RSS.
 * `--only web,rules,eps,startup` runs some of them (`eps-idle`, `eps-silent`: one of eps's two).
 */
import { readFileSync, rmSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../src/common/config-file.js';
import { octetCounted } from '../src/common/syslog/format.js';
import type { SyslogEvent } from '../src/common/syslog/event.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import { rulesFileSchema, type Rule } from '../src/analyzer/rules/schema.js';
import { openDatabase } from '../src/analyzer/store/database.js';
import { analyzerSetup, startAnalyzer, stopAnalyzer, type RunningAnalyzer } from '../test/helpers/analyzer-process.js';
import { syslogEvent } from '../test/helpers/syslog-event.js';
import { hostName, writeAlerts, writeLearnedState, writeSensorData } from './scale-stores.js';

const { values: options } = parseArgs({
  options: { largest: { type: 'string', default: '100000' }, only: { type: 'string', default: 'web,rules,eps,startup' } },
});
const LARGEST = Number(options.largest);
if (!Number.isInteger(LARGEST) || LARGEST < 100) throw new Error('--largest: a whole number of hosts, at least 100');
const SIZES = [LARGEST / 100, LARGEST / 10, LARGEST].map(Math.round);
const ONLY = new Set(options.only.split(','));
const CANARY_EVERY_MS = 10;
const RULE_LINES = 200_000;
/** How long after the window's end the eps curve waits for its problems to be stored. */
const GIVE_UP_AFTER_MS = 60_000;

const n = (value: number) => value.toLocaleString('en-US');
const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));
const parseRules = (lines: string[]): Rule[] => parseConfigText(rulesFileSchema, ['rules:', ...lines].join('\n')).rules;
const rssMb = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function timed<T>(work: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const CANARY_RULE = '  - { id: canary, kind: event, match: { app: ^canary$, regex: "^sent (?<sent>\\\\d+)$" }, key: "${sent}", severity: info }';

interface Canaries {
  readonly sentAt: readonly number[];
}

/** Sends a canary datagram every 10 ms until stopped; each carries its send time (ms). */
function startCanary(udpPort: number): { stop(): Promise<Canaries> } {
  const socket = createSocket('udp4');
  const sentAt: number[] = [];
  const timer = setInterval(() => {
    const now = Date.now();
    socket.send(`<134>1 ${new Date(now).toISOString()} bench canary - - - sent ${now}`, udpPort, '127.0.0.1');
    sentAt.push(now);
  }, CANARY_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await sleep(2_000); // the last ones stored
      socket.close();
      return { sentAt };
    },
  };
}

/**
 * The longest wait between sending a canary and the daemon receiving it, from those it stored;
 * one not stored by now has waited at least since it was sent (or was lost), which counts too.
 */
function canaryDelays(dataDir: string, canaries: Canaries): string {
  const db = openDatabase(dataDir, { readonly: true });
  const rows = db.prepare("SELECT key, time FROM alerts WHERE rule_id = 'canary' AND time >= ?").all(canaries.sentAt[0] ?? 0) as {
    key: string;
    time: number;
  }[];
  db.close();
  const now = Date.now();
  const stored = new Map(rows.map((row) => [Number(row.key), row.time]));
  let longest = 0;
  let missing = 0;
  for (const sent of canaries.sentAt) {
    const received = stored.get(sent);
    if (received === undefined) missing++;
    longest = Math.max(longest, (received ?? now) - sent);
  }
  return `${missing ? 'at least ' : ''}${ms(longest)} (canaries every ${CANARY_EVERY_MS} ms: ${n(canaries.sentAt.length)} sent, ${n(canaries.sentAt.length - missing)} stored)`;
}

async function fetchPage(url: string): Promise<{ ms: number; bytes: number; body: string; status: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(300_000) });
    const body = await response.text();
    return { ms: performance.now() - started, bytes: Buffer.byteLength(body), body, status: response.status };
  } catch (error) {
    return { ms: performance.now() - started, bytes: 0, body: '', status: (error as Error).name === 'TimeoutError' ? 0 : -1 };
  }
}

/** The page's link to its next page (rel="next"), if it has one. */
function nextLink(base: string, body: string): string | undefined {
  const href = /<a href="([^"]+)"[^>]*rel="next"/.exec(body)?.[1];
  return href && new URL(href.replaceAll('&amp;', '&'), base).toString();
}

const EPS_RULE = '  - { id: per-host, kind: eps, match: { app: ^envirowatch$ }, interval: 1h, above: 100000000 }';

/** `keys` hosts counted by EPS_RULE in the daemon's learned state. */
function writeEpsKeys(dataDir: string, keys: number, now: number): void {
  writeLearnedState(
    dataDir,
    parseRules([EPS_RULE]),
    Array.from({ length: keys }, (_, i) => syslogEvent({ host: hostName(i), receivedAt: now, app: 'envirowatch' })),
  );
}

/**
 * The pages with an eps rule over a hundredth of the hosts, as in the first runs, when the daemon
 * rewrote every eps key's count each second and at 100,000 keys hid the pages' cost (it now
 * writes only the counts that changed; epsIdle shows an idle daemon's delay).
 */
async function webCurve(hosts: number): Promise<void> {
  const alerts = hosts * 10;
  const { config, udp, dir } = await analyzerSetup([CANARY_RULE, EPS_RULE]);
  const dataDir = join(dir, 'data');
  const now = Date.now();
  const [someId, buildMs] = await timed(() => {
    const id = writeAlerts(dataDir, hosts, alerts, now);
    writeSensorData(dataDir, hosts, now);
    writeEpsKeys(dataDir, hosts / 100, now);
    return id;
  });
  const [analyzer, startMs] = await timed(() => startAnalyzer(config, undefined, 120_000));
  print(
    `web pages, ${n(hosts)} hosts (${n(hosts / 100)} eps keys), ${n(alerts)} alerts (store built in ${(buildMs / 1000).toFixed(1)} s; analyzer started in ${ms(startMs)}):`,
  );
  const base = analyzer.webUrl!;
  // The delay the daemon's own work causes (its one-second flush, the rules' tick), apart from the pages'.
  const idle = startCanary(udp);
  await sleep(5_000);
  print(`  longest ingest delay in 5 s without fetching: ${canaryDelays(dataDir, await idle.stop())}`);
  const canary = startCanary(udp);
  try {
    const pages: [string, string | undefined][] = [
      ['open', '/'],
      ['open, one host', `/?host=${hostName(7)}`],
      ['open, rule + severity', '/?rule=rule-3&severity=crit'],
      ['history', '/history'],
      ['alert', `/alert?id=${someId}`],
      ['rates', '/rates'],
      ['sensors', '/sensors'],
      ['rules', '/rules'],
    ];
    for (let i = 0; i < pages.length; i++) {
      const [name, path] = pages[i]!;
      if (path === undefined) {
        print(`  ${name.padEnd(28)} no such link`);
        continue;
      }
      // Three times (the slowest shown, and the fastest), once when a fetch takes over 2 s.
      const fetches = [await fetchPage(new URL(path, base).toString())];
      while (fetches.length < 3 && fetches[0]!.ms < 2_000) fetches.push(await fetchPage(new URL(path, base).toString()));
      const worst = fetches.reduce((slowest, fetched) => (fetched.ms > slowest.ms ? fetched : slowest));
      const best = Math.min(...fetches.map((fetched) => fetched.ms));
      const status = worst.status === 200 ? '' : worst.status === 0 ? ' TIMED OUT' : ` status ${worst.status}`;
      print(`  ${name.padEnd(28)} ${ms(worst.ms).padStart(10)} ${`(best ${ms(best)})`.padEnd(16)} ${`${n(worst.bytes)} B`.padStart(14)}${status}`);
      // Each paged list's next two pages, as its links lead.
      if (['open', 'history', 'sensors'].includes(name) || name.endsWith('next')) {
        const depth = (name.match(/next/g) ?? []).length;
        if (depth < 2)
          pages.splice(i + 1, 0, [`${name.replace(/(, next)*$/, '')}${', next'.repeat(depth + 1)}`, worst.body ? nextLink(base, worst.body) : undefined]);
      }
    }
  } finally {
    print(`  longest ingest delay while fetching: ${canaryDelays(dataDir, await canary.stop())}`);
    await stopAnalyzer(analyzer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs of each size, the fastest shown: one run takes under a second, and on a shared machine a single one swung by 2×. */
const RULE_RUNS = 3;

/** Lines per second through `rules` for `events` (the engine alone, in this process): the fastest of RULE_RUNS, each on a new engine. */
function engineRate(rules: readonly Rule[], warmUp: readonly SyslogEvent[], events: readonly SyslogEvent[]): { perSecond: number; alerts: number } {
  let best = { perSecond: 0, alerts: 0 };
  for (let run = 0; run < RULE_RUNS; run++) {
    const engine = new RuleEngine(rules);
    for (const event of warmUp) engine.process(event, event.receivedAt);
    let alerts = 0;
    const started = performance.now();
    for (const event of events) alerts += engine.process(event, event.receivedAt).length;
    const perSecond = events.length / ((performance.now() - started) / 1000);
    if (perSecond > best.perSecond) best = { perSecond, alerts };
  }
  return best;
}

function printCurve(name: string, rows: { keys: number; perSecond: number; extra: string }[]): void {
  print(name);
  for (const row of rows)
    print(
      `  ${n(row.keys).padStart(9)} keys: ${n(Math.round(row.perSecond)).padStart(11)} lines/s, ${(1e6 / row.perSecond).toFixed(2)} µs/line (${(rows[0]!.perSecond / row.perSecond).toFixed(2)}× the smallest's)${row.extra}`,
    );
}

function ruleCurves(): void {
  const start = Date.UTC(2026, 0, 1);
  const line = (i: number, host: string, message = '') => syslogEvent({ host, receivedAt: start + i, app: 'app', message });
  // The same work per line at every size: a key comes round every `keys` ms, just after its suppression ended (with 5m, 1,000 keys gave 1,000 alerts and 100,000 keys 100,000).
  printCurve(
    `event rule (key per host, suppress just shorter than a key's round: every line an alert), ${n(RULE_LINES)} lines over the keys, rule engine only, fastest of ${RULE_RUNS}:`,
    SIZES.map((keys) => {
      const { perSecond, alerts } = engineRate(
        parseRules([`  - { id: ev, kind: event, match: { app: ^app$ }, key: "\${host}", suppress: ${keys - 1}ms }`]),
        [],
        Array.from({ length: RULE_LINES }, (_, i) => line(i, hostName(i % keys))),
      );
      return { keys, perSecond, extra: `; ${n(alerts)} alerts` };
    }),
  );
  printCurve(
    `anomaly rule past maxKeys (each of ${n(RULE_LINES)} lines a new key, evicting one), rule engine only, fastest of ${RULE_RUNS}:`,
    SIZES.map((keys) => {
      const rules = parseRules([`  - { id: an, kind: anomaly, match: { app: ^app$ }, key: "\${host}", value: "\${message}", learning: 1h, maxKeys: ${keys} }`]);
      const { perSecond } = engineRate(
        rules,
        Array.from({ length: keys }, (_, i) => line(i, `old-${i}`, 'v')),
        Array.from({ length: RULE_LINES }, (_, i) => line(keys + i, `new-${i}`, 'v')),
      );
      return { keys, perSecond, extra: '' };
    }),
  );
  // What the memory hierarchy alone does to that access pattern: the anomaly rule's lookups in a
  // Map of `keys` string keys (miss, insert, delete the oldest), with nothing else around them.
  printCurve(
    `for comparison, a bare Map with the same pattern (each of ${n(RULE_LINES)} new keys looked up, inserted, the oldest deleted), fastest of ${RULE_RUNS}:`,
    SIZES.map((keys) => ({ keys, perSecond: mapChurnRate(keys), extra: '' })),
  );
}

/** Lines per second of mapChurn: the fastest of RULE_RUNS. */
function mapChurnRate(keys: number): number {
  const fresh = Array.from({ length: RULE_LINES }, (_, i) => hostName(keys + i));
  let best = 0;
  for (let run = 0; run < RULE_RUNS; run++) {
    const map = new Map<string, { touch: number }>();
    const order: string[] = [];
    for (let i = 0; i < keys; i++) {
      map.set(hostName(i), { touch: i });
      order.push(hostName(i));
    }
    let oldest = 0;
    const started = performance.now();
    for (const key of fresh) {
      if (map.get(key) !== undefined) continue;
      map.set(key, { touch: order.push(key) });
      map.delete(order[oldest++]!);
    }
    best = Math.max(best, RULE_LINES / ((performance.now() - started) / 1000));
  }
  return best;
}

/** `keys` senders each send one message within an eps window, then all go silent: a problem each at the next window's end. */
async function epsSilence(keys: number): Promise<void> {
  const intervalS = 10;
  const { config, tcp, udp, dir } = await analyzerSetup([
    CANARY_RULE,
    `  - { id: silent, kind: eps, match: { app: ^sender$ }, interval: ${intervalS}s, below: 1 }`,
  ]);
  const analyzer = await startAnalyzer(config);
  try {
    // At the start of a window, so that the sending ends within it.
    await sleep(intervalS * 1000 - (Date.now() % (intervalS * 1000)) + 100);
    const payload = Buffer.concat(Array.from({ length: keys }, (_, i) => octetCounted(`<134>1 ${new Date().toISOString()} ${hostName(i)} sender - - - hello`)));
    const socket = connect(tcp, '127.0.0.1');
    // The analyzer is killed at the end, maybe before it has read everything: a reset then is expected.
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise<void>((resolve) => socket.end(payload, resolve));
    const sentWithin = Date.now() % (intervalS * 1000);
    const silentFrom = Date.now();
    const canary = startCanary(udp);
    const due = silentFrom - (silentFrom % (intervalS * 1000)) + 2 * intervalS * 1000;
    const stored = await waitForAlerts(join(dir, 'data'), keys, due + GIVE_UP_AFTER_MS);
    const delays = canaryDelays(join(dir, 'data'), await canary.stop());
    print(
      `  ${n(keys).padStart(9)} keys: ${n(stored.count)} problems stored${stored.count < keys ? ` (of ${n(keys)}, gave up waiting)` : ''}, the last ${((stored.at - due) / 1000).toFixed(1)} s after the window ended; longest ingest delay ${delays}; sending took ${(sentWithin / 1000).toFixed(1)} s of the window; analyzer ${analyzer.child.exitCode === null ? 'running' : `exited ${analyzer.child.exitCode}`}`,
    );
  } finally {
    // Still storing after GIVE_UP_AFTER_MS: it would not see a SIGTERM before it is done.
    analyzer.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForAlerts(dataDir: string, expected: number, deadline: number): Promise<{ count: number; at: number }> {
  let count = 0;
  while (Date.now() < deadline) {
    const db = openDatabase(dataDir, { readonly: true });
    count = (db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE rule_id = 'silent'").get() as { n: number }).n;
    db.close();
    if (count >= expected) break;
    await sleep(250);
  }
  return { count, at: Date.now() };
}

/** The longest ingest delay of an idle daemon holding `keys` eps keys. */
async function epsIdle(keys: number): Promise<void> {
  const { config, udp, dir } = await analyzerSetup([CANARY_RULE, EPS_RULE]);
  writeEpsKeys(join(dir, 'data'), keys, Date.now());
  const analyzer = await startAnalyzer(config, undefined, 120_000);
  try {
    const canary = startCanary(udp);
    await sleep(5_000);
    print(`  ${n(keys).padStart(9)} keys: longest ingest delay in 5 s ${canaryDelays(join(dir, 'data'), await canary.stop())}`);
  } finally {
    await stopAnalyzer(analyzer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The daemon's start on `keys` anomaly keys and as many held timer starts. */
async function startUp(keys: number): Promise<void> {
  const ruleLines = [
    `  - { id: vpn, kind: anomaly, match: { app: ^vpn$, regex: "^(?<user>\\\\S+) from (?<ip>\\\\S+)$" }, key: "\${user}", value: "\${ip}", learning: 7d, maxKeys: ${keys} }`,
    '  - { id: logon, kind: timer, start: { app: ^logon$, regex: "^start (?<id>\\\\S+)$" }, end: { app: ^logon$, regex: "^end (?<id>\\\\S+)$" }, key: "${id}", timeout: 24h }',
  ];
  const { config, dir } = await analyzerSetup(ruleLines);
  const now = Date.now();
  function* events(): Generator<SyslogEvent> {
    for (let i = 0; i < keys; i++)
      yield syslogEvent({ host: 'gw', receivedAt: now, app: 'vpn', message: `user${i} from 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    for (let i = 0; i < keys; i++) yield syslogEvent({ host: 'dc', receivedAt: now, app: 'logon', message: `start 0x${i.toString(16)}` });
  }
  const [, buildMs] = await timed(() => writeLearnedState(join(dir, 'data'), parseRules(ruleLines), events()));
  let analyzer: RunningAnalyzer | undefined;
  try {
    const [started, startMs] = await timed(() => startAnalyzer(config, undefined, 120_000));
    analyzer = started;
    const pid = analyzer.child.pid!;
    print(
      `  ${n(keys).padStart(9)} keys + ${n(keys)} timers: started in ${(startMs / 1000).toFixed(1)} s, RSS ${rssMb(pid, 'VmRSS').toFixed(0)} MB (peak ${rssMb(pid, 'VmHWM').toFixed(0)} MB) (state written in ${(buildMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    if (analyzer) await stopAnalyzer(analyzer);
    rmSync(dir, { recursive: true, force: true });
  }
}

print(`node ${process.version}; sizes ${SIZES.map(n).join(' / ')} hosts (--largest ${n(LARGEST)})`);
if (ONLY.has('web')) for (const hosts of SIZES) await webCurve(hosts);
if (ONLY.has('rules')) ruleCurves();
if (ONLY.has('eps') || ONLY.has('eps-idle')) {
  print('eps rule, keys held by an idle envirowatch-analyzer (nothing sent but the canaries):');
  for (const keys of SIZES) await epsIdle(keys);
}
if (ONLY.has('eps') || ONLY.has('eps-silent')) {
  print('eps rule, keys going silent at once, in envirowatch-analyzer:');
  for (const keys of SIZES) await epsSilence(keys * 2);
}
if (ONLY.has('startup')) {
  print('start-up of envirowatch-analyzer with learned state (an anomaly rule and a timer rule):');
  for (const keys of SIZES) await startUp(keys * 10);
}
