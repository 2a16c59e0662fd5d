/**
 * The analyzer's web page under the attacks of the security review (issue #14), each against the
 * real analyzer process over loopback HTTP: first the attack, then that the daemon still serves
 * and says what it refused. Raw sockets where the request target must reach the server verbatim.
 */
import { Agent, request as httpRequest } from 'node:http';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/analyzer/web/auth.js';
import { cli, stopAnalyzer, waitFor, type RunningAnalyzer } from '../helpers/analyzer-process.js';
import { csrfToken, PASSWORD, sendSyslog, sessionCookie, startWebAnalyzer, startWithAlert, startWithUsers, visit, type WebAnalyzer } from './analyzer-web.js';
import { rawRequest, type RawResponse } from './raw-http.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let running: RunningAnalyzer | undefined;
afterEach(async () => {
  if (running) await stopAnalyzer(running);
  running = undefined;
});

/** Started, and stopped after the test. */
async function started(starting: Promise<WebAnalyzer>): Promise<WebAnalyzer> {
  const web = await starting;
  running = web.analyzer;
  return web;
}

function postLogin(port: number, visitor: { cookie: string; csrf: string }, password: string, localAddress?: string): Promise<RawResponse> {
  const body = new URLSearchParams({ csrf: visitor.csrf, user: 'erin', password }).toString();
  return rawRequest(port, { method: 'POST', target: '/login', headers: { ...FORM, cookie: visitor.cookie }, body, ...(localAddress ? { localAddress } : {}) });
}

async function logIn(port: number): Promise<string> {
  const loggedIn = await postLogin(port, await visit(port, '/login'), PASSWORD);
  expect(loggedIn.status).toBe(303);
  return sessionCookie(loggedIn)!;
}

function expectAlive(analyzer: RunningAnalyzer): void {
  expect(analyzer.child.exitCode, analyzer.log()).toBeNull();
  expect(analyzer.child.signalCode).toBeNull();
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('1. requests the server cannot read are answered 400, never fatal', () => {
  it('odd request targets, bad percent-encoding, invalid cookies: 400 each; the daemon keeps serving and logs the refusals', async () => {
    const { analyzer, port, config } = await started(startWithAlert());
    const refused = [
      '//',
      '//x',
      '/%',
      '/%zz',
      '/?severity=%',
      '/alert?id=%E0%A4%A',
      '/?rule=%ff',
      'http://x',
      `http://127.0.0.1:${port}/`,
      '*',
      `/${'a'.repeat(5000)}`,
    ];
    for (const target of refused) expect((await rawRequest(port, { target })).status, target).toBe(400);
    expect((await rawRequest(port, { target: '/', headers: { cookie: 'ew_session=%%%' } })).status).toBe(400);
    expectAlive(analyzer);

    // Names of Object.prototype's members are just names.
    expect((await rawRequest(port, { target: '/?__proto__=1&constructor=x&toString=y' })).status).toBe(200);
    expect((await rawRequest(port, { target: '/alert?id=__proto__' })).status).toBe(404);
    expect((await rawRequest(port, { target: '/', headers: { cookie: '__proto__=1; constructor=2; toString=3' } })).status).toBe(200);

    const visitor = await visit(port, '/');
    const ack = (body: string) => rawRequest(port, { method: 'POST', target: '/ack', headers: { ...FORM, cookie: visitor.cookie }, body });
    expect((await ack(`csrf=${encodeURIComponent(visitor.csrf)}&id=x&comment=%zz&by=me`)).status).toBe(400);
    expect((await ack(`csrf=${encodeURIComponent(visitor.csrf)}&__proto__[x]=1&constructor=y&id=x&comment=c&by=me`)).status).toBe(303);
    expectAlive(analyzer);
    expect((await rawRequest(port, { target: '/' })).status).toBe(200);
    expect(analyzer.log()).toMatch(/level=warn ns=envirowatch\.analyzer\.web msg="web request refused".*status=400/);
    // And counted, for `envirowatch counters` (written every second): the 12 targets and cookie above and the bad form.
    const web = await waitFor(async () => {
      const { counters } = JSON.parse((await cli(['counters', '--json', '--config', config])).stdout) as {
        counters: { web?: { requests: number; refused: Record<string, number> } };
      };
      return (counters.web?.refused['400'] ?? 0) >= refused.length + 2 ? counters.web : undefined;
    }, 'the refusals in the counters');
    expect(web.refused['400']).toBe(refused.length + 2);
    expect(web.requests).toBeGreaterThanOrEqual(refused.length + 8);
  });
});

describe('2. the login throttle holds under concurrency', () => {
  it('200 simultaneous logins from one address: 10 reach the password check, 190 get 429, and then the right password gets 429 too', async () => {
    const { analyzer, port } = await started(startWithUsers());
    const visitor = await visit(port, '/login');
    const attempts = Array.from({ length: 199 }, (_, i) => postLogin(port, visitor, `guess ${i}`));
    attempts.push(postLogin(port, visitor, PASSWORD)); // the right one, last of the batch
    const statuses = (await Promise.all(attempts)).map((response) => response.status);
    expect(count(statuses, 401) + count(statuses, 303)).toBe(10);
    expect(count(statuses, 429)).toBe(190);
    expect((await postLogin(port, visitor, PASSWORD)).status).toBe(429);

    // Another client (another loopback address) still logs in; the refusals were logged.
    const other = await visit(port, '/login');
    expect((await postLogin(port, other, PASSWORD, '127.0.0.2')).status).toBe(303);
    expectAlive(analyzer);
    expect(analyzer.log().match(/msg="failed web login"/g)?.length).toBe(count(statuses, 401));
    expect(analyzer.log()).toMatch(/msg="web request refused".*status=429/);
  }, 60_000);
});

describe('3. DNS rebinding: only the configured Host names are served', () => {
  it("Host rebind.attacker.example gets 421 with no session or token, and cannot acknowledge; the page's own names work", async () => {
    const { analyzer, port } = await started(startWithAlert());
    const attacker = `rebind.attacker.example:${port}`;
    const page = await rawRequest(port, { target: '/', host: attacker });
    expect(page.status).toBe(421);
    expect(page.headers.has('set-cookie')).toBe(false);
    expect(csrfToken(page)).toBeUndefined();

    // Even with a session and token taken from the real page, the attacker's Host is refused.
    const visitor = await visit(port, '/');
    const ack = await rawRequest(port, {
      method: 'POST',
      target: '/ack',
      host: attacker,
      headers: { ...FORM, cookie: visitor.cookie, origin: `http://${attacker}` },
      body: `csrf=${encodeURIComponent(visitor.csrf)}&id=x&comment=c&by=me`,
    });
    expect(ack.status).toBe(421);
    expect((await rawRequest(port, { target: '/', host: null })).status).toBe(400);

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`])
      expect((await rawRequest(port, { target: '/', host })).status, host).toBe(200);
    expectAlive(analyzer);
    expect(analyzer.log()).toMatch(/msg="web request refused".*status=421.*host=rebind\.attacker\.example/);
  });

  it('web.hosts adds names: with and without a port', async () => {
    const { port } = await started(startWebAnalyzer(['web: { port: 0, hosts: [analyzer.example.org, "envirowatch:8443"] }']));
    expect((await rawRequest(port, { target: '/', host: 'analyzer.example.org' })).status).toBe(200);
    expect((await rawRequest(port, { target: '/', host: 'analyzer.example.org:443' })).status).toBe(200);
    expect((await rawRequest(port, { target: '/', host: 'envirowatch:8443' })).status).toBe(200);
    expect((await rawRequest(port, { target: '/', host: 'envirowatch' })).status).toBe(421);
    expect((await rawRequest(port, { target: '/', host: `127.0.0.1:${port}` })).status).toBe(200);
  });

  it("on 0.0.0.0 (users required) the defaults are the bound address and this machine's host name", async () => {
    const { port } = await started(
      startWebAnalyzer([`web: { port: 0, address: 0.0.0.0, users: [{ name: erin, passwordHash: "${await hashPassword(PASSWORD)}" }] }`]),
    );
    expect((await rawRequest(port, { target: '/', host: `${hostname()}:${port}` })).status).toBe(303);
    expect((await rawRequest(port, { target: '/', host: `0.0.0.0:${port}` })).status).toBe(303);
    expect((await rawRequest(port, { target: '/login', host: `rebind.attacker.example:${port}` })).status).toBe(421);
  });
});

describe('4. anonymous requests cannot evict a logged-in session', () => {
  it('10,001 cookieless requests for the stylesheet, the login form and other pages: the logged-in session stays', async () => {
    const { analyzer, port } = await started(startWithUsers());
    const loggedIn = await logIn(port);

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const get = (path: string) =>
      new Promise<{ status: number; setCookie: boolean }>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, setCookie: response.headers['set-cookie'] !== undefined }));
        });
        request.on('error', reject);
        request.end();
      });
    const setCookie = new Map<string, boolean>();
    try {
      const floods = [
        ['/style.css', 200],
        ['/', 303],
        ['/nope', 303],
        ['/login', 200],
      ] as const;
      for (const [path, status] of floods) {
        const answers = [];
        for (let i = 0; i <= 10_000; i += 500) answers.push(...(await Promise.all(Array.from({ length: Math.min(500, 10_001 - i) }, () => get(path)))));
        expect(
          answers.every((answer) => answer.status === status),
          path,
        ).toBe(true);
        setCookie.set(
          path,
          answers.some((answer) => answer.setCookie),
        );
      }
    } finally {
      agent.destroy();
    }
    const home = await rawRequest(port, { target: '/', headers: { cookie: loggedIn } });
    expect(home.status).toBe(200);
    expect(home.body).toContain('<span>erin</span>');
    // Only the login form needs a (visitor) session, for its CSRF token.
    expect([...setCookie].filter(([, set]) => set).map(([path]) => path)).toEqual(['/login']);
    expect((await rawRequest(port, { target: '/login', host: `localhost:${port}` })).status).toBe(200);
    expectAlive(analyzer);
  }, 120_000);
});

describe('5. /rates stays small whatever host_rates holds', () => {
  it('20,000 spoofed host names: the page shows the busiest hosts and says how many more there are', async () => {
    const { analyzer, port, config, tcp } = await started(startWebAnalyzer());
    const lines = Array.from({ length: 20_000 }, (_, i) => `<13>Dec  4 20:00:00 spoofed-${String(i).padStart(5, '0')} app: x\n`);
    lines.push(...Array.from({ length: 5 }, () => '<13>Dec  4 20:00:00 busiest app: x\n'));
    await sendSyslog(tcp, lines);
    await waitFor(
      async () => ((await cli(['counters', '--config', config, '--json'])).stdout.includes('"tcp":20005') ? true : undefined),
      'the messages',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // written at the next one-second flush

    const rates = await rawRequest(port, { target: '/rates' });
    expect(rates.status).toBe(200);
    expect(rates.body.length).toBeLessThan(200_000);
    expect(rates.body).toMatch(/<tr data-host="busiest"><td>busiest<\/td><td class="num">5<\/td>/);
    expect(rates.body).toMatch(/19,951 more hosts not shown/);
    expectAlive(analyzer);
  }, 60_000);
});
