/**
 * Structure-aware fuzzing of the analyzer's web page (issue #14): requests built from a dictionary
 * of odd targets, methods, Host headers, cookies and form bodies (names of Object.prototype's
 * members, bad percent-encoding, NUL, unicode, oversize), sent verbatim over raw sockets to the
 * real analyzer process, with and without users. Property: every request gets an answer below
 * 500, and the daemon serves normally afterwards without having logged a failure.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAnalyzer } from '../helpers/analyzer-process.js';
import { startWithAlert, startWithUsers, visit, type WebAnalyzer } from './analyzer-web.js';
import { rawRequest, type RawRequest } from './raw-http.js';

interface Target extends WebAnalyzer {
  /** A live session's cookie and its CSRF token, so that fuzzed forms also get past the token check. */
  readonly cookie: string;
  readonly csrf: string;
}

const targets: Target[] = [];

async function withSession(starting: Promise<WebAnalyzer>, formPage: string): Promise<Target> {
  const web = await starting;
  return { ...web, ...(await visit(web.port, formPage)) };
}

beforeAll(async () => {
  // On loopback without users, with an alert (the page has the acknowledge form); and with a user (the login form).
  targets.push(await withSession(startWithAlert(), '/'));
  targets.push(await withSession(startWithUsers(), '/login'));
}, 60_000);

afterAll(async () => {
  for (const { analyzer } of targets) await stopAnalyzer(analyzer);
});

const PORT = '{port}';
const CSRF = '{csrf}';
const COOKIE = '{cookie}';

const paths = [
  '/',
  '/login',
  '/logout',
  '/ack',
  '/alert',
  '/history',
  '/rates',
  '/sensors',
  '/rules',
  '/style.css',
  '/__proto__',
  '/constructor',
  '/..%2f',
  '/..%2f..%2fetc%2fpasswd',
  '/%C3%A9',
  '/%00',
  '/#x',
  '/;x',
];
const oddPaths = ['//', '/%', '/%zz', '/%ff', '/%E0%A4%A', '/é', '/\u0000', `/${'a'.repeat(5000)}`, `/${'b'.repeat(20_000)}`];
const whole = [
  'http://evil/',
  `http://127.0.0.1:${PORT}/`,
  '*',
  '',
  'x',
  '?',
  '/?',
  '/?__proto__=1&constructor=x&toString=y',
  '/alert?id=__proto__',
  '/alert?id=toString',
  '/history?before=__proto__',
  '/?severity=toString&rule=constructor&host=__proto__',
  '/?%5F%5Fproto%5F%5F=1',
  '/?a=%',
  '/?=&&==',
  '/?acknowledged=<script>',
  '/?message=select',
];
const names = [
  '__proto__',
  '__proto__[x]',
  'constructor',
  'constructor[prototype][x]',
  'toString',
  'hasOwnProperty',
  'csrf',
  'id',
  'scope',
  'shown',
  'comment',
  'by',
  'user',
  'password',
  'baseline',
  'severity',
  'rule',
  'host',
  'before',
  '+',
  '',
];
const oddNames = ['%zz', '%', '%ff', '\u0000'];
const values = ['1', '', 'x', '%C3%A9', '%00', 'shown', 'erin', 'wrong+password', '__proto__', 'constructor', CSRF, CSRF];
const oddValues = ['%zz', '%', '%ff', '%E9', '%ED%A0%80', 'é', '\u0000'];

/** Mostly the usual values, so that requests get far enough to reach the routes; one in ten odd. */
function mostly<T>(usual: readonly T[], odd: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
}

const pair = fc.tuple(mostly(names, oddNames), mostly(values, oddValues)).map(([name, value]) => `${name}=${value}`);
const urlEncoded = fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&'));
const target = fc.oneof(
  { weight: 3, arbitrary: mostly(paths, [...oddPaths, ...whole]) },
  { weight: 3, arbitrary: fc.tuple(mostly(paths, oddPaths), urlEncoded).map(([path, query]) => `${path}?${query}`) },
  // Any text but CR and LF, which would end the request line (and make this a different request).
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((text) => `/${text.replace(/[\r\n]/g, '')}`) },
);
const method = mostly(['GET', 'POST', 'HEAD'], ['PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT', 'get', 'X']);
const host = mostly<string | null>(
  [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`],
  ['evil.example', `evil.example:${PORT}`, '', null, 'a b', '__proto__', '127.0.0.1:99999', '[::1', 'x'.repeat(300)],
);
const cookie = fc.option(
  mostly(
    [COOKIE, `${COOKIE}; __proto__=1`, '__proto__=1; constructor=x; toString=y', `ew_session=${'A'.repeat(43)}`, ';;;', '='],
    ['ew_session=%%%', 'ew_session=', 'ew_session=a; ew_session=b', `${'c'.repeat(5000)}=1`],
  ),
  { nil: undefined },
);
const contentType = fc.option(
  fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'text/plain', 'multipart/form-data'),
  { nil: undefined },
);
const origin = fc.option(fc.constantFrom(`http://127.0.0.1:${PORT}`, 'http://evil.example', 'null'), { nil: undefined });
const body = fc.oneof(
  { weight: 4, arbitrary: urlEncoded },
  { weight: 1, arbitrary: fc.constant(`comment=${'x'.repeat(70_000)}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

const request = fc.record({ server: fc.nat({ max: 1 }), method, target, host, cookie, contentType, origin, body });
type Fuzzed = typeof request extends fc.Arbitrary<infer T> ? T : never;

function concrete(fuzzed: Fuzzed, server: Target): RawRequest {
  const fill = (text: string) => text.replaceAll(PORT, String(server.port)).replaceAll(CSRF, encodeURIComponent(server.csrf)).replaceAll(COOKIE, server.cookie);
  const headers: Record<string, string> = {};
  if (fuzzed.cookie !== undefined) headers['cookie'] = fill(fuzzed.cookie);
  if (fuzzed.contentType !== undefined) headers['content-type'] = fuzzed.contentType;
  if (fuzzed.origin !== undefined) headers['origin'] = fill(fuzzed.origin);
  return {
    method: fuzzed.method,
    target: fill(fuzzed.target),
    host: fuzzed.host === null ? null : fill(fuzzed.host),
    headers,
    body: fuzzed.method === 'GET' ? '' : fill(fuzzed.body),
  };
}

describe('fuzzed requests to the web page', () => {
  it('every request gets an answer below 500; the daemon keeps serving and logged no failure', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (fuzzed) => {
        const server = targets[fuzzed.server]!;
        const { status } = await rawRequest(server.port, concrete(fuzzed, server));
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 1000, seed: Number(process.env['FUZZ_SEED'] ?? 1414) },
    );
    for (const { analyzer, port, cookie: session } of targets) {
      expect(analyzer.child.exitCode, analyzer.log()).toBeNull();
      expect((await rawRequest(port, { target: '/', headers: { cookie: session } })).status).toBeLessThan(400);
      expect(analyzer.log()).not.toMatch(/web request failed|web response failed/);
    }
  }, 60_000);
});
