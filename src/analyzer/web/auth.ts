/**
 * Logins for the web page: scrypt password hashes (node:crypto; no library needed), sessions in
 * memory (a restart asks for the login again, nothing else is lost), a CSRF token per session,
 * and a limit on login attempts per address.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
export const PASSWORD_HASH_PATTERN = /^scrypt:\d+:\d+:\d+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt:N:r:p:salt:key`, base64 salt and key. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return `scrypt:${SCRYPT.N}:${SCRYPT.r}:${SCRYPT.p}:${salt.toString('base64')}:${key.toString('base64')}`;
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!PASSWORD_HASH_PATTERN.test(hash)) return false;
  const [, n, r, p, salt, key] = hash.split(':');
  const expected = Buffer.from(key!, 'base64');
  const actual = await derive(password, Buffer.from(salt!, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface Session {
  readonly id: string;
  readonly csrf: string;
  /** The logged-in user; null for a visitor (no login configured, or not logged in yet). */
  user: string | null;
  lastUsed: number;
}

const token = () => randomBytes(32).toString('base64url');
/** What token() makes: a cookie claiming to be a session id in any other form is refused unread. */
export const SESSION_ID_PATTERN = /^[\w-]{43}$/;

/** Visitor sessions kept at most: the login form makes one per client without a cookie, so a flood must not grow memory. */
export const MAX_VISITOR_SESSIONS = 10_000;
/** Logged-in sessions kept at most; each took a correct password, so a flood of visitors never reaches them. */
export const MAX_LOGGED_IN_SESSIONS = 1_000;
/** Addresses whose login attempts are remembered at most. */
const MAX_THROTTLED_ADDRESSES = 10_000;

/** Sessions in least-recently-used order (a use moves one to the end): at most `max`, each expiring `timeoutMs` after its last use. */
class SessionPool {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly max: number,
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The live session with this id; its use extends it. */
  use(id: string): Session | undefined {
    this.expire();
    const session = this.sessions.get(id);
    if (!session) return undefined;
    session.lastUsed = this.now();
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  /** Adds a session; the least recently used go when the pool is full. */
  add(session: Session): Session {
    this.sessions.set(session.id, session);
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.max) break;
      this.sessions.delete(id);
    }
    return session;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** In least-recently-used order, so the scan stops at the first live session. */
  private expire(): void {
    const cutoff = this.now() - this.timeoutMs;
    for (const [id, session] of this.sessions) {
      if (session.lastUsed >= cutoff) break;
      this.sessions.delete(id);
    }
  }
}

/** Visitors (not logged in) and logged-in users in separate pools, so no number of visitors can push a logged-in user out. */
export class Sessions {
  private readonly visitors: SessionPool;
  private readonly loggedIn: SessionPool;

  constructor(
    timeoutMs: number,
    private readonly now: () => number,
  ) {
    this.visitors = new SessionPool(MAX_VISITOR_SESSIONS, timeoutMs, now);
    this.loggedIn = new SessionPool(MAX_LOGGED_IN_SESSIONS, timeoutMs, now);
  }

  get size(): { visitors: number; loggedIn: number } {
    return { visitors: this.visitors.size, loggedIn: this.loggedIn.size };
  }

  /** The live session with this id (its use extends it), if any. */
  find(id: string | undefined): Session | undefined {
    return id === undefined ? undefined : (this.loggedIn.use(id) ?? this.visitors.use(id));
  }

  /** A new visitor session: made only when a page needs its CSRF token (a form). */
  visit(): Session {
    return this.visitors.add(this.session(null));
  }

  /** A login gets a new session id and token (no fixation of a visitor's id). */
  login(previous: Session, user: string): Session {
    this.logout(previous);
    return this.loggedIn.add(this.session(user));
  }

  logout(session: Session): void {
    this.visitors.delete(session.id);
    this.loggedIn.delete(session.id);
  }

  private session(user: string | null): Session {
    return { id: token(), csrf: token(), user, lastUsed: this.now() };
  }
}

/**
 * At most `limit` login attempts per address per window reach the (slow) password check: an
 * attempt takes its slot before the check, so concurrent attempts count as they start, and one
 * that turns out right gives its slot back.
 */
export class LoginThrottle {
  private readonly attempts = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes a slot for an attempt from `address`; false when it has none left in this window. */
  tryAttempt(address: string): boolean {
    const entry = this.current(address) ?? this.start(address);
    if (entry.count >= this.limit) return false;
    entry.count++;
    return true;
  }

  /** The attempt had the right password: it is not counted against the address. */
  succeeded(address: string): void {
    const entry = this.current(address);
    if (entry && --entry.count <= 0) this.attempts.delete(address);
  }

  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.attempts.get(address);
    if (entry && this.now() - entry.since > this.windowMs) this.attempts.delete(address);
    return this.attempts.get(address);
  }

  private start(address: string): { count: number; since: number } {
    const entry = { count: 0, since: this.now() };
    this.attempts.set(address, entry);
    // Bounded like the sessions: the oldest entries go first.
    if (this.attempts.size > MAX_THROTTLED_ADDRESSES) this.attempts.delete(this.attempts.keys().next().value!);
    return entry;
  }
}
