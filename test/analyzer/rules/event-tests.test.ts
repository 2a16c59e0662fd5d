/**
 * The tests rules share before their regexes (event-tests.ts): each distinct test runs once per
 * event, and a match's result is what running its tests directly gives, whichever rules asked
 * before it and in whatever order events come.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyslogEvent } from '../../../src/common/syslog/event.js';
import { eventTests } from '../../../src/analyzer/rules/event-tests.js';
import { matchEvent } from '../../../src/analyzer/rules/match.js';
import { matchSchema, type Match } from '../../../src/analyzer/rules/rule-schema.js';
import { syslogEvent } from '../../helpers/syslog-event.js';

const event = (fields: Partial<SyslogEvent>): SyslogEvent => syslogEvent({ host: 'h', receivedAt: 0, app: 'a', ...fields });

/** What matchEvent must answer: the rule's regexes run directly, with no prefilter and no shared results. */
function matchDirectly(match: Match, e: SyslogEvent): boolean {
  return (!match.host || match.host.test(e.host)) && (!match.app || match.app.test(e.app)) && match.regex.test(e.message);
}

describe('event tests shared by rules', () => {
  it('interns a test once: rules with the same literal or the same host/app regex get the same test', () => {
    const a = matchSchema.parse({ app: '^(kernel|envirowatch)$', regex: '4624: .*Logon ID: (?<id>0x[0-9a-f]*3)$' });
    const b = matchSchema.parse({ app: '^(kernel|envirowatch)$', regex: '4634: .*Logon ID: (?<id>0x[0-9a-f]*3)$' });
    expect(a.tests.map((t) => t.how)).toEqual(['app', 'endsWith', 'includes', 'includes']);
    expect(a.tests[0]).toBe(b.tests[0]);
    expect(a.tests[1]).toBe(b.tests[1]); // ends with `3`
    expect(a.tests[2]).toBe(b.tests[2]); // `Logon ID: 0x`
    expect(a.tests[3]).not.toBe(b.tests[3]); // `4624: ` and `4634: `
    // The same source as a host regex is another test.
    expect(matchSchema.parse({ host: '^(kernel|envirowatch)$' }).tests[0]).not.toBe(a.tests[0]);
  });

  it('runs each distinct test once per event, and again for the next event even with the same text', () => {
    let runs = 0;
    const regex = /^counted-app-\d$/;
    const test = regex.test.bind(regex);
    regex.test = (text: string) => (runs++, test(text));
    const shared = eventTests.regex('app', regex);
    const first = event({ app: 'counted-app-1' });
    for (let rule = 0; rule < 20; rule++) expect(eventTests.passes(shared, first)).toBe(true);
    expect(runs).toBe(1);
    // Another event object: its own result, though an earlier event had the same app.
    const second = event({ app: 'counted-app-1' });
    expect(eventTests.passes(shared, second)).toBe(true);
    const third = event({ app: 'counted-app-x' });
    expect(eventTests.passes(shared, third)).toBe(false);
    expect(eventTests.passes(shared, first)).toBe(true); // back to the first: run again, not the third's result
    expect(runs).toBe(4);
  });

  it('keeps results for more tests than its first table holds', () => {
    const tests = Array.from({ length: 100 }, (_, i) => eventTests.literal('includes', `grow-${i}-literal`));
    const e = event({
      message: tests
        .filter((_, i) => i % 3 === 0)
        .map((t) => t.literal)
        .join(' '),
    });
    for (let round = 0; round < 2; round++) expect(tests.map((t) => eventTests.passes(t, e))).toEqual(tests.map((_, i) => i % 3 === 0));
  });

  it('answers as the tests run directly would, for rules sharing literals and app regexes over events carrying JavaScript-special names', () => {
    const names = ['__proto__', 'constructor', 'toString', 'Logon ID: ', '4624: ', '4634: ', 'hasOwnProperty'];
    const piece = fc.constantFrom(...names, 'x', ' ', '0x1f', '$', '.', '\\', 'f');
    const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ruleSource = fc.record({
      host: fc.option(
        fc.constantFrom(...names).map((n) => `^${escape(n)}`),
        { nil: undefined },
      ),
      app: fc.option(fc.constantFrom('^(kernel|envirowatch)$', '^__proto__$', 'constructor'), { nil: undefined }),
      // Anchored or not at each end, so prefixes and suffixes are tested too (`\\$` a literal dollar, `\\\\$` a backslash then the anchor).
      regex: fc
        .tuple(
          fc.constantFrom('', '^'),
          fc.array(fc.constantFrom(...names.map(escape), '.*', '(0x[0-9a-f]+)', '(?:x)', ' ', '\\$', 'f+'), { minLength: 1, maxLength: 4 }),
          fc.constantFrom('', '$', '\\$', '\\\\$'),
        )
        .map(([start, parts, end]) => start + parts.join('') + end),
    });
    const anEvent = fc
      .record({ host: fc.constantFrom(...names, 'srv1'), app: fc.constantFrom('kernel', 'envirowatch', '__proto__', 'constructor', 'sshd'), message: text })
      .map((fields) => event(fields));
    fc.assert(
      fc.property(fc.array(ruleSource, { minLength: 1, maxLength: 12 }), fc.array(anEvent, { minLength: 1, maxLength: 8 }), (sources, events) => {
        const matches = sources.map((source) => matchSchema.parse(source));
        // Each event twice, and the first again at the end: results for an earlier event are not reused.
        for (const e of [...events, ...events, events[0]!])
          for (const match of matches) expect(matchEvent(match, e) !== undefined, `${match.regex} on ${JSON.stringify(e)}`).toBe(matchDirectly(match, e));
      }),
      { numRuns: 300 },
    );
  });
});
