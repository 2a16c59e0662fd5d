/**
 * `npm run bench`: what one reading costs. Runs the real drivers and agent against the emulated
 * board on a simulated clock (no waiting), and prints
 *   - I²C transactions and bytes per reading, per sensor and for both (emulator counters),
 *   - CPU time per poll and the RSS of a fresh process after 10,000 polls (bench/rss-probe.ts),
 *     with Node's default flags, --optimize-for-size, --lite-mode (no optimising compiler) and the
 *     flags the envirowatch command runs with. The polls run back to back (the agent polls every
 *     2 s); the command's RSS while it serves SNMP is measured by npm run bench:snmp.
 * CPU time includes the emulators' own work, which a real sensor does not have.
 * Targets from the issue: ≤ 8 transactions per reading of both sensors, RSS < 60 MB.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SIMULATED_BME280_ADDRESS, SIMULATED_LTR559_ADDRESS } from '../src/agent/simulation/board.js';
import { cliNodeFlags } from './cli.js';
import { simulatedAgent } from './simulated-agent.js';

const POLLS = 10_000;
const AGENT_NODE_FLAGS = cliNodeFlags();

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

const lines = [
  `node ${process.version} ${process.arch}`,
  `I²C per reading of both sensors: ${both.transactions} transactions, ${both.bytes} bytes (target ≤ 8 transactions)`,
  `  BME280 ${bme.transactions} transactions, ${bme.bytes} bytes; LTR-559 ${ltr.transactions} transactions, ${ltr.bytes} bytes`,
  `after ${POLLS} polls in a fresh process (target RSS < 60 MB):`,
];
for (const flags of [[], ['--optimize-for-size'], ['--lite-mode', '--no-expose-wasm'], AGENT_NODE_FLAGS]) lines.push(describe(flags, await probe(flags)));
lines.push(`  (${AGENT_NODE_FLAGS.join(' ')} is what the envirowatch command runs with)`);
process.stdout.write(`${lines.join('\n')}\n`);
