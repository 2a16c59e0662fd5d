/**
 * `npm run bench:analyzer`: the analyzer's throughput on this machine, printed, not asserted.
 *   - parsing alone: RFC 3164 and RFC 5424 lines per second (one core);
 *   - replay: lines per second through the three example rules (config/rules.example.yaml);
 *   - TCP ingest: one loopback sender, octet-counted frames as fast as the socket takes them,
 *     through the receiver and the rules; count in = count processed is checked;
 *   - RSS at the end.
 * Not yet measured here (issue #6): UDP loss at fixed rates, 20 rules, SEC side by side, 1M lines.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/common/clock.js';
import { parseConfigText } from '../src/common/config-file.js';
import { silentLogger } from '../src/common/logger.js';
import { octetCounted } from '../src/common/syslog/format.js';
import { parseSyslog } from '../src/common/syslog/parse.js';
import { ingestConfigSchema } from '../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../src/analyzer/ingest/receiver.js';
import { referenceForYear, replay } from '../src/analyzer/replay.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import { rulesFileSchema } from '../src/analyzer/rules/schema.js';

const N = 200_000;
const rules = parseConfigText(rulesFileSchema, readFileSync(fileURLToPath(new URL('../../config/rules.example.yaml', import.meta.url)), 'utf8')).rules;
const pad = (n: number) => String(n).padStart(2, '0');

function line3164(i: number): string {
  const t = `Jan ${String(1 + Math.floor(i / 86_400) % 28).padStart(2, ' ')} ${pad(Math.floor(i / 3600) % 24)}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}`;
  switch (i % 4) {
    case 0: return `${t} openvpn[53530]: openvpn server 'ovpns1' user 'user${i % 500}' address '10.${(i >> 8) & 255}.${i & 255}.1:1194' - connected`;
    case 1: return `${t} srv${i % 20} Microsoft-Windows-Security-Auditing[4624]: 4624: An account was successfully logged on. Logon Type: 10 Logon ID: 0x${i.toString(16)}`;
    case 2: return `${t} srv${(i - 1) % 20} Microsoft-Windows-Security-Auditing[4634]: 4634: An account was logged off. Logon ID: 0x${(i - 1).toString(16)}`;
    default: return `${t} fw${i % 7} kernel: IN=eth0 OUT= SRC=192.0.2.${i % 250} DST=198.51.100.1 PROTO=TCP DPT=22`;
  }
}
function line5424(i: number): string {
  return `<134>1 2026-01-01T00:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}.000Z sensor-${i % 50} envirowatch 42 HEARTBEAT [readings@21600 temperature="72.${i % 10}" humidity="40"] Temperature 72 degF ok`;
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

const out: string[] = [`node ${process.version}; ${N.toLocaleString('en-US')} messages per figure`];
const reference = referenceForYear(2026);
for (const [name, make] of [['RFC 3164', line3164], ['RFC 5424', line5424]] as const) {
  const lines = Array.from({ length: N }, (_, i) => make(i));
  const started = performance.now();
  for (const l of lines) parseSyslog(l, { receivedAt: reference, source: 'bench', reference });
  out.push(`parse ${name}: ${rate(N, performance.now() - started)}`);
}

const mixed = Array.from({ length: N }, (_, i) => (i % 5 === 4 ? line5424(i) : line3164(i)));
{
  const started = performance.now();
  const { alerts } = await replay(mixed, { rules, reference, name: 'bench' });
  out.push(`replay through ${rules.length} rules: ${rate(N, performance.now() - started)} (${alerts.length} alerts)`);
}

{
  const engine = new RuleEngine(rules);
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
  out.push(`TCP ingest through ${rules.length} rules, one sender: ${rate(N, ms)}; sent ${N}, processed ${processed}, lost ${N - processed}`);
  await receiver.stop();
}
out.push(`RSS at the end: ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MB`);
process.stdout.write(`${out.join('\n')}\n`);
