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
import { getLoad, medianLoad, medianWalk, snmpwalk, type LoadResult } from './snmp-load.js';
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

/** The figures of the server on `port`, whose CPU time is that of the processes `pids`. */
async function measure(port: number, target: string, walkOid: string, oids: readonly Oid[], pids: readonly number[]): Promise<Figures> {
  const walk = await medianWalk(target, walkOid, WALK_RUNS);
  const cpu = () => pids.reduce((total, pid) => total + cpuUs(pid), 0);
  let answered = 0;
  const load = async (which: readonly Oid[], inFlight: number) => {
    const runs = await medianLoad({ port, oids: which, inFlight, totalMs: LOAD_MS, repeats: LOAD_REPEATS });
    answered += runs.allResponses;
    return runs;
  };
  const cpuBefore = cpu();
  const same1 = await load(oids.slice(0, 1), 1);
  const same8 = await load(oids.slice(0, 1), 8);
  const rot1 = await load(oids, 1);
  const rot8 = await load(oids, 8);
  return { walkMs: walk.medianMs, walkLines: walk.lines, same1, same8, rot1, rot8, cpuUsPerGet: (cpu() - cpuBefore) / answered };
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

/** Our agent as a child process: RSS at start and after exactly 10,000 GETs, then the figures. */
async function measureAgent(dir: string, nodeFlags: string[]) {
  const agent = await startAgentCli(dir, VALUE_OIDS[0]!, nodeFlags);
  try {
    const rssStart = rssMb(agent.pid);
    const warm = await getLoad({ port: agent.port, oids: VALUE_OIDS, inFlight: 8, responses: RSS_REQUESTS });
    const rss10k = rssMb(agent.pid);
    const figures = await measure(agent.port, agent.target, TABLE, VALUE_OIDS, [agent.pid]);
    return { ...figures, rssStart, rss10k, rssEnd: rssMb(agent.pid), warm };
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
      const figures = await measure(master.port, master.target, TABLE, VALUE_OIDS, [master.pid, agent.pid]);
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
  const agent = await measureAgent(dir, flags);
  const agentDefault = await measureAgent(dir, []);
  const subagent = await measureSubagent(dir, flags);

  snmpd = await startSnmpd(dir, SYSTEM_OIDS[0]!);
  const original = await measure(snmpd.port, snmpd.target, TABLE, VALUE_OIDS, [snmpd.pid]);
  const snmpdRssAfterPass = rssMb(snmpd.pid);
  const perlPeak = await passScriptPeakRssMb(dir);
  const ceiling = await measure(snmpd.port, snmpd.target, SYSTEM, SYSTEM_OIDS, [snmpd.pid]);
  const snmpdRss = rssMb(snmpd.pid);

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
