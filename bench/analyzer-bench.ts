/**
 * `npm run bench:analyzer`: the analyzer's throughput on this machine, printed, not asserted.
 *   - parsing alone: RFC 3164 and RFC 5424 lines per second (one core);
 *   - replay: lines per second through the 4 example rules (config/rules.example.yaml) and
 *     through 20 mixed rules (bench/analyzer-rules-20.ts);
 *   - TCP ingest: one loopback sender, octet-counted frames as fast as the socket takes them,
 *     through the receiver and the rules; count in = count processed is checked;
 *   - the same into `envirowatch analyzer` as shipped (own process, SQLite state, alerts stored),
 *     with its CPU time per message (user + system, from /proc: steadier than the rate on a shared
 *     machine), of the whole process and of its receiving thread (the writer thread is apart);
 *   - UDP loss at 10k, 50k and 100k msg/s for 2 s each, into a receiver in another process, and
 *     at 100k msg/s into `envirowatch analyzer`;
 *   - RSS of a process that replayed 1M lines with 100k anomaly keys through the 20 rules.
 *   - the same 1M-line replay through `envirowatch analyze` and SEC with equivalent rules
 *     (bench/sec-compare.ts): both times, the ratio, and whether they raise the same alerts.
 * `--only parse,replay,tcp,udp,rss,sec` runs some of them; `--analyzer PATH` runs another build's
 * `envirowatch-analyzer.mjs` as the daemon (an A/B of the daemon alone).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/common/clock.js';
import { silentLogger } from '../src/common/logger.js';
import { octetCounted } from '../src/common/syslog/format.js';
import { parseSyslog } from '../src/common/syslog/parse.js';
import { ingestConfigSchema } from '../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../src/analyzer/ingest/receiver.js';
import { referenceForYear, replay } from '../src/analyzer/replay.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import { openDatabase } from '../src/analyzer/store/database.js';
import { loadCounters, type AnalyzerCounters } from '../src/analyzer/store/status.js';
import { analyzerSetup, ANALYZER_CLI, startAnalyzer, stopAnalyzer } from '../test/helpers/analyzer-process.js';
import { freeUdpPort } from '../test/helpers/ports.js';
import { procStat } from '../test/helpers/proc-stat.js';
import { exampleRules, twentyRuleLines, twentyRules } from './analyzer-rules-20.js';
import { compareWithSec } from './sec-compare.js';
import { memoryLines } from './memory-lines.js';

const { values: options } = parseArgs({
  options: { only: { type: 'string', default: 'parse,replay,tcp,udp,rss,sec' }, analyzer: { type: 'string', default: ANALYZER_CLI } },
});
const ONLY = new Set(options.only.split(','));
const N = 200_000;
const rules = exampleRules();
const rules20 = twentyRules();
const pad = (n: number) => String(n).padStart(2, '0');

function line3164(i: number): string {
  const t = `Jan ${String(1 + (Math.floor(i / 86_400) % 28)).padStart(2, ' ')} ${pad(Math.floor(i / 3600) % 24)}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}`;
  switch (i % 4) {
    case 0:
      return `${t} openvpn[53530]: openvpn server 'ovpns1' user 'user${i % 500}' address '10.${(i >> 8) & 255}.${i & 255}.1:1194' - connected`;
    case 1:
      return `${t} srv${i % 20} Microsoft-Windows-Security-Auditing[4624]: 4624: An account was successfully logged on. Logon Type: 10 Logon ID: 0x${i.toString(16)}`;
    case 2:
      return `${t} srv${(i - 1) % 20} Microsoft-Windows-Security-Auditing[4634]: 4634: An account was logged off. Logon ID: 0x${(i - 1).toString(16)}`;
    default:
      return `${t} fw${i % 7} kernel: IN=eth0 OUT= SRC=192.0.2.${i % 250} DST=198.51.100.1 PROTO=TCP DPT=22`;
  }
}
function line5424(i: number): string {
  return `<134>1 2026-01-01T00:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}.000Z sensor-${i % 50} envirowatch 42 HEARTBEAT [readings@21600 temperature="72.${i % 10}" humidity="40"] Temperature 72 degF ok`;
}

/**
 * User + system CPU time so far of process `pid`, or of its thread `thread` (the main thread's id
 * is the pid), in µs (/proc's utime and stime, in clock ticks of 1/100 s).
 */
function cpuUs(pid: number, thread?: number): number {
  const field = procStat(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`);
  return (field(14) + field(15)) * 10_000;
}

/** Sends `datagrams` round-robin to 127.0.0.1:`port` at `perSecond` for `seconds`, in 1 ms batches; returns how many and the rate achieved. */
async function sendUdpPaced(datagrams: readonly Buffer[], port: number, perSecond: number, seconds: number): Promise<{ sent: number; achieved: number }> {
  const socket = createSocket('udp4');
  const perMs = perSecond / 1000;
  let sent = 0;
  const started = performance.now();
  while (sent < perSecond * seconds) {
    const due = Math.min(perSecond * seconds, Math.floor((performance.now() - started) * perMs) + perMs);
    while (sent < due) socket.send(datagrams[sent++ % datagrams.length]!, port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const elapsed = (performance.now() - started) / 1000;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return { sent, achieved: Math.round(sent / elapsed) };
}

/** The counters an analyzer saved last in `dir` (analyzerSetup's), if it has yet. */
function savedCountersIfAny(dir: string): AnalyzerCounters | undefined {
  const db = openDatabase(join(dir, 'data'), { readonly: true });
  try {
    return loadCounters(db)?.counters;
  } finally {
    db.close();
  }
}

/** The counters a stopped analyzer saved in `dir`, and the dir removed. */
function savedCounters(dir: string): AnalyzerCounters {
  const counters = savedCountersIfAny(dir)!;
  rmSync(dir, { recursive: true, force: true });
  return counters;
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

const out: string[] = [`node ${process.version}; ${N.toLocaleString('en-US')} messages per figure`];
const reference = referenceForYear(2026);
const formats = [
  ['RFC 3164', line3164],
  ['RFC 5424', line5424],
] as const;
for (const [name, make] of ONLY.has('parse') ? formats : []) {
  const lines = Array.from({ length: N }, (_, i) => make(i));
  const started = performance.now();
  for (const l of lines) parseSyslog(l, { receivedAt: reference, source: 'bench', reference });
  out.push(`parse ${name}: ${rate(N, performance.now() - started)}`);
}

const mixed = Array.from({ length: N }, (_, i) => (i % 5 === 4 ? line5424(i) : line3164(i)));
for (const set of ONLY.has('replay') ? [rules, rules20] : []) {
  const started = performance.now();
  const { alerts } = await replay(mixed, { rules: set, reference, name: 'bench' });
  out.push(`replay through ${set.length} rules: ${rate(N, performance.now() - started)} (${alerts.length} alerts)`);
}

if (ONLY.has('tcp')) {
  const engine = new RuleEngine(rules20);
  let processed = 0;
  const receiver = new SyslogReceiver({
    config: ingestConfigSchema.parse({ listen: { udp: { enabled: false }, tcp: { port: 0 } } }),
    clock: systemClock,
    logger: silentLogger,
    onEvent: (event) => {
      engine.process(event, event.receivedAt);
      processed++;
    },
  });
  await receiver.start();
  const payload = Buffer.concat(mixed.map((l) => octetCounted(l)));
  const socket = connect(receiver.port('tcp'), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const started = performance.now();
  socket.end(payload);
  while (processed < N) await new Promise((resolve) => setImmediate(resolve));
  const ms = performance.now() - started;
  out.push(`TCP ingest through ${rules20.length} rules, one sender: ${rate(N, ms)}; sent ${N}, processed ${processed}, lost ${N - processed}`);
  await receiver.stop();
}
if (ONLY.has('tcp')) {
  // The same stream into the shipped command, `envirowatch analyzer` in its own process (its V8
  // flags, the SQLite state, alerts stored and logged): what an operator gets. A last line that
  // an event rule turns into an alert marks the end (TCP keeps the order).
  const { config, tcp, dir } = await analyzerSetup(
    [...twentyRuleLines(), '  - { id: bench-end, kind: event, match: { regex: "^BENCH-END$" } }'],
    ['web: { enabled: false }'],
  );
  const analyzer = await startAnalyzer(config, options.analyzer);
  const ended = new Promise<void>((resolve) => {
    // After the helper's own listeners, which append the chunk to the log.
    const check = (chunk: Buffer) =>
      analyzer
        .log()
        .slice(-chunk.length - 16)
        .includes('BENCH-END') && resolve();
    for (const stream of [analyzer.child.stdout!, analyzer.child.stderr!]) stream.on('data', check);
  });
  // Built before the clock starts, as for the bench's own receiver: the time is the analyzer's.
  const payload = Buffer.concat([...mixed.map((l) => octetCounted(l)), octetCounted('<14>Jan  1 00:00:00 bench bench: BENCH-END')]);
  const socket = connect(tcp, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const pid = analyzer.child.pid!;
  const [cpuBefore, mainBefore, benchBefore] = [cpuUs(pid), cpuUs(pid, pid), cpuUs(process.pid)];
  const started = performance.now();
  socket.end(payload);
  await ended;
  const ms = performance.now() - started;
  const [cpu, main, bench] = [cpuUs(pid) - cpuBefore, cpuUs(pid, pid) - mainBefore, cpuUs(process.pid) - benchBefore];
  await stopAnalyzer(analyzer); // it saves its counters as it stops
  const counters = savedCounters(dir);
  const processed = counters.engine.events - 1;
  out.push(
    `TCP ingest into envirowatch analyzer (own process, SQLite state), ${rules20.length} rules: ${rate(N, ms)}, CPU ${(cpu / N).toFixed(2)} µs/msg, of which the receiving (main) thread ${(main / N).toFixed(2)} (${(main / ms / 10).toFixed(0)} % of a core; the sending bench ${(bench / ms / 10).toFixed(0)} %); sent ${N}, processed ${processed}, lost ${N - processed}`,
  );
}
const datagrams = mixed.slice(0, 20_000).map((l) => Buffer.from(l));
if (ONLY.has('udp')) {
  // UDP into a receiver in its own process, paced in 1 ms batches.
  const port = await freeUdpPort();
  const probe = spawn(process.execPath, [fileURLToPath(new URL('./analyzer-probe.js', import.meta.url)), 'udp', String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: probe.stdout! })[Symbol.asyncIterator]();
  await answers.next(); // ready
  const processed = async () => {
    probe.stdin!.write('?\n');
    return Number((await answers.next()).value);
  };
  for (const perSecond of [10_000, 50_000, 100_000]) {
    const before = await processed();
    const { sent, achieved } = await sendUdpPaced(datagrams, port, perSecond, 2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const got = (await processed()) - before;
    out.push(
      `UDP at ${perSecond.toLocaleString('en-US')}/s (2 s, achieved ${achieved.toLocaleString('en-US')}/s): sent ${sent}, processed ${got}, lost ${sent - got} (${((100 * (sent - got)) / sent).toFixed(2)} %)`,
    );
  }
  probe.stdin!.end();
  await new Promise((resolve) => probe.once('exit', resolve));
}
if (ONLY.has('udp')) {
  // UDP into `envirowatch analyzer` as shipped: what it processed, from the counters it saves as it stops.
  const { config, udp, dir } = await analyzerSetup(twentyRuleLines(), ['web: { enabled: false }']);
  const analyzer = await startAnalyzer(config, options.analyzer);
  const { sent, achieved } = await sendUdpPaced(datagrams, udp, 100_000, 2);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await stopAnalyzer(analyzer);
  const counters = savedCounters(dir);
  const got = counters.engine.events;
  out.push(
    `UDP at 100,000/s into envirowatch analyzer (2 s, achieved ${achieved.toLocaleString('en-US')}/s), ${rules20.length} rules: sent ${sent}, processed ${got}, lost ${sent - got} (${((100 * (sent - got)) / sent).toFixed(2)} %; counted by the kernel ${counters.ingest.udpKernelDrops}, by the reading thread ${counters.ingest.udpQueueDrops})`,
  );
}
if (ONLY.has('rss')) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL('./analyzer-probe.js', import.meta.url)), 'memory', '1000000', '100000'],
    { maxBuffer: 1 << 20 },
  );
  const memory = JSON.parse(stdout) as { rssMb: number; fileBackedMb: number; heapCommittedMb: number; youngGenerationMb: number; heapUsedMb: number };
  const mb = (n: number) => `${n.toFixed(1)} MB`;
  out.push(
    `after replaying 1,000,000 lines with 100,000 anomaly keys through ${rules20.length} rules (own process): RSS ${mb(memory.rssMb)}, JS heap ${mb(memory.heapUsedMb)}; ` +
      `of the RSS: node's code and libraries ${mb(memory.fileBackedMb)}, V8's heap ${mb(memory.heapCommittedMb)} (young generation ${mb(memory.youngGenerationMb)}), ` +
      `the rest ${mb(memory.rssMb - memory.fileBackedMb - memory.heapCommittedMb)}`,
  );
  // The same lines into `envirowatch analyzer` as shipped, over TCP: the daemon adds its store (the
  // writer thread, SQLite's cache) and the UDP reading thread. Its rules run
  // on the receive time, so the anomaly rules are still learning: the same values are learned.
  const { config, tcp, dir } = await analyzerSetup(twentyRuleLines(), ['web: { enabled: false }']);
  const analyzer = await startAnalyzer(config, options.analyzer);
  const socket = connect(tcp, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.end(Buffer.concat([...memoryLines(1_000_000, 100_000)].map((line) => octetCounted(line))));
  // Processed once its saved counters say so (written every second), then a second more.
  while ((savedCountersIfAny(dir)?.engine.events ?? 0) < 1_000_000) await new Promise((resolve) => setTimeout(resolve, 500));
  const status = () => readFileSync(`/proc/${analyzer.child.pid}/status`, 'utf8');
  const kb = (field: string, text: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const processed = status();
  // The daemon collects what a flood left at its first quiet second (common/heap-garbage.ts); V8's memory reducer gives more back later.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const settled = status();
  await new Promise((resolve) => setTimeout(resolve, 26_000));
  const idle = status();
  await stopAnalyzer(analyzer);
  out.push(
    `the same 1,000,000 lines into envirowatch analyzer over TCP (its own process: SQLite state, reading and writer threads): ` +
      `RSS ${mb(kb('VmRSS', processed) / 1024)} a second after the last was processed (anonymous ${mb(kb('RssAnon', processed) / 1024)}, files ${mb(kb('RssFile', processed) / 1024)}; peak ${mb(kb('VmHWM', processed) / 1024)}), ` +
      `${mb(kb('VmRSS', settled) / 1024)} after 5 s, ${mb(kb('VmRSS', idle) / 1024)} after 30 s idle`,
  );
  rmSync(dir, { recursive: true, force: true });
}
if (ONLY.has('sec') && spawnSync('sec', ['--version']).status === 0) {
  const sec = await compareWithSec();
  const agree = sec.onlyOurs.length === 0 && sec.onlySec.length === 0;
  out.push(
    `replay of ${sec.lines.toLocaleString('en-US')} lines, equivalent rules, each its own process: envirowatch analyze ${(sec.oursMs / 1000).toFixed(1)} s (${rate(sec.lines, sec.oursMs)}), ` +
      `SEC ${(sec.secMs / 1000).toFixed(1)} s (${rate(sec.lines, sec.secMs)}): ${(sec.secMs / sec.oursMs).toFixed(1)}x; ` +
      `CPU time ours ${(sec.oursCpuMs / 1000).toFixed(2)} s, SEC ${(sec.secCpuMs / 1000).toFixed(2)} s: ${(sec.secCpuMs / sec.oursCpuMs).toFixed(1)}x; ` +
      `alerts ${sec.oursAlerts} vs ${sec.secAlerts} (${Object.entries(sec.byKind)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ')}): ${agree ? 'the same' : `DIFFERENT: only ours ${sec.onlyOurs.slice(0, 5).join('; ')}; only SEC ${sec.onlySec.slice(0, 5).join('; ')}`}`,
  );
} else if (ONLY.has('sec')) {
  out.push('SEC side by side: skipped, `sec` is not installed (apt-get install sec)');
}
process.stdout.write(`${out.join('\n')}\n`);
