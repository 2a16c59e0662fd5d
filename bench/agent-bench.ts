/**
 * `npm run bench`: what one reading costs and how big the agent gets. Prints
 *   - I²C transactions and bytes per reading, per sensor and for both (emulator counters),
 *   - the agent as the envirowatch command runs it (the bundle, its node flags, a process of its
 *     own; bench/agent-command.ts), side by side: RSS after 10,000 polls (back to back:
 *     poll.interval 1ms, the agent polls every 2 s), after 10,000 SNMP GETs (8 in flight), and with
 *     the emulated ST7735 LCD (no PNG snapshot) after BENCH_LCD_SECONDS (default 600, the issue's
 *     10 minutes), with the LCD run's RSS curve,
 *   - CPU time per poll and RSS of the polls run in the bench's own code (bench/rss-probe.ts, on a
 *     simulated clock, not bundled) with Node's default flags, --optimize-for-size, --lite-mode and
 *     the command's flags: the CPU figure the issue's 60 µs per poll was measured with.
 * CPU time includes the emulators' own work, which a real sensor does not have.
 * Targets from the issue: ≤ 8 transactions per reading of both sensors; RSS < 60 MB in all three
 * runs, CPU per poll no worse than 60 µs.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseOid } from '../src/snmp/oid.js';
import { SIMULATED_BME280_ADDRESS, SIMULATED_LTR559_ADDRESS } from '../src/agent/simulation/board.js';
import { startAgentCommand } from './agent-command.js';
import { cliNodeFlags } from './cli.js';
import { simulatedAgent } from './simulated-agent.js';
import { getLoad } from './snmp-load.js';

const POLLS = 10_000;
const GETS = 10_000;
const LCD_SECONDS = Number(process.env.BENCH_LCD_SECONDS ?? 600);
/** Points of the LCD run's RSS curve. */
const LCD_SAMPLES = 10;
const TARGET_RSS_MB = 60;
const AGENT_NODE_FLAGS = cliNodeFlags();
/** sensorValue.1/.2/.3, as npm run bench:snmp rotates over them. */
const VALUE_OIDS = [1, 2, 3].map((row) => parseOid(`1.3.6.1.4.1.21600.1.5.1.1.1.3.${row}`));

interface ProbeResult {
  cpuUsPerPoll: number;
  rssMb: number;
  heapUsedMb: number;
}

async function probe(nodeFlags: string[]): Promise<ProbeResult> {
  const script = fileURLToPath(new URL('./rss-probe.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, script, String(POLLS)]);
  return JSON.parse(stdout) as ProbeResult;
}

const { board, poll, close } = await simulatedAgent();
await poll(); // start-up: probe, reset, calibration; not part of a reading
board.bus.resetTraffic();
await poll();
const both = { ...board.bus.traffic };
const bme = { ...board.bus.trafficFor(SIMULATED_BME280_ADDRESS) };
const ltr = { ...board.bus.trafficFor(SIMULATED_LTR559_ADDRESS) };
await close();

const describe = (flags: string[], r: ProbeResult) =>
  `  ${flags.length ? flags.join(' ') : 'default node flags'}: CPU ${r.cpuUsPerPoll.toFixed(1)} µs per poll, RSS ${r.rssMb.toFixed(1)} MB (JS heap in use ${r.heapUsedMb.toFixed(1)} MB)`;
const mb = (value: number) => `${value.toFixed(1)} MB`;

/** RSS after POLLS readings back to back, and the command's CPU per poll (printing each reading included). */
async function commandPolls() {
  const agent = await startAgentCommand(AGENT_NODE_FLAGS, { configLines: ['poll: { interval: 1ms }'], countReadings: true });
  try {
    await agent.readingsReached(1);
    const cpuStart = agent.cpuUs();
    await agent.readingsReached(1 + POLLS);
    return { rssMb: agent.rssMb(), cpuUsPerPoll: (agent.cpuUs() - cpuStart) / POLLS };
  } finally {
    await agent.stop();
  }
}

/** RSS after GETS SNMP GETs, 8 in flight, rotating over the three values. */
async function commandGets() {
  const agent = await startAgentCommand(AGENT_NODE_FLAGS);
  try {
    const load = await getLoad({ port: agent.port, oids: VALUE_OIDS, inFlight: 8, responses: GETS });
    return { rssMb: agent.rssMb(), perSecond: load.perSecond, lost: load.lost };
  } finally {
    await agent.stop();
  }
}

/** RSS with the emulated LCD over LCD_SECONDS, sampled LCD_SAMPLES times. */
async function commandLcd() {
  const agent = await startAgentCommand(AGENT_NODE_FLAGS, { configLines: ['display:', '  type: st7735'] });
  try {
    const curve: { seconds: number; rssMb: number }[] = [{ seconds: 0, rssMb: agent.rssMb() }];
    for (let i = 1; i <= LCD_SAMPLES; i++) {
      await new Promise((resolve) => setTimeout(resolve, (LCD_SECONDS * 1000) / LCD_SAMPLES));
      curve.push({ seconds: (LCD_SECONDS * i) / LCD_SAMPLES, rssMb: agent.rssMb() });
    }
    return { rssMb: curve.at(-1)!.rssMb, curve };
  } finally {
    await agent.stop();
  }
}

const lines = [
  `node ${process.version} ${process.arch}`,
  `I²C per reading of both sensors: ${both.transactions} transactions, ${both.bytes} bytes (target ≤ 8 transactions)`,
  `  BME280 ${bme.transactions} transactions, ${bme.bytes} bytes; LTR-559 ${ltr.transactions} transactions, ${ltr.bytes} bytes`,
  `polls in the bench's own process, ${POLLS} in a fresh process (CPU target ≤ 60 µs per poll):`,
];
const probes = new Map<string, ProbeResult>();
for (const flags of [[], ['--optimize-for-size'], ['--lite-mode', '--no-expose-wasm'], ['--max-semi-space-size=1', '--single-threaded'], AGENT_NODE_FLAGS]) {
  const result = await probe(flags);
  probes.set(flags.join(' '), result);
  lines.push(describe(flags, result));
}
const polls = await commandPolls();
const gets = await commandGets();
const lcd = await commandLcd();
const cpu = probes.get(AGENT_NODE_FLAGS.join(' '))!.cpuUsPerPoll;
const verdict = (rssMb: number) => (rssMb < TARGET_RSS_MB ? 'met' : 'MISSED');
lines.push(
  `the agent as the envirowatch command runs it (${AGENT_NODE_FLAGS.join(' ')}), its own process each time (target RSS < ${TARGET_RSS_MB} MB):`,
  `  after ${POLLS} polls: RSS ${mb(polls.rssMb)} (${verdict(polls.rssMb)}); CPU ${cpu.toFixed(1)} µs per poll in the bench's process, ${polls.cpuUsPerPoll.toFixed(1)} µs in the command's (printing each reading included)`,
  `  after ${GETS} SNMP GETs: RSS ${mb(gets.rssMb)} (${verdict(gets.rssMb)}); ${Math.round(gets.perSecond)} GET/s with 8 in flight${gets.lost ? `, ${gets.lost} lost` : ''}`,
  `  with the emulated LCD after ${LCD_SECONDS} s: RSS ${mb(lcd.rssMb)} (${verdict(lcd.rssMb)}); curve: ${lcd.curve.map((point) => `${point.seconds} s ${point.rssMb.toFixed(1)}`).join(', ')}`,
  `  side by side: polls ${mb(polls.rssMb)} | GETs ${mb(gets.rssMb)} | LCD ${mb(lcd.rssMb)} | CPU ${cpu.toFixed(1)} µs per poll`,
);
process.stdout.write(`${lines.join('\n')}\n`);
