/**
 * The tests a match runs before its regex (match.ts): the host and app regexes, and the literals
 * the message must start with, end with and contain (regex.ts, messagePrefilter). Rules share many
 * of them: the timer rules of one event source test the same `Logon ID: `, the EPS rules of one
 * app the same app regex. Each distinct test is interned here with a number, and its result is
 * kept for the event it was last run on, so the rules together run each distinct test once per
 * event (the bench's 20 rules on its TCP lines ask 27.2 tests an event, of which 17 distinct).
 *
 * The results are kept by the event object: events are never changed once parsed (SyslogEvent's
 * fields are readonly), and a regex without flags keeps no state between tests, so a test's
 * result for an event is the same whichever rule asks, and whichever engine.
 */
import type { SyslogEvent } from '../../common/syslog/event.js';

/** What a test does: the host or app must match a regex; the message must contain, start or end with a literal. */
type How = 'host' | 'app' | 'includes' | 'startsWith' | 'endsWith';

export interface EventTest {
  /** Its number in the interned tests: where its result is kept. */
  readonly id: number;
  readonly how: How;
  /** For the message: the literal. */
  readonly literal: string;
  /** For the host or app: the regex; null for a literal. */
  readonly regex: RegExp | null;
}

class InternedTests {
  private readonly byText = new Map<string, EventTest>();
  /** Per test id: the event count at which `results` was computed, and the result (1 passed). */
  private computedAt = new Float64Array(32);
  private results = new Uint8Array(32);
  private event: SyslogEvent | undefined;
  /** Events seen so far; a double, so it does not wrap. */
  private eventCount = 0;

  /** The host or app test with `regex`: the same object for the same test. */
  regex(how: 'host' | 'app', regex: RegExp): EventTest {
    // Rule regexes have no flags (compileRuleRegex), but a test's regex is kept by its flags too.
    return this.intern(`${how}/${regex.flags}/${regex.source}`, how, '', regex);
  }

  /** The message test with `literal`: the same object for the same test. */
  literal(how: 'includes' | 'startsWith' | 'endsWith', literal: string): EventTest {
    return this.intern(`${how}:${literal}`, how, literal, null);
  }

  private intern(text: string, how: How, literal: string, regex: RegExp | null): EventTest {
    let test = this.byText.get(text);
    if (!test) {
      test = { id: this.byText.size, how, literal, regex };
      this.byText.set(text, test);
      if (test.id >= this.results.length) this.grow();
    }
    return test;
  }

  passes(test: EventTest, event: SyslogEvent): boolean {
    if (event !== this.event) {
      this.event = event;
      this.eventCount++;
    }
    const { id } = test;
    if (this.computedAt[id] === this.eventCount) return this.results[id] === 1;
    const passed = run(test, event);
    this.computedAt[id] = this.eventCount;
    this.results[id] = passed ? 1 : 0;
    return passed;
  }

  private grow(): void {
    const computedAt = new Float64Array(this.results.length * 2);
    const results = new Uint8Array(this.results.length * 2);
    computedAt.set(this.computedAt);
    results.set(this.results);
    this.computedAt = computedAt;
    this.results = results;
  }
}

function run(test: EventTest, event: SyslogEvent): boolean {
  switch (test.how) {
    case 'host':
      return test.regex!.test(event.host);
    case 'app':
      return test.regex!.test(event.app);
    case 'includes':
      return event.message.includes(test.literal);
    case 'startsWith':
      return event.message.startsWith(test.literal);
    case 'endsWith':
      return event.message.endsWith(test.literal);
  }
}

/** One table for the process: every rule's tests, whichever engine runs it. */
export const eventTests = new InternedTests();
