/**
 * Child process of `npm run bench:state` (bench/state-scale.ts), one measurement per process so
 * that each starts from a fresh heap:
 *   `values N`: N anomaly values learned (N/10 keys, 10 values each) through the rule engine;
 *   `keys N`: N anomaly keys with one value each; `timers N`: N held timer starts.
 *   Prints {heapBytes, rssBytes} per learned item (after minus before, after a full GC) as JSON.
 *   `lines KEYS`: µs per line (JSON) of 200,000 lines cycling over KEYS keys through an anomaly
 *   rule that keeps only half of them (every line a key evicted before: a new key and an
 *   eviction), and through an event rule whose suppression ends just before a host comes round
 *   again (every line an alert, KEYS suppression entries, swept once per round); the same work per
 *   line at every KEYS.
 *   `generate DATADIR N`: an analyzer store with N anomaly keys (one value each) and N held
 *   timer starts, written by the analyzer's own store (store/rule-state.ts) as the daemon writes it.
 */
import { openDatabase } from '../src/analyzer/store/database.js';
import { SqliteRuleState } from '../src/analyzer/store/rule-state.js';
import type { AnomalyRule } from '../src/analyzer/rules/anomaly/schema.js';
import { RuleEngine } from '../src/analyzer/rules/engine.js';
import type { SyslogEvent } from '../src/common/syslog/event.js';
import { parseConfigText } from '../src/common/config-file.js';
import { parseSyslog } from '../src/common/syslog/parse.js';
import { rulesFileSchema } from '../src/analyzer/rules/schema.js';
import { STATE_RULE_LINES } from './state-rules.js';

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const vpn = (time: number, user: number, value: number) =>
  parseSyslog(
    `<134>1 ${new Date(time).toISOString()} vpn-gw openvpn 53530 - - openvpn server 'ovpns1' user 'user${user}' address '${address(value)}:1194' - connected`,
    { receivedAt: time, source: '192.0.2.1:514' },
  );
// A Windows logon as NXLog forwards it (shortened): the message is most of what a held start keeps.
const logon = (time: number, i: number) =>
  parseSyslog(
    `<134>1 ${new Date(time).toISOString()} srv${i % 50}.corp.example Microsoft-Windows-Security-Auditing 4624 - - 4624: An account was successfully logged on. Subject: Security ID: S-1-5-18 Account Name: SRV$ Account Domain: CORP Logon ID: 0x3E7 Logon Type: 10 New Logon: Security ID: S-1-5-21-3623811015-3361044348-30300820-${1000 + (i % 5000)} Account Name: user${i % 5000} Account Domain: CORP Logon ID: 0x${(0x100000 + i).toString(16)}`,
    { receivedAt: time, source: '192.0.2.2:514' },
  );

const rules = () => parseConfigText(rulesFileSchema, ['rules:', ...STATE_RULE_LINES].join('\n')).rules;

/** Feeds `n` items of `what` into `engine`, all at about `start`. */
function feed(engine: RuleEngine, what: string, n: number, start: number): void {
  for (let i = 0; i < n; i++) {
    const time = start + i; // 1000 a second
    if (what === 'timers') engine.process(logon(time, i), time);
    else if (what === 'keys') engine.process(vpn(time, i, i), time);
    else engine.process(vpn(time, Math.floor(i / 10), i), time);
  }
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'lines') {
  const keys = Number(a);
  const [rule] = rules();
  const perLine = (engine: RuleEngine, lines: number, event: (i: number) => SyslogEvent) => {
    const events = Array.from({ length: lines }, (_, i) => event(i));
    const start = Date.now();
    const started = performance.now();
    for (let i = 0; i < lines; i++) engine.process(events[i]!, start + i);
    return ((performance.now() - started) * 1000) / lines;
  };
  const evicting = () => new RuleEngine([{ ...(rule as AnomalyRule), maxKeys: Math.max(1, keys / 2) }]);
  const spoofed = (i: number) => parseSyslog(`<13>1 - spoofed-${i} app - - - x`, { receivedAt: 0, source: 'x:1' });
  const alerter = () =>
    new RuleEngine(
      parseConfigText(rulesFileSchema, `rules:\n  - { id: e, kind: event, match: { regex: "^x" }, key: "\${host}", suppress: ${keys - 1}ms }\n`).rules,
    );
  // Warmed up on engines of their own, so the measured ones start empty.
  perLine(evicting(), 20_000, (i) => vpn(Date.now(), i % keys, i));
  perLine(alerter(), 20_000, (i) => spoofed(i % keys));
  const anomalyUs = perLine(evicting(), 200_000, (i) => vpn(Date.now(), i % keys, i));
  const eventUs = perLine(alerter(), 200_000, (i) => spoofed(i % keys));
  process.stdout.write(`${JSON.stringify({ anomalyUs, eventUs })}\n`);
} else if (mode === 'generate') {
  const n = Number(b);
  const db = openDatabase(a!);
  const state = new SqliteRuleState(db);
  const engine = new RuleEngine(rules(), { sinks: state });
  feed(engine, 'keys', n, Date.now());
  state.flush();
  feed(engine, 'timers', n, Date.now());
  state.flush();
  db.close();
} else {
  const n = Number(a);
  const engine = new RuleEngine(rules());
  const gc = globalThis.gc!;
  const measure = () => {
    gc();
    gc();
    const { heapUsed, rss } = process.memoryUsage();
    return { heapUsed, rss };
  };
  // Warm up the parser and the rules, so the "before" includes their compiled code.
  feed(new RuleEngine(rules()), mode!, 1000, Date.now());
  const before = measure();
  feed(engine, mode!, n, Date.now());
  const after = measure();
  const pending = engine.pending();
  process.stdout.write(`${JSON.stringify({ heapBytes: (after.heapUsed - before.heapUsed) / n, rssBytes: (after.rss - before.rss) / n, pending })}\n`);
}
