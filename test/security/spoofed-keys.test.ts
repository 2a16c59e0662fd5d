/**
 * Keys an attacker chooses (spoofed host names): the event rule kept one entry per alerting key
 * and scanned all of them on every alert, so 40,000 spoofed hosts cost 10 s of CPU; the EPS rule
 * spread each window's alerts as call arguments and crashed at 125,000 hosts going silent. Now quiet
 * keys are forgotten in one sweep per suppression period; this shows the behaviour stays the same
 * (suppression per key, the "N more suppressed" count) and that memory returns to what is recent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/common/config-file.js';
import { parseSyslog } from '../../src/common/syslog/parse.js';
import { EpsMonitor } from '../../src/analyzer/rules/eps/eps.js';
import type { EpsRule } from '../../src/analyzer/rules/eps/schema.js';
import { EpsStore } from '../../src/analyzer/rules/eps/store.js';
import { EventAlerter } from '../../src/analyzer/rules/event/event.js';
import type { EventRule } from '../../src/analyzer/rules/event/schema.js';
import { openDatabase } from '../../src/analyzer/store/database.js';
import { rulesFileSchema } from '../../src/analyzer/rules/schema.js';

const [rule] = parseConfigText(rulesFileSchema, 'rules:\n  - { id: e, kind: event, match: { regex: "^x" }, key: "${host}", suppress: 10m }\n', 'rules.yaml')
  .rules as [EventRule];
const event = (host: string) => parseSyslog(`<13>1 - ${host} app - - - x`, { receivedAt: 0, source: 'x:1' });
const MINUTE = 60_000;

describe('event rule keyed by spoofed hosts', () => {
  it('40,000 hosts alert once each; a repeat within 10 minutes is suppressed and counted on the next alert; quiet keys are forgotten', () => {
    const alerter = new EventAlerter(rule);
    const start = Date.UTC(2026, 11, 4);
    for (let i = 0; i < 40_000; i++) expect(alerter.process(event(`spoofed-${i}`), start + i)).toHaveLength(1);
    expect(alerter.rememberedKeys).toBe(40_000);
    expect(alerter.process(event('spoofed-7'), start + 5 * MINUTE)).toHaveLength(0);
    // Past the suppression: the next alert sweeps the quiet keys; spoofed-7 had a suppressed repeat, so it is kept for its count.
    expect(alerter.process(event('real'), start + 11 * MINUTE)).toHaveLength(1);
    expect(alerter.rememberedKeys).toBe(2);
    expect(alerter.process(event('spoofed-7'), start + 12 * MINUTE)[0]?.summary).toContain('(1 more suppressed before)');
    expect(alerter.counters).toMatchObject({ matched: 40_003, alerts: 40_002, suppressed: 1 });
  });
});

describe('eps rule keyed by many hosts', () => {
  const [eps] = parseConfigText(
    rulesFileSchema,
    'rules:\n  - { id: silent, kind: eps, match: { regex: "^x" }, key: "${host}", interval: 1m, below: 1 }\n',
    'rules.yaml',
  ).rules as [EpsRule];

  it('200,000 hosts going silent at once: 200,000 below alerts, no stack overflow (alerts were spread as call arguments)', () => {
    const monitor = new EpsMonitor(eps);
    const start = Date.UTC(2026, 11, 4);
    monitor.advance(start); // watching from a window start: the next window is watched whole
    for (let i = 0; i < 200_000; i++) monitor.process(event(`host-${i}`), start + 60_000);
    expect(monitor.advance(start + 120_000)).toHaveLength(0); // the window they sent in: all ok
    expect(monitor.advance(start + 180_000)).toHaveLength(200_000); // the silent window
  });

  it('a key seen once is stored at once: after a restart its silence is still noticed', () => {
    const db = openDatabase(mkdtempSync(join(tmpdir(), 'envirowatch-eps-')));
    const start = Date.UTC(2026, 11, 4);
    const store = new EpsStore(db);
    const before = new EpsMonitor(eps, store);
    before.advance(start);
    before.process(event('sensor-1'), start + 1000);
    store.write(); // the daemon's one-second flush; then kill -9
    const after = new EpsMonitor(eps);
    after.restore(new EpsStore(db).load().get('silent')!);
    expect(after.advance(start + 120_000)).toHaveLength(0); // the first window after the restart is not watched whole
    expect(after.advance(start + 180_000).map((alert) => [alert.key, alert.state])).toEqual([['sensor-1', 'below']]);
    db.close();
  });
});
