/**
 * Child process of `npm run bench:analyzer`.
 *   `udp PORT`: a receiver with the 20 bench rules on 127.0.0.1:PORT; prints "ready", then on each
 *   line from stdin prints how many messages it has processed.
 *   `memory LINES KEYS`: replays LINES generated lines with KEYS distinct anomaly keys through the 20
 *   rules and prints as JSON its RSS, where it goes (file-backed: node's own code and libraries;
 *   V8's heap as committed, in use, and its young generation) and the JS heap in use.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { systemClock } from '../src/common/clock.js';
import { silentLogger } from '../src/common/logger.js';
import { ingestConfigSchema } from '../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../src/analyzer/ingest/receiver.js';
import { referenceForYear, replay } from '../src/analyzer/replay.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import { twentyRules } from './analyzer-rules-20.js';
import { memoryLines } from './memory-lines.js';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'udp') {
  const engine = new RuleEngine(twentyRules());
  let processed = 0;
  const receiver = new SyslogReceiver({
    config: ingestConfigSchema.parse({ listen: { udp: { port: Number(a) }, tcp: { enabled: false } } }),
    clock: systemClock,
    logger: silentLogger,
    onEvent: (event) => {
      engine.process(event, event.receivedAt);
      processed++;
    },
  });
  await receiver.start();
  process.stdout.write('ready\n');
  for await (const _ of createInterface({ input: process.stdin })) process.stdout.write(`${processed}\n`);
  await receiver.stop();
} else {
  const lines = Number(a);
  const keys = Number(b);
  await replay(memoryLines(lines, keys), { rules: twentyRules(), reference: referenceForYear(2026), name: 'memory' });
  globalThis.gc?.();
  // V8 gives the collected pages back from a background thread: RSS read at once still counts
  // them (285 MB where a second later it is 240, before #19's compact values).
  await sleep(1000);
  const mb = (bytes: number) => bytes / 2 ** 20;
  const { rss, heapUsed, heapTotal } = process.memoryUsage();
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!;
  process.stdout.write(
    `${JSON.stringify({
      rssMb: mb(rss),
      fileBackedMb: (kb('Rss') - kb('Anonymous')) / 1024,
      heapCommittedMb: mb(heapTotal),
      youngGenerationMb: mb(young.physical_space_size),
      heapUsedMb: mb(heapUsed),
    })}\n`,
  );
}
