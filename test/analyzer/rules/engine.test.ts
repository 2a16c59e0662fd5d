/**
 * The rule engine (rules/engine.ts) against its definition: every rule advanced to the event's
 * time (never back; an event older than the engine's time is processed at that time), what came
 * due in time order, then every rule given the event. It skips work on the way (no rule asked
 * again within a millisecond, results gathered without copies), which must change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/common/config-file.js';
import type { Alert } from '../../../src/analyzer/rules/alert.js';
import { RuleEngine } from '../../../src/analyzer/rules/engine.js';
import { RULE_KINDS } from '../../../src/analyzer/rules/kinds.js';
import { rulesFileSchema, type Rule } from '../../../src/analyzer/rules/schema.js';
import { syslogEvent } from '../../helpers/syslog-event.js';

const rules: Rule[] = parseConfigText(
  rulesFileSchema,
  `rules:
  - { id: vpn, kind: anomaly, match: { app: ^openvpn$, regex: "user '(?<user>[^']+)' address '(?<ip>[^':]+)'" }, key: "\${user}", value: "\${ip}", learning: 2s }
  - { id: logon, kind: timer, start: { regex: "^4624: .*ID: (?<id>0x[0-9a-f]+)1$" }, end: { regex: "4634: .*ID: (?<id>0x[0-9a-f]+)1$" }, key: "\${id}", timeout: 3s }
  - { id: quiet, kind: eps, match: { app: ^(kernel|openvpn)$ }, interval: 2s, below: 2, above: 4 }
  - { id: critical, kind: event, match: { severity: crit, regex: "^(?<q>\\\\w+) ok -> critical" }, resolve: { regex: "^(?<q>\\\\w+) critical -> ok" }, key: "\${host}/\${q}" }
  - { id: anything, kind: event, match: { host: "^fw" }, key: "\${host}", suppress: 1s }
`,
).rules;

/** What the engine must give: every rule advanced to the event's time (never back), then every rule given the event. */
function everyRuleOnEveryEvent(events: readonly { event: ReturnType<typeof syslogEvent>; time: number }[]): string[] {
  const instances = [...RULE_KINDS].flatMap(([name, kind]) =>
    rules.filter((rule) => rule.kind === name).map((rule) => kind.create(rule, { sink: undefined, saved: undefined })),
  );
  const ids: string[] = [];
  let now = -Infinity;
  for (const { event, time } of events) {
    if (time > now) {
      now = time;
      const due: Alert[] = instances.flatMap((instance) => [...instance.advance(now)]);
      ids.push(...due.sort((a, b) => a.time - b.time).map((alert) => alert.id));
    }
    for (const instance of instances) ids.push(...instance.process(event, now).map((alert) => alert.id));
  }
  return ids;
}

describe('the rule engine', () => {
  it('raises what advancing every rule and giving it every event raises, in the same order, for events in and out of order', () => {
    const message = fc.constantFrom(
      "openvpn server user 'ann' address '10.0.0.1'",
      "user 'bob' address '10.0.0.2'",
      '4624: logon ID: 0x11',
      '4624: logon ID: 0x12',
      '4634: logoff ID: 0x11',
      'x 4624: ID: 0x21',
      'Temperature ok -> critical',
      'Temperature critical -> ok',
      '__proto__ constructor toString',
    );
    const anEvent = fc.record({
      host: fc.constantFrom('fw1', 'srv1', '__proto__'),
      app: fc.constantFrom('openvpn', 'kernel', 'sshd', 'constructor'),
      severity: fc.integer({ min: 0, max: 7 }),
      message,
      // Mostly forward in time, sometimes back (out of order) or at the same millisecond.
      step: fc.integer({ min: -1500, max: 2500 }),
    });
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 60 }), (drawn) => {
        let time = 1_700_000_000_000;
        const events = drawn.map(({ step, ...fields }) => {
          time += step;
          return { event: syslogEvent({ ...fields, receivedAt: time }), time };
        });
        const engine = new RuleEngine(rules);
        const ids = events.flatMap(({ event, time }) => engine.process(event, time).map((alert) => alert.id));
        expect(ids).toEqual(everyRuleOnEveryEvent(events));
      }),
      { numRuns: 400 },
    );
  });
});
