/**
 * The analyzer's web page over node:http (or https with web.tls): routes, login, CSRF checks and
 * the data each page shows. Pages are server-rendered (pages.ts) and need no script, so the
 * Content-Security-Policy forbids all scripts. Every POST carries the session's CSRF token and,
 * when the browser sends one, an Origin equal to the page's own.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { SEVERITIES, type Severity } from '../../common/syslog/format.js';
import type { RuleEngine } from '../rules/engine.js';
import type { Rule } from '../rules/schema.js';
import type { AlertStore } from '../store/alerts.js';
import type { Db } from '../store/database.js';
import { hostRates, latestReadings, readingSeries } from '../store/sensor-data.js';
import { LoginThrottle, Sessions, verifyPassword, type Session } from './auth.js';
import type { WebConfig } from './config.js';
import { html, type Html } from './html.js';
import { alertPage, historyPage, layout, loginPage, openAlertsPage, ratesPage, rulesPage, sensorsPage, type PageContext } from './pages.js';
import { STYLESHEET } from './style.js';

export interface WebSources {
  readonly alerts: AlertStore;
  readonly db: Db;
  readonly engine: RuleEngine;
  readonly rules: readonly Rule[];
  readonly now: () => number;
}

const COOKIE = 'ew_session';
const MAX_FORM_BYTES = 64 * 1024;
const HOUR_MS = 3_600_000;
const PAGE_SIZE = 100;
const CHARTED = ['temperature', 'humidity'] as const;
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'forms only');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export class WebServer {
  private server: Server | undefined;
  private readonly sessions: Sessions;
  private readonly throttle: LoginThrottle;
  private readonly secure: boolean;

  constructor(
    private readonly config: WebConfig,
    private readonly sources: WebSources,
    private readonly logger: Logger,
  ) {
    this.sessions = new Sessions(config.sessionTimeout, sources.now);
    this.throttle = new LoginThrottle(10, 15 * 60_000, sources.now);
    this.secure = config.tls !== null;
  }

  /** Where it listens, e.g. http://127.0.0.1:8514/ (once started). */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the web server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${this.secure ? 'https' : 'http'}://${host}:${address.port}/`;
  }

  async start(): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response);
    const { tls } = this.config;
    const server = tls ? createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error('web server error', { error }));
    this.server = server;
    this.logger.info('web page', { url: this.url, login: this.config.users.length > 0 ? 'required' : 'none (loopback only)' });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://page');
    const session = this.sessions.resume(cookie(request, COOKIE));
    const send = (status: number, body: string | Html, headers: Record<string, string> = {}) => {
      response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'set-cookie': this.sessionCookie(session), ...headers });
      response.end(String(body));
    };
    try {
      if (request.method === 'GET' && url.pathname === '/style.css') return send(200, STYLESHEET, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' });
      if (request.method === 'POST') this.checkOrigin(request);
      if (url.pathname === '/login') return await this.login(request, session, response, send);
      if (this.config.users.length > 0 && session.user === null) {
        if (request.method === 'GET') return send(303, '', { location: '/login' });
        throw new HttpError(403, 'log in first');
      }
      if (request.method === 'POST') return await this.post(url.pathname, await readForm(request), session, response, send);
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'GET or POST');
      const page = this.page(url, session);
      if (!page) throw new HttpError(404, `no page ${url.pathname}`);
      return send(200, page);
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, html`<!doctype html><title>${error.status}</title><p>${error.message}</p><p><a href="/">Back to the alerts</a></p>`);
      this.logger.error('web request failed', { path: url.pathname, error });
      return send(500, html`<!doctype html><title>500</title><p>Internal error; see the analyzer's log.</p>`);
    }
  }

  private sessionCookie(session: Session): string {
    return `${COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
  }

  /** A cross-site form post fails here even before the token check (browsers send Origin on POST). */
  private checkOrigin(request: IncomingMessage): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const expected = `${this.secure ? 'https' : 'http'}://${request.headers.host ?? ''}`;
    if (origin !== expected) throw new HttpError(403, 'cross-site request refused');
  }

  private checkCsrf(form: URLSearchParams, session: Session): void {
    if (form.get('csrf') !== session.csrf) throw new HttpError(403, 'the form has expired or did not come from this page; reload and try again');
  }

  private async login(request: IncomingMessage, session: Session, response: ServerResponse, send: (status: number, body: Html, headers?: Record<string, string>) => void): Promise<void> {
    if (this.config.users.length === 0) return send(303, html``, { location: '/' });
    if (request.method !== 'POST') return send(200, loginPage(undefined, session.csrf));
    const form = await readForm(request);
    this.checkCsrf(form, session);
    const address = request.socket.remoteAddress ?? '';
    if (this.throttle.blocked(address)) return send(429, loginPage('Too many failed logins from this address; try again in 15 minutes.', session.csrf));
    const name = form.get('user') ?? '';
    const user = this.config.users.find((candidate) => candidate.name === name);
    // A missing user still costs one scrypt, so timing does not tell which names exist.
    const valid = await verifyPassword(form.get('password') ?? '', user?.passwordHash ?? this.config.users[0]!.passwordHash);
    if (!user || !valid) {
      this.throttle.failed(address);
      this.logger.warn('failed web login', { user: name, from: address });
      return send(401, loginPage('Wrong user or password.', session.csrf));
    }
    this.throttle.succeeded(address);
    const loggedIn = this.sessions.login(session, user.name);
    this.logger.info('web login', { user: user.name, from: address });
    response.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': this.sessionCookie(loggedIn) });
    response.end();
  }

  private async post(path: string, form: URLSearchParams, session: Session, response: ServerResponse, send: (status: number, body: Html, headers?: Record<string, string>) => void): Promise<void> {
    this.checkCsrf(form, session);
    if (path === '/logout') {
      this.sessions.logout(session);
      response.writeHead(303, { ...SECURITY_HEADERS, location: '/login', 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0` });
      response.end();
      return;
    }
    if (path !== '/ack') throw new HttpError(404, `no form ${path}`);
    const ids = form.get('scope') === 'shown' ? form.getAll('shown') : form.getAll('id');
    const comment = (form.get('comment') ?? '').trim();
    const by = session.user ?? (form.get('by') ?? '').trim();
    if (ids.length === 0) return send(303, html``, { location: '/?message=select' });
    if (!comment || !by) throw new HttpError(400, 'a comment and who acknowledges are required');
    const at = this.sources.now();
    const baseline = form.get('baseline') === '1';
    const acknowledged = ids.filter((id) => this.sources.alerts.acknowledge(id, { by, at, comment, baseline })).length;
    this.logger.info('alerts acknowledged on the web page', { by, count: acknowledged, baseline });
    send(303, html``, { location: `/?acknowledged=${acknowledged}` });
  }

  private context(session: Session): PageContext {
    return { user: session.user, csrf: session.csrf, openCount: this.sources.alerts.count({ open: true }), now: this.sources.now() };
  }

  private page(url: URL, session: Session): Html | undefined {
    const context = this.context(session);
    const { alerts } = this.sources;
    const query = (name: string) => url.searchParams.get(name) || undefined;
    switch (url.pathname) {
      case '/': {
        const severity = query('severity');
        const filters = { rule: query('rule'), host: query('host'), severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : undefined };
        const shown = alerts.list({ open: true, ruleId: filters.rule, host: filters.host, minSeverity: filters.severity, limit: 500 });
        const acknowledged = query('acknowledged');
        const message = acknowledged !== undefined ? { kind: 'notice' as const, text: `Acknowledged ${acknowledged} alert${acknowledged === '1' ? '' : 's'}.` } : query('message') === 'select' ? { kind: 'error' as const, text: 'Select at least one alert to acknowledge.' } : undefined;
        return layout(context, '/', 'Open alerts', openAlertsPage(shown, alerts.facets(), filters, context), message);
      }
      case '/history': {
        const before = Number(query('before'));
        const shown = alerts.list({ before: Number.isFinite(before) && before > 0 ? before : undefined, limit: PAGE_SIZE });
        return layout(context, '/history', 'Alert history', historyPage(shown, shown.length === PAGE_SIZE ? shown.at(-1)!.time : undefined));
      }
      case '/alert': {
        const alert = alerts.get(query('id') ?? '');
        return alert && layout(context, '', `Alert ${alert.id}`, alertPage(alert));
      }
      case '/rates':
        return layout(context, '/rates', 'Event rates', this.ratesView(context.now));
      case '/sensors':
        return layout(context, '/sensors', 'Sensors', this.sensorsView(context.now));
      case '/rules': {
        const counters = this.sources.engine.ruleCounters();
        return layout(context, '/rules', 'Rules', rulesPage(this.sources.rules.map((rule) => ({ id: rule.id, kind: rule.kind, description: rule.description, counters: counters[rule.id]?.counters ?? {} }))));
      }
      default:
        return undefined;
    }
  }

  private ratesView(now: number): Html {
    const window = { from: now - HOUR_MS, to: now };
    // Minutes without events are zeros on the chart, not gaps.
    const firstMinute = Math.ceil(window.from / 60_000) * 60_000;
    const rates = [...hostRates(this.sources.db, window.from)].map(([host, counted]) => {
      const byMinute = new Map(counted.map(({ minute, count }) => [minute, count]));
      const perMinute = [];
      for (let minute = firstMinute; minute <= now; minute += 60_000) perMinute.push({ minute, count: byMinute.get(minute) ?? 0 });
      return { host, perMinute };
    });
    const eps = this.sources.engine.eps.flatMap((monitor) =>
      monitor.snapshot().map(({ key, state, count }) => {
        const limits = monitor.rule.overrides[key] ?? { below: monitor.rule.below, above: monitor.rule.above };
        const threshold = [limits.below !== undefined ? `below ${limits.below}` : '', limits.above !== undefined ? `above ${limits.above}` : ''].filter(Boolean).join(', ');
        return { ruleId: monitor.rule.id, key, state, count, threshold };
      }),
    );
    return ratesPage(rates, eps, window);
  }

  private sensorsView(now: number): Html {
    const window = { from: now - 24 * HOUR_MS, to: now };
    const sensors = latestReadings(this.sources.db).map(({ host, readings }) => ({
      host,
      latest: readings,
      series: CHARTED.filter((quantity) => readings.some((r) => r.quantity === quantity)).map((quantity) => ({
        quantity,
        unit: readings.find((r) => r.quantity === quantity)!.unit,
        points: readingSeries(this.sources.db, host, quantity, window.from),
      })),
    }));
    return sensorsPage(sensors, window);
  }
}
