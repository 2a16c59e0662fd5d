/**
 * The analyzer's web page over node:http (or https with web.tls): routes, login, CSRF checks and
 * the data each page shows. Pages are server-rendered (pages.ts) and need no script, so the
 * Content-Security-Policy forbids all scripts. Every POST carries the session's CSRF token and,
 * when the browser sends one, an Origin equal to the page's own.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';
import { emptyRecord } from '../../common/records.js';
import { SEVERITIES, type Severity } from '../../common/syslog/format.js';
import type { RuleEngine } from '../rules/engine.js';
import type { Rule } from '../rules/schema.js';
import type { AlertCursor, AlertFilter, AlertStore, StoredAlert } from '../store/alerts.js';
import type { Db } from '../store/database.js';
import {
  busiestHosts,
  countRateHosts,
  countSensors,
  newestSensorVersion,
  readingSeries,
  sensorsPage as readSensorsPage,
  sensorVersions,
} from '../store/sensor-data.js';
import { LoginThrottle, SESSION_ID_PATTERN, Sessions, verifyPassword, type Session } from './auth.js';
import { allowedHostNames, type WebConfig } from './config.js';
import { firstInOrder } from './first-in-order.js';
import { html, type Html } from './html.js';
import {
  alertPage,
  alertsSpan,
  FACET_CHOICES,
  OPEN_COUNT_MAX,
  historyPage,
  layout,
  loginPage,
  openAlertsPage,
  ratesPage,
  rulesPage,
  sensorsPage,
  type PageContext,
  type Paging,
} from './pages.js';
import { HostAllowList, HttpError, parseCookies, parseHost, parseTarget, parseUrlEncoded } from './request.js';
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
/** Alerts on a page of the open list or the history. */
const PAGE_SIZE = 100;
/** Sensors on a page: each has two charts of up to a day of readings. */
const SENSORS_PAGE_SIZE = 20;
const CHARTED = ['temperature', 'humidity'] as const;
/** Login attempts per address per window (see LoginThrottle). */
const LOGIN_ATTEMPTS = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;
/** The rates page shows this many of the busiest hosts and EPS keys: spoofed host names must not make it unbounded. */
const RATES_HOSTS_SHOWN = 50;
const RATES_KEYS_SHOWN = 200;
/** Node's answer to a request it could not parse, by error code; anything else is a 400. */
const UNPARSED_STATUS = new Map([
  ['HPE_HEADER_OVERFLOW', 431],
  ['ERR_HTTP_REQUEST_TIMEOUT', 408],
]);
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

type Reply = (status: number, body: string | Html, headers?: Record<string, string>) => void;

/** The session id the cookie claims; a value that is not one of ours is refused. */
function sessionId(cookieHeader: string | undefined): string | undefined {
  const id = parseCookies(cookieHeader).get(COOKIE);
  if (id !== undefined && !SESSION_ID_PATTERN.test(id)) throw new HttpError(400, 'unreadable request: invalid session cookie');
  return id;
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new HttpError(413, 'form too large');
      chunks.push(chunk);
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    // A client that went away mid-body, or bytes that are not UTF-8: the client's doing, not a failure here.
    throw error instanceof HttpError ? error : new HttpError(400, 'unreadable request: the body did not arrive whole, or is not UTF-8');
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'forms only');
  return parseUrlEncoded(await readBody(request, MAX_FORM_BYTES), 'form');
}

const errorPage = (error: HttpError) => html`<!doctype html><title>${error.status}</title><p>${error.message}</p><p><a href="/">Back to the alerts</a></p>`;

/**
 * A request's session: the one its cookie names, else one made on first need (a page with a
 * form needs its CSRF token), so that anonymous requests cost no session.
 */
class RequestSession {
  private madeHere = false;

  constructor(
    private readonly sessions: Sessions,
    private session: Session | undefined,
  ) {}

  get existing(): Session | undefined {
    return this.session;
  }

  get user(): string | null {
    return this.session?.user ?? null;
  }

  need(): Session {
    if (!this.session) {
      this.session = this.sessions.visit();
      this.madeHere = true;
    }
    return this.session;
  }

  /** The session made for this request: its cookie goes with the answer. */
  get made(): Session | undefined {
    return this.madeHere ? this.session : undefined;
  }
}

/** A key's thresholds as text: its override (an own entry only; keys come from messages), else the rule's. */
export class WebServer {
  private server: Server | undefined;
  private readonly sessions: Sessions;
  private readonly throttle: LoginThrottle;
  private readonly secure: boolean;
  /** Refuses every Host until the server listens (the defaults need the port). */
  private hosts = new HostAllowList([]);
  /** Refusals are the client's doing and can come in floods: one line per kind per 10 s, with a count. */
  private readonly refusals: RateLimitedLog;
  /** What `envirowatch counters` shows: every request, and every refusal by status (a flood is visible there, not only in the log). */
  readonly counters: { requests: number; readonly refused: Record<string, number> } = { requests: 0, refused: emptyRecord<number>() };
  /** Sockets answered by refuseOnSocket and not closed yet. */
  private readonly refusedSockets = new Set<Duplex>();

  constructor(
    private readonly config: WebConfig,
    private readonly sources: WebSources,
    private readonly logger: Logger,
  ) {
    this.sessions = new Sessions(config.sessionTimeout, sources.now);
    this.throttle = new LoginThrottle(LOGIN_ATTEMPTS, LOGIN_WINDOW_MS, sources.now);
    this.secure = config.tls !== null;
    // The wall clock that paces log lines, not the daemon's (which tests may hold still).
    this.refusals = new RateLimitedLog(logger, systemClock);
  }

  /** Where it listens, e.g. http://127.0.0.1:8514/ (once started). */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the web server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${this.secure ? 'https' : 'http'}://${host}:${address.port}/`;
  }

  async start(): Promise<void> {
    // Nothing a request does may end in an unhandled rejection: that would end the daemon.
    const handler = (request: IncomingMessage, response: ServerResponse) =>
      void this.handle(request, response).catch((error: unknown) => this.failed(error, request, response));
    const { tls } = this.config;
    const server = tls ? createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler) : createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.address, () => {
        server.off('error', reject);
        this.hosts = new HostAllowList(allowedHostNames(this.config, (server.address() as AddressInfo).port));
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error('web server error', { error }));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
      error.code === 'ECONNRESET' ? socket.destroy() : this.refuseOnSocket(socket, UNPARSED_STATUS.get(error.code ?? '') ?? 400, error.code ?? error.message),
    );
    // Without a listener node would just drop the connection; the page proxies nothing.
    server.on('connect', (_request: IncomingMessage, socket: Duplex) => this.refuseOnSocket(socket, 405, 'CONNECT'));
    this.server = server;
    this.logger.info('web page', {
      url: this.url,
      login: this.config.users.length > 0 ? 'required' : 'none (loopback only)',
      hosts: this.hosts.names.join(','),
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    for (const socket of this.refusedSockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Reads the request strictly (target, Host, cookie), then routes it; an HttpError is the answer, anything else goes to failed(). */
  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Read now: node drops request.socket when the request is destroyed (a body cut short or too large).
    const from = request.socket.remoteAddress ?? '';
    this.counters.requests++;
    response.on('error', (error) => this.refusals.warn('response', 'web response failed', () => ({ error, from })));
    let session: RequestSession | undefined;
    const reply: Reply = (status, body, headers = {}) => {
      const made = session?.made;
      response.writeHead(status, {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        ...(made ? { 'set-cookie': this.sessionCookie(made) } : {}),
        ...headers,
      });
      response.end(String(body));
    };
    try {
      const { path, query } = parseTarget(request.url);
      // Before any session or token is handed out: a rebound name gets nothing.
      if (!this.hosts.allows(parseHost(request.headers.host))) throw new HttpError(421, 'this page is not served under that host name');
      session = new RequestSession(this.sessions, this.sessions.find(sessionId(request.headers.cookie)));
      await this.route(request, from, path, query, session, reply);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.refused(request, from, error);
      reply(error.status, errorPage(error));
    }
  }

  private async route(request: IncomingMessage, from: string, path: string, query: URLSearchParams, session: RequestSession, reply: Reply): Promise<void> {
    const { method } = request;
    if (method === 'GET' && path === '/style.css')
      return reply(200, STYLESHEET, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' });
    if (method === 'POST') this.checkOrigin(request);
    if (path === '/login') return this.login(request, from, session, reply);
    if (this.config.users.length > 0 && session.user === null) {
      if (method === 'GET') return reply(303, '', { location: '/login' });
      throw new HttpError(403, 'log in first');
    }
    if (method === 'POST') return this.post(path, await readForm(request), session, reply);
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'GET or POST');
    const page = this.page(path, query, session);
    if (!page) throw new HttpError(404, `no page ${path}`);
    reply(200, page);
  }

  private countRefusal(status: number): void {
    this.counters.refused[status] = (this.counters.refused[status] ?? 0) + 1;
  }

  /** Every refusal is logged, at most one line per status per 10 s (that line counts the rest). */
  private refused(request: IncomingMessage, from: string, error: HttpError): void {
    this.countRefusal(error.status);
    this.refusals.warn(String(error.status), 'web request refused', () => ({
      status: error.status,
      reason: error.message,
      method: request.method,
      target: request.url?.slice(0, 200),
      host: request.headers.host?.slice(0, 200),
      from,
    }));
  }

  /** Answers on the bare socket a request that never became a request and response (unparsable, CONNECT); logged like the others. */
  private refuseOnSocket(socket: Duplex, status: number, reason: string): void {
    this.countRefusal(status);
    this.refusals.warn(`socket ${status}`, 'web request refused', () => ({ status, reason }));
    // A CONNECT socket has no error listener of node's any more; a reset must not become an uncaught error.
    socket.on('error', (error) => this.refusals.warn('socket error', 'web connection failed', () => ({ error })));
    if (!socket.writable) return void socket.destroy();
    // Past node's connection tracking: kept here so that stop() can close it, and read (dropping
    // what the client still sends) so that the client's end is seen and it closes.
    this.refusedSockets.add(socket);
    socket.once('close', () => this.refusedSockets.delete(socket));
    socket.resume();
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** Anything but an HttpError (a bug, a database error): logged, and a 500 if the answer has not begun, else the connection is cut. */
  private failed(error: unknown, request: IncomingMessage, response: ServerResponse): void {
    this.logger.error('web request failed', { target: request.url?.slice(0, 200), error });
    try {
      if (response.headersSent) return void response.destroy();
      response.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
      response.end(String(html`<!doctype html><title>500</title><p>Internal error; see the analyzer's log.</p>`));
    } catch (writeError) {
      this.logger.error('web response failed', { error: writeError });
      response.destroy();
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

  /** The request's session, when the form carries its token. */
  private checkCsrf(form: URLSearchParams, session: RequestSession): Session {
    const existing = session.existing;
    if (!existing || form.get('csrf') !== existing.csrf) throw new HttpError(403, 'the form has expired or did not come from this page; reload and try again');
    return existing;
  }

  private async login(request: IncomingMessage, from: string, session: RequestSession, reply: Reply): Promise<void> {
    if (this.config.users.length === 0) return reply(303, '', { location: '/' });
    if (request.method !== 'POST') return reply(200, loginPage(undefined, session.need().csrf));
    const form = await readForm(request);
    const visitor = this.checkCsrf(form, session);
    // The slot is taken before the slow check, so that concurrent attempts cannot all pass it.
    if (!this.throttle.tryAttempt(from)) {
      this.refused(request, from, new HttpError(429, 'too many login attempts from this address'));
      return reply(429, loginPage('Too many login attempts from this address; try again in 15 minutes.', visitor.csrf));
    }
    const name = form.get('user') ?? '';
    const user = this.config.users.find((candidate) => candidate.name === name);
    // A missing user still costs one scrypt, so timing does not tell which names exist.
    const valid = await verifyPassword(form.get('password') ?? '', user?.passwordHash ?? this.config.users[0]!.passwordHash);
    if (!user || !valid) {
      this.logger.warn('failed web login', { user: name.slice(0, 64), from });
      return reply(401, loginPage('Wrong user or password.', visitor.csrf));
    }
    this.throttle.succeeded(from);
    const loggedIn = this.sessions.login(visitor, user.name);
    this.logger.info('web login', { user: user.name, from });
    reply(303, '', { location: '/', 'set-cookie': this.sessionCookie(loggedIn) });
  }

  private post(path: string, form: URLSearchParams, session: RequestSession, reply: Reply): void {
    const current = this.checkCsrf(form, session);
    if (path === '/logout') {
      this.sessions.logout(current);
      return reply(303, '', { location: '/login', 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0` });
    }
    if (path !== '/ack') throw new HttpError(404, `no form ${path}`);
    const ids = form.get('scope') === 'shown' ? form.getAll('shown') : form.getAll('id');
    const comment = (form.get('comment') ?? '').trim();
    const by = current.user ?? (form.get('by') ?? '').trim();
    if (ids.length === 0) return reply(303, '', { location: '/?message=select' });
    if (!comment || !by) throw new HttpError(400, 'a comment and who acknowledges are required');
    const at = this.sources.now();
    const baseline = form.get('baseline') === '1';
    const acknowledged = ids.filter((id) => this.sources.alerts.acknowledge(id, { by, at, comment, baseline })).length;
    this.logger.info('alerts acknowledged on the web page', { by, count: acknowledged, baseline });
    reply(303, '', { location: `/?acknowledged=${acknowledged}` });
  }

  private context(session: RequestSession): PageContext {
    return {
      user: session.user,
      // Asked for only by a page that renders a form: a page view without one makes no session.
      get csrf() {
        return session.need().csrf;
      },
      openCount: this.sources.alerts.count({ open: true }, OPEN_COUNT_MAX),
      now: this.sources.now(),
    };
  }

  private page(path: string, params: URLSearchParams, session: RequestSession): Html | undefined {
    const context = this.context(session);
    const { alerts } = this.sources;
    const query = (name: string) => params.get(name) || undefined;
    switch (path) {
      case '/': {
        const severity = query('severity');
        const filters = { rule: query('rule'), host: query('host'), severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : undefined };
        const { shown, paging } = this.alertPaging(
          '/',
          { open: true, ruleId: filters.rule, host: filters.host, minSeverity: filters.severity },
          filters,
          query,
          'open',
        );
        const acknowledged = query('acknowledged');
        const message =
          acknowledged !== undefined
            ? { kind: 'notice' as const, text: `Acknowledged ${acknowledged} alert${acknowledged === '1' ? '' : 's'}.` }
            : query('message') === 'select'
              ? { kind: 'error' as const, text: 'Select at least one alert to acknowledge.' }
              : undefined;
        return layout(context, '/', 'Open problems and alerts', openAlertsPage(shown, alerts.facets(FACET_CHOICES), filters, paging, context), message);
      }
      case '/history': {
        const { shown, paging } = this.alertPaging('/history', {}, {}, query, 'alerts and problems');
        return layout(context, '/history', 'History', historyPage(shown, paging, context.now));
      }
      case '/alert': {
        const alert = alerts.get(query('id') ?? '');
        return alert && layout(context, '', `Alert ${alert.id}`, alertPage(alert, context.now));
      }
      case '/rates':
        return layout(context, '/rates', 'Event rates', this.ratesView(context.now));
      case '/sensors':
        return layout(context, '/sensors', 'Sensors', this.sensorsView(context.now, query));
      case '/rules': {
        const counters = this.sources.engine.ruleCounters();
        return layout(
          context,
          '/rules',
          'Rules',
          rulesPage(
            this.sources.rules.map((rule) => ({ id: rule.id, kind: rule.kind, description: rule.description, counters: counters[rule.id]?.counters ?? {} })),
          ),
        );
      }
      default:
        return undefined;
    }
  }

  /** A page of the alerts `filter` selects, from the request's `before` or `after`, and the links to the others (keeping `keep`, the page's filters). */
  private alertPaging(
    path: string,
    filter: AlertFilter,
    keep: Record<string, string | undefined>,
    query: (name: string) => string | undefined,
    what: string,
  ): { shown: StoredAlert[]; paging: Paging } {
    const page = this.sources.alerts.page(filter, { before: alertCursor(query('before')), after: alertCursor(query('after')) }, PAGE_SIZE);
    const [first, last] = [page.alerts[0], page.alerts.at(-1)];
    const href = pageLink(path, keep);
    return {
      shown: page.alerts,
      paging: {
        where: `${this.sources.alerts.count(filter).toLocaleString('en-US')} ${what}, newest first${alertsSpan(page.alerts)}`,
        start: page.newer ? href({}) : undefined,
        previous: page.newer && first ? href({ after: cursorText(first) }) : undefined,
        next: page.older && last ? href({ before: cursorText(last) }) : undefined,
      },
    };
  }

  private ratesView(now: number): Html {
    const window = { from: now - HOUR_MS, to: now };
    // Minutes without events are zeros on the chart, not gaps.
    const firstMinute = Math.ceil(window.from / 60_000) * 60_000;
    const busiest = busiestHosts(this.sources.db, window.from, RATES_HOSTS_SHOWN);
    const rates = busiest.map(({ host, perMinute: counted }) => {
      const byMinute = new Map(counted.map(({ minute, count }) => [minute, count]));
      const perMinute = [];
      for (let minute = firstMinute; minute <= now; minute += 60_000) perMinute.push({ minute, count: byMinute.get(minute) ?? 0 });
      return { host, perMinute };
    });
    const keys = this.sources.engine.keyStates();
    // Keys out of range first, then the busiest.
    const eps = firstInOrder(keys, RATES_KEYS_SHOWN, (a, b) => Number(a.state === 'ok') - Number(b.state === 'ok') || b.count - a.count);
    return ratesPage(rates, eps, window, { hosts: countRateHosts(this.sources.db, window.from) - busiest.length, keys: keys.length - eps.length });
  }

  private sensorsView(now: number, query: (name: string) => string | undefined): Html {
    const window = { from: now - 24 * HOUR_MS, to: now };
    const page = readSensorsPage(this.sources.db, { after: query('after'), before: query('before') }, SENSORS_PAGE_SIZE);
    const versions = sensorVersions(
      this.sources.db,
      page.sensors.map(({ host }) => host),
    );
    const sensors = page.sensors.map(({ host, readings }) => ({
      host,
      version: versions.get(host),
      latest: readings,
      series: CHARTED.filter((quantity) => readings.some((r) => r.quantity === quantity)).map((quantity) => ({
        quantity,
        unit: readings.find((r) => r.quantity === quantity)!.unit,
        points: readingSeries(this.sources.db, host, quantity, window.from),
      })),
    }));
    const href = pageLink('/sensors', {});
    const [first, last] = [page.sensors[0]?.host, page.sensors.at(-1)?.host];
    const paging = {
      where: `${countSensors(this.sources.db).toLocaleString('en-US')} sensors by name${first === undefined ? '' : `; this page ${first} to ${last}`}`,
      start: page.earlier ? href({}) : undefined,
      previous: page.earlier && first !== undefined ? href({ before: first }) : undefined,
      next: page.later && last !== undefined ? href({ after: last }) : undefined,
    };
    return sensorsPage(sensors, window, paging, newestSensorVersion(this.sources.db));
  }
}

/** A link to `path` with the page's filters `keep` (those set) and a position. */
function pageLink(path: string, keep: Record<string, string | undefined>): (position: Record<string, string>) => string {
  return (position) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...keep, ...position })) if (value !== undefined) params.set(name, value);
    const text = params.toString();
    return text ? `${path}?${text}` : path;
  };
}

/** An alert's place in a list as a link gives it: `<time>_<id>`. */
const cursorText = (alert: StoredAlert) => `${alert.time}_${alert.id}`;

function alertCursor(text: string | undefined): AlertCursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,15})_(.+)$/s.exec(text);
  if (!match) throw new HttpError(400, 'unreadable page position');
  return { time: Number(match[1]), id: match[2]! };
}
