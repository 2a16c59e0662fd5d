/**
 * The analyzer's web page in headless Chromium (Debian `chromium`, driven by playwright-core): log
 * in, see an alert raised by a real syslog message (util-linux `logger`), acknowledge it, see it
 * leave the open list and stay acknowledged across a restart; a sensor going silent opens a
 * problem that leaves the open list by itself when the sensor is back, into the history with its
 * duration; long lists a page at a time, followed by their links. Plus what a browser cannot show:
 * cross-site and token-less posts are refused, and a non-loopback address without users is a
 * config error.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseSyslog } from '../../../src/common/syslog/parse.js';
import { alertId } from '../../../src/analyzer/rules/alert.js';
import { AlertStore } from '../../../src/analyzer/store/alerts.js';
import { openDatabase } from '../../../src/analyzer/store/database.js';
import { SensorData } from '../../../src/analyzer/store/sensor-data.js';
import { hashPassword } from '../../../src/analyzer/web/auth.js';
import { analyzerSetup, cli, startAnalyzer, stopAnalyzer, waitFor, type RunningAnalyzer, sendVpnLogon, VPN_RULE } from '../../helpers/analyzer-process.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';

let browser: Browser;
beforeAll(async () => {
  // No skip: .ci/run installs it; a machine without it fails here, saying what to install.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install the Debian package chromium (apt-get install chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM });
});
afterAll(async () => {
  await browser?.close();
});

const VPN_RULE_LEARNING_1MS = [...VPN_RULE, '    learning: 1ms'];

async function logIn(page: Page, url: string, password = PASSWORD): Promise<void> {
  await page.goto(url);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
  await page.getByLabel('User').fill('erin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('the web page in Chromium', () => {
  it('log in, see an alert from a real syslog message, acknowledge it; it stays acknowledged after a restart', async () => {
    const hash = await hashPassword(PASSWORD);
    const { config, tcp } = await analyzerSetup(VPN_RULE_LEARNING_1MS, [`web: { port: 0, users: [{ name: erin, passwordHash: "${hash}" }] }`]);
    const send = (ip: string) => sendVpnLogon(tcp, ip);
    let analyzer: RunningAnalyzer = await startAnalyzer(config);
    const page = await browser.newPage();
    try {
      await send('198.51.100.1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await send('203.0.113.50');
      await waitFor(async () => ((await cli(['alerts', 'list', '--config', config])).stdout.includes('203.0.113.50') ? true : undefined), 'the alert');

      await logIn(page, analyzer.webUrl!, 'wrong password');
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong user or password.');
      await logIn(page, analyzer.webUrl!);
      const row = page.locator('tr[data-alert]');
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain('new value 203.0.113.50 for dave');
      expect(await page.getByRole('link', { name: 'Open (1)' }).count()).toBe(1);

      await row.getByRole('checkbox').check();
      await page.getByLabel('Comment').fill('dave is travelling');
      await page.getByRole('button', { name: 'Acknowledge selected' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Acknowledged 1 alert.');
      expect(await page.locator('tr[data-alert]').count()).toBe(0);
      expect(await page.getByText('Nothing open.').count()).toBe(1);

      expect(await stopAnalyzer(analyzer)).toBe(0);
      analyzer = await startAnalyzer(config);
      await logIn(page, analyzer.webUrl!); // sessions do not survive a restart; acknowledgements do
      await expect.poll(() => page.getByText('Nothing open.').count()).toBe(1);
      await page.getByRole('link', { name: 'History' }).click();
      const history = page.locator('tr[data-alert]');
      await expect.poll(() => history.count()).toBe(1);
      expect(await history.textContent()).toMatch(/erin, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: dave is travelling/);
    } finally {
      await page.close();
      await stopAnalyzer(analyzer);
    }
  }, 60_000);

  it('a sensor goes silent: the problem appears under Open; it comes back: the problem leaves Open by itself and shows in History with its duration', async () => {
    const { config, udp } = await analyzerSetup([
      '  - { id: sensor-silent, kind: eps, match: { app: ^envirowatch$ }, key: "${host}", interval: 2s, below: 1, severity: err }',
    ]);
    const analyzer = await startAnalyzer(config);
    const page = await browser.newPage();
    const heartbeat = () => run('logger', ['-d', '-n', '127.0.0.1', '-P', String(udp), '--rfc5424', '-t', 'envirowatch', '--msgid', 'HEARTBEAT', 'heartbeat']);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      // Two windows of heartbeats (a sender's first window is not judged), then silence.
      const sendingUntil = Date.now() + 4_500;
      while (Date.now() < sendingUntil) {
        await heartbeat();
        await sleep(300);
      }
      const row = page.locator('tr[data-alert]');
      await waitFor(
        async () => {
          await page.goto(analyzer.webUrl!);
          return (await row.count()) === 1 ? true : undefined;
        },
        'the problem on the page',
        15_000,
      );
      expect(await row.textContent()).toMatch(new RegExp(`sensor-silent: ${hostname()} below 1 .*open for \\S+`));
      expect(await page.getByRole('link', { name: 'Open (1)' }).count()).toBe(1);
      const problemId = await row.getAttribute('data-alert');

      // Back: the problem leaves Open by itself, without an acknowledgement, and no second alert appears.
      await waitFor(
        async () => {
          await heartbeat();
          await sleep(300);
          await page.goto(analyzer.webUrl!);
          return (await page.getByText('Nothing open.').count()) === 1 ? true : undefined;
        },
        'the problem to resolve',
        15_000,
      );
      expect(await page.getByRole('link', { name: 'Open (0)' }).count()).toBe(1);
      await page.getByRole('link', { name: 'History' }).click();
      const history = page.locator('tr[data-alert]');
      await expect.poll(() => history.count()).toBe(1);
      expect(await history.getAttribute('data-alert')).toBe(problemId);
      expect(await history.locator('td.problem.resolved').textContent()).toMatch(/^resolved after (\d+m)?\d+s$/);
      expect(await history.locator('td').last().textContent()).toBe('no'); // never acknowledged, yet not open
    } finally {
      await page.close();
      await stopAnalyzer(analyzer);
    }
  }, 60_000);

  it("shows a sensor's latest readings and chart from its heartbeats, event rates, and rule counters (no login on loopback without users)", async () => {
    const { config, udp } = await analyzerSetup(['  - { id: sensor-quiet, kind: eps, match: { app: ^envirowatch$ }, interval: 1m, below: 1 }']);
    const analyzer = await startAnalyzer(config);
    const page = await browser.newPage();
    try {
      // logger sends this machine's host name: that is the sensor here.
      for (const temperature of [71.5, 73.25, 76.5]) {
        await run('logger', [
          '-d',
          '-n',
          '127.0.0.1',
          '-P',
          String(udp),
          '--rfc5424',
          '-t',
          'envirowatch',
          '--msgid',
          'HEARTBEAT',
          '--sd-id',
          'readings@21600',
          '--sd-param',
          `temperature="${temperature}"`,
          '--sd-param',
          'temperatureStatus="warning"',
          '--sd-param',
          'temperatureUnit="degF"',
          '--sd-param',
          'humidity="41.5"',
          '--sd-param',
          'humidityStatus="ok"',
          'heartbeat',
        ]);
        await new Promise((resolve) => setTimeout(resolve, 1100)); // one per flush: a flush keeps a sensor's latest reading
      }
      await waitFor(async () => ((await cli(['counters', '--config', config, '--json'])).stdout.includes('"matched":3') ? true : undefined), 'the heartbeats');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // written at the next one-second flush
      await page.goto(`${analyzer.webUrl!}sensors`);
      const card = page.locator(`[data-sensor="${hostname()}"]`);
      await expect.poll(() => card.count()).toBe(1);
      expect(await card.textContent()).toMatch(/temperature\s*76\.5 degF\s*warning/);
      expect(await card.locator(`svg[aria-label="${hostname()} temperature, last 24 h"] polyline`).count()).toBe(1);
      await page.goto(`${analyzer.webUrl!}rates`);
      expect(await page.locator(`tr[data-host="${hostname()}"] td.num`).textContent()).toBe('3');
      await page.goto(`${analyzer.webUrl!}rules`);
      expect(await page.locator('tr[data-rule="sensor-quiet"]').textContent()).toContain('matched 3');
    } finally {
      await page.close();
      await stopAnalyzer(analyzer);
    }
  }, 60_000);
});

describe('long lists in Chromium', () => {
  it('open alerts and history a hundred a page, sensors twenty: the page says where it is, Older, Newer and Newest lead on and keep the filter; past 200 hosts the host filter is a text field', async () => {
    const { config, dir } = await analyzerSetup([]);
    const db = openDatabase(join(dir, 'data'));
    const store = new AlertStore(db);
    const now = Date.now();
    for (let i = 0; i < 260; i++) {
      const [ruleId, host, time] = [i < 250 ? 'rule-a' : 'rule-b', `host-${String(i).padStart(3, '0')}`, now - 60_000 + i * 100];
      store.insert({ id: alertId(ruleId, host, time), ruleId, kind: 'event', severity: 'warning', time, host, key: host, summary: `alert ${i}`, evidence: {} });
    }
    const sensors = new SensorData(db);
    for (let i = 0; i < 25; i++)
      sensors.observe(
        parseSyslog(`<134>1 - sensor-${String(i).padStart(2, '0')} envirowatch 1 HEARTBEAT [readings@21600 temperature="7${i % 10}" humidity="40"] t`, {
          receivedAt: now,
          source: '192.0.2.1:514',
        }),
      );
    sensors.flush();
    db.close();
    const analyzer = await startAnalyzer(config);
    const page = await browser.newPage();
    const rows = page.locator('tr[data-alert]');
    const ids = () => rows.evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-alert')));
    const pager = page.locator('nav.pager').first();
    const follow = async (name: string) => {
      await page.getByRole('link', { name }).first().click();
      await page.waitForLoadState();
    };
    try {
      await page.goto(analyzer.webUrl!);
      expect(await rows.count()).toBe(100);
      expect(await pager.textContent()).toMatch(/^260 open, newest first; this page \S+ \S+ back to \S+ \S+ Older →$/);
      expect(await page.locator('input[type="text"][name="host"]').count()).toBe(1); // 260 hosts
      await page.getByLabel('Rule').selectOption('rule-a');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => pager.textContent()).toMatch(/^250 open, newest first/);
      const first = await ids();
      expect(first).toHaveLength(100);

      await follow('Older →');
      expect(new URL(page.url()).searchParams.get('rule')).toBe('rule-a');
      const second = await ids();
      expect(second).toHaveLength(100);
      expect(await pager.textContent()).toMatch(/Newest ← Newer Older →$/);
      await follow('Older →');
      const third = await ids();
      expect(third).toHaveLength(50);
      expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(0);
      expect(new Set([...first, ...second, ...third]).size).toBe(250);
      await follow('← Newer');
      expect(await ids()).toEqual(second);
      await follow('Newest');
      expect(await ids()).toEqual(first);
      expect(await page.getByRole('link', { name: '← Newer' }).count()).toBe(0);

      await page.getByRole('link', { name: 'History' }).click();
      expect(await pager.textContent()).toMatch(/^260 alerts and problems, newest first/);
      await follow('Older →');
      await follow('Older →');
      expect(await rows.count()).toBe(60);

      await page.getByRole('link', { name: 'Sensors' }).click();
      const cards = page.locator('[data-sensor]');
      expect(await cards.count()).toBe(20);
      expect(await pager.textContent()).toBe('25 sensors by name; this page sensor-00 to sensor-19 Next →');
      await follow('Next →');
      expect(await cards.evaluateAll((all) => all.map((card) => card.getAttribute('data-sensor')))).toEqual([
        'sensor-20',
        'sensor-21',
        'sensor-22',
        'sensor-23',
        'sensor-24',
      ]);
      await follow('← Previous');
      expect(await cards.count()).toBe(20);
      expect((await fetch(`${analyzer.webUrl!}history?before=yesterday`)).status).toBe(400); // not a time and id
    } finally {
      await page.close();
      await stopAnalyzer(analyzer);
    }
  }, 60_000);
});

describe('the web page refuses what a browser on another site could send', () => {
  it("a post without the session's token, or from another origin, is refused; with both it works", async () => {
    const { config, udp } = await analyzerSetup(VPN_RULE_LEARNING_1MS);
    const analyzer = await startAnalyzer(config);
    try {
      for (const ip of ['198.51.100.1', '203.0.113.50']) {
        await run('logger', [
          '-d',
          '-n',
          '127.0.0.1',
          '-P',
          String(udp),
          '--rfc3164',
          '-t',
          'openvpn',
          `openvpn server 'ovpns1' user 'dave' address '${ip}:1194' - connected`,
        ]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await waitFor(async () => ((await cli(['alerts', 'list', '--config', config])).stdout ? true : undefined), 'the alert'); // the page then has the form
      const url = analyzer.webUrl!;
      const first = await fetch(url);
      const sessionCookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(await first.text())?.[1] ?? 'missing';
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(`${url}ack`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: sessionCookie, ...headers },
          body,
        });
      expect((await post('id=x&comment=c&by=me')).status).toBe(403);
      expect((await post(`id=x&comment=c&by=me&csrf=${encodeURIComponent(csrf)}`, { origin: 'http://evil.example' })).status).toBe(403);
      expect((await post(`id=x&comment=c&by=me&csrf=${encodeURIComponent(csrf)}`, { origin: url.replace(/\/$/, '') })).status).toBe(303);
      const headers = first.headers;
      expect(headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await stopAnalyzer(analyzer);
    }
  });

  it('a non-loopback address without users is a config error naming web.users; hash-password makes a hash the login accepts', async () => {
    const { config } = await analyzerSetup([], ['web: { address: 0.0.0.0 }']);
    const checked = await cli(['check-config', '--analyzer', config]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/web\.users: required when web\.address \(0\.0\.0\.0\) is not a loopback address/);
    const hashed = await cli(['hash-password'], `${PASSWORD}\n`);
    expect(hashed.code).toBe(0);
    expect(hashed.stdout).toMatch(/^scrypt:16384:8:1:\S+:\S+\n$/);
    expect(await cli(['hash-password'], 'short\n')).toMatchObject({ code: 2, stderr: 'the password must have at least 8 characters\n' });
  });
});
