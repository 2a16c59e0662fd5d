/**
 * Keys an attacker chooses (spoofed host names): the event rule kept one entry per alerting key
 * and scanned all of them on every alert, so 40,000 spoofed hosts cost 10 s of CPU. Now quiet
 * keys are forgotten in one sweep per suppression period; this shows the behaviour stays the same
 * (suppression per key, the "N more suppressed" count) and that memory returns to what is recent.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/common/config-file.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { EventAlerter } from '../../src/analyzer/rules/event.js';
import { rulesFileSchema, type EventRule } from '../../src/analyzer/rules/schema.js';

const [rule] = parseConfigText(rulesFileSchema, 'rules:\n  - { id: e, kind: event, match: { regex: "^x" }, key: "${host}", suppress: 10m }\n', 'rules.yaml').rules as [EventRule];
const event = (host: string) => parseSyslog(`<13>1 - ${host} app - - - x`, { receivedAt: 0, source: 'x:1' });
const MINUTE = 60_000;

describe('event rule keyed by spoofed hosts', () => {
  it('40,000 hosts alert once each; a repeat within 10 minutes is suppressed and counted on the next alert; quiet keys are forgotten', () => {
    const alerter = new EventAlerter(rule);
    const start = Date.UTC(2026, 11, 4);
    for (let i = 0; i < 40_000; i++) expect(alerter.process(event(`spoofed-${i}`), start + i)).toBeDefined();
    expect(alerter.rememberedKeys).toBe(40_000);
    expect(alerter.process(event('spoofed-7'), start + 5 * MINUTE)).toBeUndefined();
    // Past the suppression: the next alert sweeps the quiet keys; spoofed-7 had a suppressed repeat, so it is kept for its count.
    expect(alerter.process(event('real'), start + 11 * MINUTE)).toBeDefined();
    expect(alerter.rememberedKeys).toBe(2);
    expect(alerter.process(event('spoofed-7'), start + 12 * MINUTE)?.summary).toContain('(1 more suppressed before)');
    expect(alerter.counters).toMatchObject({ matched: 40_003, alerts: 40_002, suppressed: 1 });
  });
});
