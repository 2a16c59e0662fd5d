/** The web page's pure parts: escaping of everything that comes from syslog, and the chart geometry. */
import { describe, expect, it } from 'vitest';
import type { StoredAlert } from '../../../src/analyzer/store/alerts.js';
import { LoginThrottle, MAX_LOGGED_IN_SESSIONS, MAX_VISITOR_SESSIONS, Sessions } from '../../../src/analyzer/web/auth.js';
import { chartPaths } from '../../../src/analyzer/web/charts.js';
import { html } from '../../../src/analyzer/web/html.js';
import { historyPage, layout, OPEN_COUNT_MAX, openAlertsPage } from '../../../src/analyzer/web/pages.js';

const hostile: StoredAlert = {
  id: 'a"1',
  ruleId: 'r<1>',
  kind: 'anomaly',
  severity: 'warning',
  time: Date.UTC(2026, 10, 24),
  host: '<img src=x onerror=alert(1)>',
  key: 'k',
  value: "'><script>alert(2)</script>",
  summary: 'user <b>dave</b> & "friends"',
  evidence: {},
  ack: { by: '<i>erin</i>', at: Date.UTC(2026, 10, 24, 1), comment: '</td><script>x</script>' },
};

describe('escaping', () => {
  it('escapes text from messages in every page, and keeps markup made by html``', () => {
    const context = { user: null, csrf: 'tok"en', openCount: 1, now: 0 };
    const paging = { where: '1 <open>', next: '/?before=1_a"1' };
    for (const page of [openAlertsPage([hostile], { ruleIds: ['r<1>'], hosts: [hostile.host] }, {}, paging, context), historyPage([hostile], paging, 0)]) {
      const text = page.text;
      expect(text).not.toMatch(/<script|<img|<b>|<i>/);
      expect(text).toContain('user &lt;b&gt;dave&lt;/b&gt; &amp; &quot;friends&quot;');
      expect(text).toContain('<a href="/?before=1_a&quot;1" rel="next">');
    }
    expect(openAlertsPage([hostile], { ruleIds: [], hosts: [] }, {}, paging, context).text).toContain('value="tok&quot;en"');
    expect(html`<p>${html`<b>${'<x>'}</b>`}</p>`.text).toBe('<p><b>&lt;x&gt;</b></p>');
  });

  it('the menu counts open alerts up to its bound, then says there are more', () => {
    const menu = (openCount: number) => /<a href="\/"[^>]*>([^<]*)<\/a>/.exec(layout({ user: null, csrf: '', openCount, now: 0 }, '/', 't', html``).text)?.[1];
    expect([menu(0), menu(OPEN_COUNT_MAX), menu(OPEN_COUNT_MAX + 1)]).toEqual([
      'Open (0)',
      `Open (${OPEN_COUNT_MAX})`,
      `Open (${OPEN_COUNT_MAX.toLocaleString('en-US')}+)`,
    ]);
  });
});

describe('charts', () => {
  const plot = { left: 0, top: 0, width: 100, height: 10 };
  it('scales points into the plot, drops those outside the window, breaks the line at a long gap', () => {
    const points = [
      { time: -5, value: 99 }, // before the window
      { time: 0, value: 0 },
      { time: 10, value: 10 },
      { time: 60, value: 5 }, // after a gap of 50 > 45
      { time: 100, value: 0 },
    ];
    const { paths, min, max } = chartPaths({ points, from: 0, to: 100, label: 'x', maxGapMs: 45 }, plot);
    expect([min, max]).toEqual([0, 10]);
    expect(paths).toEqual(['0,10 10,0', '60,5 100,10']);
  });

  it('counts start at the floor; a flat line is drawn in the middle', () => {
    expect(
      chartPaths(
        {
          points: [
            { time: 0, value: 5 },
            { time: 100, value: 7 },
          ],
          from: 0,
          to: 100,
          label: 'x',
          floor: 0,
        },
        plot,
      ).min,
    ).toBe(0);
    expect(
      chartPaths(
        {
          points: [
            { time: 0, value: 3 },
            { time: 100, value: 3 },
          ],
          from: 0,
          to: 100,
          label: 'x',
        },
        plot,
      ).paths,
    ).toEqual(['0,5 100,5']);
    expect(chartPaths({ points: [], from: 0, to: 100, label: 'x' }, plot).paths).toEqual([]);
  });
});

describe('sessions', () => {
  it('visitors cannot push out a logged-in session; each pool keeps its most recently used; sessions expire after the timeout without use', () => {
    let now = 0;
    const sessions = new Sessions(60_000, () => now);
    const kept = sessions.login(sessions.visit(), 'erin');
    for (let i = 0; i < MAX_VISITOR_SESSIONS + 500; i++) sessions.visit(); // the login form for clients without cookies
    expect(sessions.size).toEqual({ visitors: MAX_VISITOR_SESSIONS, loggedIn: 1 });
    expect(sessions.find(kept.id)).toBe(kept);

    const logins = Array.from({ length: MAX_LOGGED_IN_SESSIONS }, () => sessions.login(sessions.visit(), 'frank'));
    expect(sessions.size.loggedIn).toBe(MAX_LOGGED_IN_SESSIONS);
    expect(sessions.find(kept.id)).toBeUndefined(); // the least recently used login went
    now = 59_000;
    expect(sessions.find(logins[0]!.id)).toBe(logins[0]);
    now = 119_001; // 60 s after its last use
    expect(sessions.find(logins[0]!.id)).toBeUndefined();
    expect(sessions.size).toEqual({ visitors: 0, loggedIn: 0 });
  });
});

describe('login throttle', () => {
  it('an attempt takes its slot before the check: the limit holds for attempts in flight; a right password gives its slot back; the window ends it', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    expect([1, 2, 3, 4].map(() => throttle.tryAttempt('192.0.2.1'))).toEqual([true, true, true, false]);
    expect(throttle.tryAttempt('192.0.2.2')).toBe(true);
    throttle.succeeded('192.0.2.1');
    expect([1, 2].map(() => throttle.tryAttempt('192.0.2.1'))).toEqual([true, false]);
    now = 60_001;
    expect(throttle.tryAttempt('192.0.2.1')).toBe(true);
  });
});
