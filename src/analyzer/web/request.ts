/**
 * Reading a request strictly: its target, query, form body, cookies and Host. Whatever cannot be
 * read is an HttpError 400 before any route runs (a lenient reading of `//` or `/%` is how the
 * review crashed the daemon). Names from the request land in Map and URLSearchParams only, never
 * in plain objects, so `__proto__` or `toString` are names like any other.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Longer targets are refused: no page takes more than a few short query parameters. */
export const MAX_TARGET_LENGTH = 4096;

/** A Host header or web.hosts entry: a name, an IPv4 address or a bracketed IPv6 address, and an optional port. */
export const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i;

const unreadable = (what: string) => new HttpError(400, `unreadable request: ${what}`);

function decodePercent(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw unreadable(`bad percent-encoding in the ${what}`);
  }
}

/** `a=1&b=x+y` (a query or a form body); bad percent-encoding or invalid UTF-8 is refused, where URLSearchParams would silently keep or replace it. */
export function parseUrlEncoded(text: string, what: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const [name, value] = equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    params.append(decodePercent(name.replaceAll('+', ' '), what), decodePercent(value.replaceAll('+', ' '), what));
  }
  return params;
}

/**
 * The path and query of an origin-form target (`/path?query`). Absolute-form (`http://x/`), `*`
 * and `//…` (which a URL parser reads as a host) are refused: browsers send none of them here.
 */
export function parseTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  if (target === undefined || target.length > MAX_TARGET_LENGTH) throw unreadable(`a request target of at most ${MAX_TARGET_LENGTH} characters is required`);
  if (!target.startsWith('/') || target.startsWith('//')) throw unreadable('the request target must be /path or /path?query');
  const queryStart = target.indexOf('?');
  if (queryStart < 0) return { path: decodePercent(target, 'path'), query: new URLSearchParams() };
  return { path: decodePercent(target.slice(0, queryStart), 'path'), query: parseUrlEncoded(target.slice(queryStart + 1), 'query') };
}

/** The Cookie header's pairs; of a repeated name the first (the browser sends the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    const name = part.slice(0, Math.max(equals, 0)).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

/** A Host header as lower-case name (IPv6 in brackets) and port; a missing or malformed one is refused. */
export function parseHost(header: string | undefined): { name: string; port: string | undefined } {
  const match = HOST_PATTERN.exec(header ?? '');
  if (!match) throw unreadable('a Host header with a host name or address is required');
  return { name: match[1]!.toLowerCase(), port: match[2] };
}

/**
 * The Host names the page answers to, against DNS rebinding (the victim's browser sends the
 * attacker's name). An entry `name:port` allows that port only; `name` any port and none (a
 * TLS proxy in front usually passes its own name without a port).
 */
export class HostAllowList {
  private readonly entries: ReadonlySet<string>;

  constructor(entries: Iterable<string>) {
    this.entries = new Set([...entries].map((entry) => entry.toLowerCase()));
  }

  allows(host: { name: string; port: string | undefined }): boolean {
    return this.entries.has(host.name) || (host.port !== undefined && this.entries.has(`${host.name}:${host.port}`));
  }

  get names(): string[] {
    return [...this.entries];
  }
}
