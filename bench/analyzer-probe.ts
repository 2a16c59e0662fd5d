/**
 * Child process of `npm run bench:analyzer`.
 *   `udp PORT`: a receiver with the 20 bench rules on 127.0.0.1:PORT; prints "ready", then on each
 *   line from stdin prints how many messages it has processed.
 *   `memory LINES KEYS`: replays LINES generated lines with KEYS distinct anomaly keys through the 20
 *   rules and prints {rssMb, heapUsedMb} as JSON.
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../src/common/clock.js';
import { silentLogger } from '../src/common/logger.js';
import { ingestConfigSchema } from '../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../src/analyzer/ingest/receiver.js';
import { referenceForYear, replay } from '../src/analyzer/replay.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import { twentyRules } from './analyzer-rules-20.js';

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
  function* generate(): Generator<string> {
    for (let i = 0; i < lines; i++) {
      const t = new Date(Date.UTC(2026, 0, 1) + i * 50).toISOString();
      yield `<134>1 ${t} vpn-gw openvpn 1 - - openvpn server 'ovpns1' user 'user${i % keys}' address '10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1194' - connected`;
    }
  }
  await replay(generate(), { rules: twentyRules(), reference: referenceForYear(2026), name: 'memory' });
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ rssMb: rss / 2 ** 20, heapUsedMb: heapUsed / 2 ** 20 })}\n`);
}
