/** Child process of the bench: runs N polls of the simulated agent, prints CPU time and memory as JSON. */
import { simulatedAgent } from './simulated-agent.js';

const polls = Number(process.argv[2] ?? 10_000);
const { poll, close } = await simulatedAgent();
await poll(); // start-up
const cpuStart = process.cpuUsage();
for (let i = 0; i < polls; i++) await poll();
const cpu = process.cpuUsage(cpuStart);
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ cpuUsPerPoll: (cpu.user + cpu.system) / polls, rssMb: rss / 2 ** 20, heapUsedMb: heapUsed / 2 ** 20 })}\n`);
await close();
