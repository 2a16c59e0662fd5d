/**
 * Logins for the web page: scrypt password hashes (node:crypto; no library needed), sessions in
 * memory (a restart asks for the login again, nothing else is lost), a CSRF token per session,
 * and a limit on failed logins per address.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
export const PASSWORD_HASH_PATTERN = /^scrypt:\d+:\d+:\d+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))));
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

/** Sessions kept at most: every request without a cookie makes one, so a flood must not grow memory. */
export const MAX_SESSIONS = 10_000;

export class Sessions {
  /** Least recently used first (a use moves a session to the end). */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The live session with this id (its use extends it), else a new visitor session. */
  resume(id: string | undefined): Session {
    this.expire();
    const existing = id === undefined ? undefined : this.sessions.get(id);
    if (existing) {
      existing.lastUsed = this.now();
      this.sessions.delete(existing.id);
      this.sessions.set(existing.id, existing);
      return existing;
    }
    return this.add({ id: token(), csrf: token(), user: null, lastUsed: this.now() });
  }

  /** A login gets a new session id and token (no fixation of a visitor's id). */
  login(previous: Session, user: string): Session {
    this.sessions.delete(previous.id);
    return this.add({ id: token(), csrf: token(), user, lastUsed: this.now() });
  }

  logout(session: Session): void {
    this.sessions.delete(session.id);
  }

  private add(session: Session): Session {
    this.sessions.set(session.id, session);
    // The least recently used go first: visitors who never came back before a logged-in user.
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
    return session;
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

/** At most `limit` failed logins per address per window; then refused until the window passes. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  blocked(address: string): boolean {
    const entry = this.failures.get(address);
    if (!entry) return false;
    if (this.now() - entry.since > this.windowMs) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= this.limit;
  }

  failed(address: string): void {
    const entry = this.failures.get(address);
    if (!entry || this.now() - entry.since > this.windowMs) {
      this.failures.delete(address);
      this.failures.set(address, { count: 1, since: this.now() });
      // Bounded like the sessions: the oldest entries go first.
      if (this.failures.size > MAX_SESSIONS) this.failures.delete(this.failures.keys().next().value!);
    } else entry.count++;
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
