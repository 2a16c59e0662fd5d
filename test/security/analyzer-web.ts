/** The real analyzer process set up for the web page's security tests: started, with users or an open alert, and its page's session and token. */
import { connect } from 'node:net';
import { hashPassword } from '../../src/analyzer/web/auth.js';
import { analyzerSetup, cli, startAnalyzer, waitFor, type RunningAnalyzer } from '../helpers/analyzer-process.js';
import { rawRequest, type RawResponse } from './raw-http.js';

export const PASSWORD = 'correct horse battery';

export interface WebAnalyzer {
  readonly analyzer: RunningAnalyzer;
  readonly config: string;
  /** The web page's port. */
  readonly port: number;
  /** The syslog TCP port. */
  readonly tcp: number;
}

export async function startWebAnalyzer(extraLines: string[] = [], ruleLines: string[] = []): Promise<WebAnalyzer> {
  const { config, tcp } = await analyzerSetup(ruleLines, extraLines);
  const analyzer = await startAnalyzer(config);
  return { analyzer, config, port: Number(new URL(analyzer.webUrl!).port), tcp };
}

/** With user erin (PASSWORD) on loopback: a login is required. */
export async function startWithUsers(): Promise<WebAnalyzer> {
  return startWebAnalyzer([`web: { port: 0, users: [{ name: erin, passwordHash: "${await hashPassword(PASSWORD)}" }] }`]);
}

export async function sendSyslog(tcp: number, lines: string[]): Promise<void> {
  const socket = connect({ port: tcp, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  await new Promise<void>((resolve) => socket.end(lines.join(''), resolve));
}

/** On loopback without users, with one open alert: the open alerts page then has the acknowledge form and its CSRF token. */
export async function startWithAlert(): Promise<WebAnalyzer> {
  const started = await startWebAnalyzer([], ['  - { id: any-app, kind: event, match: { app: ^app$ } }']);
  await sendSyslog(started.tcp, ['<13>Dec  4 20:00:00 fw1 app: something\n']);
  await waitFor(async () => ((await cli(['alerts', 'list', '--config', started.config])).stdout ? true : undefined), 'the alert');
  return started;
}

export const sessionCookie = (response: RawResponse) => /ew_session=[^;]*/.exec(response.headers.get('set-cookie') ?? '')?.[0];
export const csrfToken = (response: RawResponse) => /name="csrf" value="([^"]+)"/.exec(response.body)?.[1];

/** A visitor's cookie and CSRF token from the page at `target` (the login form, or the open alerts without users); throws without them. */
export async function visit(port: number, target: string): Promise<{ cookie: string; csrf: string }> {
  const page = await rawRequest(port, { target });
  const [cookie, csrf] = [sessionCookie(page), csrfToken(page)];
  if (page.status !== 200 || !cookie || !csrf) throw new Error(`${target} answered ${page.status} without a session and token`);
  return { cookie, csrf };
}
