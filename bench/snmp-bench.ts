/**
 * `npm run bench:snmp`: the SNMP designs side by side in one run, on loopback:
 *   (a) the ORIGINAL design: Debian snmpd with a `pass` line running bench/snmp-pass.pl (a fork and
 *       a Perl start per request, reading the poller's files),
 *   (b) our standalone agent: `envirowatch agent --simulate` as a child process with the node flags
 *       of the envirowatch command,
 *   (c) snmpd + our AgentX subagent (the envirowatch command in snmp.mode agentx),
 *   (d) snmpd answering its own system group (GET sysDescr.0): the practical ceiling.
 * For each: median wall time of a snmpwalk (Net-SNMP, v2c) of the table, GET requests/s with 1 and 8
 * requests in flight (bench/snmp-load.ts), the serving processes' CPU time per GET over those loads
 * (/proc/PID/stat: steadier than the rates when other jobs share the cores), and the RSS of the
 * serving process (/proc/PID/status).
 * GETs are measured twice: always sensorValue.1, and rotating over sensorValue.1/.2/.3. The
 * rotation matters for (a): snmpd keeps the output of the LAST command it ran for 30 s
 * (EXCACHETIME in Net-SNMP's util_funcs.c), so repeating one GET never forks the pass script,
 * while a manager polling the three values (or walking) forks once per request.
 * Needs the Debian packages `snmpd` and `snmp`. Figures are printed, never asserted: timings do not
 * belong in `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseOid } from '../src/snmp/oid.js';
import type { Oid } from '../src/snmp/oid.js';
import { getLoad, medianOfRuns, medianWalk, snmpwalk, type LoadResult } from './snmp-load.js';
import { cliNodeFlags } from './cli.js';
import { freeTcpPort } from '../test/helpers/ports.js';
import { cpuUs, PASS_SCRIPT, rssMb, startAgentCli, startSnmpd, writeOriginalFiles, type Server } from './snmp-servers.js';

const WALK_RUNS = 11;
/** Each GET figure: the median of LOAD_REPEATS runs sharing LOAD_MS. */
const LOAD_MS = 3000;
const LOAD_REPEATS = 3;
const RSS_REQUESTS = 10_000;
const TABLE = '1.3.6.1.4.1.21600.1.5.1.1.1';
/** sensorValue.1 (temperature), and the three values the original's managers polled. */
const VALUE_OIDS = [1, 2, 3].map((row) => parseOid(`${TABLE}.3.${row}`));
const SYSTEM = '1.3.6.1.2.1.1';
/** sysDescr.0, sysObjectID.0, sysName.0. */
const SYSTEM_OIDS = [1, 2, 5].map((scalar) => parseOid(`${SYSTEM}.${scalar}.0`));
/** Targets from the issues: #4's, and #19's floor on the rates (keptOfCeiling, every column). */
const TARGET = { overOriginal: 30, ofCeiling: 0.5, keptOfCeiling: 0.9, rssMb: 60 } as const;
const ORIGINAL_NINE = /\.21600\.1\.5\.1\.1\.1\.[123]\.[123] = /;

interface Figures {
  walkMs: number;
  walkLines: string[];
  /** GET/s: same OID with 1 and 8 in flight, then rotating over three OIDs with 1 and 8. */
  same1: LoadResult;
  same8: LoadResult;
  rot1: LoadResult;
  rot8: LoadResult;
  /** CPU time of the serving processes per GET answered, over the four loads. */
  cpuUsPerGet: number;
}

/** A server to measure: its port, its snmpwalk target and subtree, the OIDs its GETs ask, its processes. */
interface Served {
  readonly port: number;
  readonly target: string;
  readonly walkOid: string;
  readonly oids: readonly Oid[];
  readonly pids: readonly number[];
}

/**
 * The figures of each server, their GET loads interleaved run by run: the machine's speed drifts
 * over the seconds a load takes, and a drift then weighs on all of them alike (#19's target is a
 * ratio between two; measured one after the other, the 1-in-flight ratio swung 0.83-1.24x between
 * runs). Each server's CPU time is read over all the runs: the others' runs cost it nothing.
 */
async function measure(...servers: Served[]): Promise<Figures[]> {
  const walks: { medianMs: number; lines: string[] }[] = [];
  for (const server of servers) walks.push(await medianWalk(server.target, server.walkOid, WALK_RUNS));
  const cpu = (server: Served) => server.pids.reduce((total, pid) => total + cpuUs(pid), 0);
  const answered = servers.map(() => 0);
  const cpuBefore = servers.map(cpu);
  const load = async (which: (server: Served) => readonly Oid[], inFlight: number) => {
    const runs = servers.map((): LoadResult[] => []);
    for (let repeat = 0; repeat < LOAD_REPEATS; repeat++)
      for (const [i, server] of servers.entries()) {
        const run = await getLoad({ port: server.port, oids: which(server), inFlight, durationMs: LOAD_MS / LOAD_REPEATS });
        runs[i]!.push(run);
        answered[i]! += run.responses;
      }
    return runs.map(medianOfRuns);
  };
  const same1 = await load((server) => server.oids.slice(0, 1), 1);
  const same8 = await load((server) => server.oids.slice(0, 1), 8);
  const rot1 = await load((server) => server.oids, 1);
  const rot8 = await load((server) => server.oids, 8);
  return servers.map((server, i) => ({
    walkMs: walks[i]!.medianMs,
    walkLines: walks[i]!.lines,
    same1: same1[i]!,
    same8: same8[i]!,
    rot1: rot1[i]!,
    rot8: rot8[i]!,
    cpuUsPerGet: (cpu(server) - cpuBefore[i]!) / answered[i]!,
  }));
}

/** Peak RSS of one run of the pass script, as /usr/bin/time reports it (kB → MB). */
async function passScriptPeakRssMb(dir: string): Promise<number | undefined> {
  try {
    const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', '%M', '/usr/bin/perl', PASS_SCRIPT, dir, '-g', `.${TABLE}.3.1`]);
    const kb = Number(stderr.trim().split('\n').at(-1));
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Our agent as a child process: RSS at start and after exactly 10,000 GETs, then the figures, and those of `alongside` measured interleaved with it. */
async function measureAgent(dir: string, nodeFlags: string[], alongside?: Served) {
  const agent = await startAgentCli(dir, VALUE_OIDS[0]!, nodeFlags);
  try {
    const rssStart = rssMb(agent.pid);
    const warm = await getLoad({ port: agent.port, oids: VALUE_OIDS, inFlight: 8, responses: RSS_REQUESTS });
    const rss10k = rssMb(agent.pid);
    const self: Served = { port: agent.port, target: agent.target, walkOid: TABLE, oids: VALUE_OIDS, pids: [agent.pid] };
    const [figures, alongsideFigures] = await measure(self, ...(alongside ? [alongside] : []));
    return { ...figures!, rssStart, rss10k, rssEnd: rssMb(agent.pid), warm, alongside: alongsideFigures };
  } finally {
    await agent.stop();
  }
}

/** snmpd as AgentX master with our agent registered under it; figures through snmpd. */
async function measureSubagent(dir: string, nodeFlags: string[]) {
  const socket = `tcp:127.0.0.1:${await freeTcpPort()}`;
  const master = await startSnmpd(dir, SYSTEM_OIDS[0]!, { agentxSocket: socket });
  try {
    const agent = await startAgentCli(dir, VALUE_OIDS[0]!, nodeFlags, { snmpd: master, socket });
    try {
      // snmpd answers (noSuchObject) before the subagent has registered: wait for the table.
      const deadline = Date.now() + 15_000;
      while (nine((await snmpwalk(master.target, TABLE)).lines) !== 9) {
        if (Date.now() > deadline) throw new Error('the AgentX subagent did not register with snmpd within 15 s');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const figures = (await measure({ port: master.port, target: master.target, walkOid: TABLE, oids: VALUE_OIDS, pids: [master.pid, agent.pid] }))[0]!;
      return { ...figures, snmpdRss: rssMb(master.pid), agentRss: rssMb(agent.pid) };
    } finally {
      await agent.stop();
    }
  } finally {
    await master.stop();
  }
}

const rate = (load: LoadResult) => `${Math.round(load.perSecond)}${load.lost ? ` (${load.lost} lost)` : ''}`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mb = (value: number) => `${value.toFixed(1)} MB`;
const nine = (lines: readonly string[]) => lines.filter((line) => ORIGINAL_NINE.test(line)).length;

const COLUMNS = ['design', 'walk median', 'GET/s 1', 'GET/s 8', 'GET/s 1 rot', 'GET/s 8 rot', 'CPU/GET', 'RSS', 'notes'] as const;
type Row = string[];

const figuresRow = (design: string, f: Figures, rss: string, notes: string): Row => [
  design,
  ms(f.walkMs),
  rate(f.same1),
  rate(f.same8),
  rate(f.rot1),
  rate(f.rot8),
  `${f.cpuUsPerGet.toFixed(1)} µs`,
  rss,
  notes,
];

const dir = mkdtempSync(join(tmpdir(), 'envirowatch-bench-snmp-'));
let snmpd: Server | undefined;
try {
  writeOriginalFiles(dir, { temperature: 72, humidity: 35, light: 120 });
  const flags = cliNodeFlags();
  // The ceiling (d) is measured with (b), their loads interleaved (measure() says why).
  snmpd = await startSnmpd(dir, SYSTEM_OIDS[0]!);
  const agent = await measureAgent(dir, flags, { port: snmpd.port, target: snmpd.target, walkOid: SYSTEM, oids: SYSTEM_OIDS, pids: [snmpd.pid] });
  const ceiling = agent.alongside!;
  const snmpdRss = rssMb(snmpd.pid);
  const agentDefault = await measureAgent(dir, []);
  const subagent = await measureSubagent(dir, flags);

  const original = (await measure({ port: snmpd.port, target: snmpd.target, walkOid: TABLE, oids: VALUE_OIDS, pids: [snmpd.pid] }))[0]!;
  const snmpdRssAfterPass = rssMb(snmpd.pid);
  const perlPeak = await passScriptPeakRssMb(dir);

  const agentNotes = (a: typeof agent) =>
    `walk ${a.walkLines.length} lines, ${nine(a.walkLines)}/9 original; RSS start ${mb(a.rssStart)}, after ${RSS_REQUESTS} GETs ${mb(a.rss10k)}, at the end ${mb(a.rssEnd)}`;
  const rows: Row[] = [
    figuresRow(
      '(a) original: snmpd + pass snmp-pass.pl',
      original,
      `${mb(snmpdRssAfterPass)} + ${perlPeak === undefined ? '?' : mb(perlPeak)}/req`,
      `walk ${original.walkLines.length} lines, ${nine(original.walkLines)}/9 original; + one perl fork per uncached request (its peak RSS)`,
    ),
    figuresRow(`(b) envirowatch agent (${flags.join(' ')})`, agent, mb(agent.rss10k), agentNotes(agent)),
    figuresRow("(b') same, default node flags", agentDefault, mb(agentDefault.rss10k), `for comparison; ${agentNotes(agentDefault)}`),
    figuresRow(
      '(c) snmpd + envirowatch AgentX subagent',
      subagent,
      `${mb(subagent.snmpdRss)} + ${mb(subagent.agentRss)}`,
      `walk ${subagent.walkLines.length} lines, ${nine(subagent.walkLines)}/9 original; RSS snmpd + agent`,
    ),
    figuresRow(
      '(d) snmpd system group (ceiling)',
      ceiling,
      mb(snmpdRss),
      `walk of system (${ceiling.walkLines.length} lines); GET sysDescr.0, rot sysDescr/sysObjectID/sysName`,
    ),
  ];

  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join(' | ');
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const ratio = (b: LoadResult, other: LoadResult) => b.perSecond / other.perSecond;
  const ratios = (other: Figures, digits: number) =>
    `same OID ${ratio(agent.same1, other.same1).toFixed(digits)}x (1 in flight) ${ratio(agent.same8, other.same8).toFixed(digits)}x (8); rotating ${ratio(agent.rot1, other.rot1).toFixed(digits)}x (1) ${ratio(agent.rot8, other.rot8).toFixed(digits)}x (8)`;
  const worst = (other: Figures, loads: (keyof Figures & `${'same' | 'rot'}${1 | 8}`)[]) => Math.min(...loads.map((key) => ratio(agent[key], other[key])));
  const worstOfCeiling = worst(ceiling, ['same1', 'same8', 'rot1', 'rot8']);
  const out = [
    `node ${process.version}; ${WALK_RUNS} snmpwalks each (-v2c, median wall time incl. snmpwalk's own start); GET/s = median of ${LOAD_REPEATS} runs of ${LOAD_MS / LOAD_REPEATS / 1000} s; "rot" = rotating over 3 OIDs`,
    line(COLUMNS),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.map(line),
    'targets ((b) = the envirowatch command with its node flags):',
    `  (b) GET rate >= ${TARGET.overOriginal}x (a): ${ratios(original, 1)}: ${verdict(worst(original, ['rot1', 'rot8']) >= TARGET.overOriginal)} for rotating GETs (each forks the pass script), ${verdict(worst(original, ['same1', 'same8']) >= TARGET.overOriginal)} for the same OID (snmpd's 30 s exec cache, no fork)`,
    `  (b) GET rate >= ${TARGET.ofCeiling} of (d): ${ratios(ceiling, 2)}: ${verdict(worstOfCeiling >= TARGET.ofCeiling)}; >= ${TARGET.keptOfCeiling} on every column (#19): ${verdict(worstOfCeiling >= TARGET.keptOfCeiling)}`,
    `  (b) CPU per GET ${agent.cpuUsPerGet.toFixed(1)} µs, ${(agent.cpuUsPerGet / ceiling.cpuUsPerGet).toFixed(2)}x (d)'s ${ceiling.cpuUsPerGet.toFixed(1)} µs (all four loads; less is better)`,
    `  (b) RSS < ${TARGET.rssMb} MB after ${RSS_REQUESTS} requests: ${mb(agent.rss10k)}: ${verdict(agent.rss10k < TARGET.rssMb)}`,
  ];
  if (nine(original.walkLines) !== 9 || nine(agent.walkLines) !== 9) out.push('WARNING: a walk did not return the original nine lines (see notes)');
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await snmpd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
