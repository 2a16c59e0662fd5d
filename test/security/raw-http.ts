/**
 * HTTP requests written byte for byte on a raw socket, so that request targets like `//`, `*` or
 * `/%` reach the server as sent (fetch and http.request normalise or refuse them).
 */
import { connect } from 'node:net';

export interface RawRequest {
  readonly method?: string;
  readonly target: string;
  /** The Host header; null: none at all. Default 127.0.0.1:port. */
  readonly host?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Connect from this local address (another loopback address is another client to the server). */
  readonly localAddress?: string;
}

export interface RawResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with a newline. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

function decodeChunked(body: string): string {
  let decoded = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (lineEnd < 0 || !(size > 0)) return decoded;
    decoded += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** `text`: the response's bytes as latin1 (one character per byte, so chunk sizes count right). */
export function parseResponse(text: string): RawResponse {
  const headerEnd = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, headerEnd < 0 ? text.length : headerEnd).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)!}\n${value}` : value);
  }
  const body = headerEnd < 0 ? '' : text.slice(headerEnd + 4);
  const bytes = headers.get('transfer-encoding') === 'chunked' ? decodeChunked(body) : body;
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: Buffer.from(bytes, 'latin1').toString('utf8') };
}

/** One request on its own connection (Connection: close); rejects when the server closes without answering. */
export function rawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  const { method = 'GET', target, host = `127.0.0.1:${port}`, headers = {}, body = '' } = request;
  const head = [
    `${method} ${target} HTTP/1.1`,
    ...(host === null ? [] : [`Host: ${host}`]),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(request.localAddress ? { localAddress: request.localAddress } : {}) });
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${method} ${target.slice(0, 80)} within 15 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closing with our body unread) still leaves the answer.
    let failure: Error | undefined;
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      if (text !== '') resolve(parseResponse(text));
      else reject(failure ?? new Error(`the server closed the connection without answering ${method} ${target.slice(0, 80)}`));
    });
    // Not end(): a half-closed connection may be closed by the server before it answers.
    socket.write(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  });
}
