import { createServer, type Server } from 'node:http';
import type { Logger } from '../../common/logger.js';
import type { MetricsConfig } from './config.js';
import type { SensorMetrics } from './exposition.js';

const HINTS: Record<string, string> = {
  EACCES: 'ports below 1024 need CAP_NET_BIND_SERVICE; the default is 9687',
  EADDRINUSE: 'another program already uses this port (metrics.port)',
  EADDRNOTAVAIL: 'this host has no such address (metrics.address)',
};

export interface MetricsServer {
  /** "address:port" it listens on (the real port when configured with 0). */
  readonly address: string;
  stop(): Promise<void>;
}

/** Serves GET /metrics over HTTP; rejects with a clear message when it cannot listen. */
export async function startMetricsServer(config: Pick<MetricsConfig, 'address' | 'port'>, metrics: SensorMetrics, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        logger.error('cannot render metrics', { error });
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      },
    );
  });
  // Scrapes are small and fast: a client that stalls is cut off rather than holding a socket.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const hint = error.code ? HINTS[error.code] : undefined;
      reject(
        new Error(
          `cannot listen for metrics on http ${config.address.includes(':') ? `[${config.address}]` : config.address}:${config.port}: ${error.code ?? error.message}${hint ? ` (${hint})` : ''}`,
        ),
      );
    });
    server.listen(config.port, config.address, resolve);
  });
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` : String(bound);
  logger.info('serving metrics', { url: `http://${address}/metrics` });
  return {
    address,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
