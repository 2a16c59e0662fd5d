/**
 * Names that are JavaScript's own (`__proto__`, `constructor`, `toString`, `then`, ...) arriving as
 * syslog structured data, host, app and message words. The security review's packets
 * `[x@1 toString="a"]` (killed the daemon) and `[__proto__ host="X"]` (polluted Object.prototype,
 * leaving the daemon alive but blind) are two members of this class; the tests take the whole
 * class: every special name, in every field, through the parser, the rules, the store, replay and
 * the daemon as shipped. RFC 5424 §6.3.2–6.3.3: an SD-ID or SD-NAME is any 1–32 printable ASCII
 * characters except `=`, space, `]` and `"`, so all of these names are valid syslog.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { parseConfigText } from '../../src/common/config-file.js';
import { RuleEngine } from '../../src/analyzer/rules/engine.js';
import { rulesFileSchema } from '../../src/analyzer/rules/schema.js';
import { openDatabase } from '../../src/analyzer/store/database.js';
import { AlertStore } from '../../src/analyzer/store/alerts.js';
import { SqliteRuleState } from '../../src/analyzer/store/rule-state.js';
import { heldEvent } from '../../src/analyzer/rules/timer/held.js';
import { TimerStore } from '../../src/analyzer/rules/timer/store.js';
import { replay } from '../../src/analyzer/replay.js';
import { cli, waitFor } from '../helpers/analyzer-process.js';
import { alertListed, analyzerPerTest, CANARY_RULE, canaryLine } from '../helpers/analyzer-per-test.js';
import { hostileRfc3164, hostileRfc5424, JS_SPECIAL_NAMES, objectPrototypeSnapshot } from '../helpers/hostile-inputs.js';

const parse = (line: string) => parseSyslog(line, { receivedAt: Date.UTC(2026, 11, 4), source: '192.0.2.9:514' });
const sdLine = (sd: string) => `<13>1 2026-12-04T10:00:00Z h probe - - ${sd} m`;
const prototypeBefore = objectPrototypeSnapshot();

afterEach(() => {
  // Nothing any test here sent may have reached Object.prototype.
  expect(objectPrototypeSnapshot()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>)['host']).toBeUndefined();
});

describe('the parser keeps every special name as data', () => {
  it.each(JS_SPECIAL_NAMES)('%s as SD-ID and as parameter name, repeated', (name) => {
    const event = parse(sdLine(`[${name} ${name}="a" ${name}="b"][x@1 ${name}="c"]`));
    expect(event.format).toBe('rfc5424');
    expect(Object.keys(event.structuredData)).toEqual([name, 'x@1']);
    expect(Object.getOwnPropertyDescriptor(event.structuredData, name)?.value).toEqual(Object.assign(Object.create(null), { [name]: ['a', 'b'] }));
    expect(Object.getOwnPropertyDescriptor(event.structuredData['x@1'], name)?.value).toEqual(['c']);
  });

  it('no SD-ID or name found in an event is inherited', () => {
    const event = parse(sdLine('[a@1 b="c"]'));
    for (const name of JS_SPECIAL_NAMES) {
      expect(event.structuredData[name]).toBeUndefined();
      expect(event.structuredData['a@1']![name]).toBeUndefined();
    }
    expect(parse('<13>Dec  4 10:00:00 h app: m').structuredData['constructor']).toBeUndefined();
  });

  it('property: any well-formed line with special names parses, keeping exactly the names sent', () => {
    fc.assert(
      fc.property(hostileRfc5424(), ({ line, sd }) => {
        const event = parse(line);
        expect(event.format).toBe('rfc5424');
        expect(Object.keys(event.structuredData).sort()).toEqual([...new Set(sd.map((e) => e.id))].sort());
        for (const element of sd) for (const [name] of element.params) expect(Object.hasOwn(event.structuredData[element.id]!, name)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(hostileRfc3164(), (line) => void parse(line)),
      { numRuns: 1000 },
    );
  });
});

const RULES = `rules:
  - { id: by-host, kind: event, match: { regex: "^m" }, key: "\${host}/\${app}/\${msgId}" }
  - { id: values, kind: anomaly, match: { regex: "^(?<v>\\\\S+)" }, key: "\${host}", value: "\${v}", learning: 1ms }
  - { id: held, kind: timer, start: { regex: "^start" }, end: { regex: "^end" }, key: "\${host}", timeout: 1h }
  - { id: rate, kind: eps, match: { regex: "" }, key: "\${host}", interval: 1m, above: 1, overrides: { other: { above: 5 } } }
`;

describe('special names through the rules, the store and back', () => {
  it('every rule kind keys on them, alerts and held events are stored and read back unchanged', () => {
    const rules = parseConfigText(rulesFileSchema, RULES, 'rules.yaml').rules;
    const db = openDatabase(join(tmpdir(), `envirowatch-proto-${process.pid}-${Date.now()}`));
    const store = new AlertStore(db);
    const state = new SqliteRuleState(db);
    const engine = new RuleEngine(rules, { sinks: state });
    let time = Date.UTC(2026, 11, 4);
    const alerts = [];
    for (const name of JS_SPECIAL_NAMES) {
      for (const message of ['m1', 'm2', 'start', 'x']) {
        const event = parse(`<13>1 2026-12-04T10:00:00Z ${name} ${name} - ${name} [${name} ${name}="${name}"] ${message}`);
        for (const alert of engine.process(event, (time += 1000))) {
          alerts.push(alert);
          store.insert(alert);
        }
      }
    }
    state.flush();
    // The held timer starts (events with these names in their structured data) come back whole.
    const saved = new SqliteRuleState(db).load();
    const held = new TimerStore(db).load().get('held')!;
    expect(new Set(held.keys())).toEqual(new Set(JS_SPECIAL_NAMES));
    for (const [key, start] of held) expect(Object.getOwnPropertyDescriptor(heldEvent(start).structuredData, key)?.value[key]).toEqual([key]);
    expect(() => new RuleEngine(rules, { saved })).not.toThrow();
    alerts.push(...engine.tick((time += 3_600_000)));
    // Each name is a host: one event alert, one anomaly after learning, one EPS "above" per host.
    expect(alerts.filter((a) => a.ruleId === 'by-host')).toHaveLength(JS_SPECIAL_NAMES.length);
    expect(new Set(alerts.filter((a) => a.ruleId === 'rate').map((a) => a.key))).toEqual(new Set(JS_SPECIAL_NAMES));
    for (const name of JS_SPECIAL_NAMES) {
      const stored = store.list({ host: name, ruleId: 'by-host', limit: 10 });
      expect(stored.length).toBeGreaterThan(0);
      const event = (stored[0]!.evidence as { events: { structuredData: Record<string, Record<string, string[]>> }[] }).events[0]!;
      expect(Object.getOwnPropertyDescriptor(event.structuredData, name)?.value[name]).toEqual([name]);
    }
    expect(alerts.filter((a) => a.ruleId === 'held')).toHaveLength(JS_SPECIAL_NAMES.length);
    db.close();
  });

  it('replay reads every line of a file made of them (it stopped at the first before)', async () => {
    const lines = JS_SPECIAL_NAMES.flatMap((name) => [sdLine(`[${name} ${name}="a"]`), sdLine(`[x@1 ${name}="a"][${name} a="b"]`)]);
    const rules = parseConfigText(rulesFileSchema, RULES, 'rules.yaml').rules;
    const result = await replay(lines, { rules, reference: Date.UTC(2026, 11, 4), name: 'hostile.log' });
    expect(result.failed.count).toBe(0);
    expect(result.engine.counters.events).toBe(lines.length);
  });
});

describe('the daemon as shipped, over UDP', () => {
  const daemon = analyzerPerTest();

  it('stays up and keeps raising alerts after every special name in every place', async () => {
    const { analyzer, config, send } = await daemon.start([CANARY_RULE]);
    const hostile = JS_SPECIAL_NAMES.flatMap((name) => [
      sdLine(`[x@1 ${name}="a"]`),
      sdLine(`[${name} host="X" ${name}="y"]`),
      `<13>1 2026-12-04T10:00:00Z ${name} ${name} ${name} ${name} [${name}@1 ${name}="${name}"] ${name}`,
      `<13>Dec  4 10:00:00 ${name} ${name}[${name}]: ${name}`,
    ]);
    await send(canaryLine(1));
    for (const line of hostile) await send(line);
    await send(canaryLine(2));
    expect(await alertListed(config, 'canary 2')).toContain('canary 1');
    expect(analyzer.child.exitCode).toBeNull();
    const counters = await waitFor(async () => {
      const { stdout } = await cli(['counters', '--json', '--config', config]);
      const parsed = JSON.parse(stdout) as { counters: { ingest: { parsed: { rfc5424: number; rfc3164: number; raw: number }; sinkErrors: number } } };
      const { ingest } = parsed.counters;
      return ingest.parsed.rfc5424 + ingest.parsed.rfc3164 >= hostile.length + 2 ? ingest : undefined;
    }, 'the counters to include every datagram');
    expect(counters.sinkErrors).toBe(0);
    expect(counters.parsed.raw).toBe(0);
  });
});
