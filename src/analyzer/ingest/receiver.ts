/**
 * The analyzer's syslog receivers: UDP and TCP (RFC 6587 octet counting and LF framing on the
 * same port) at once. Every message becomes an event (unparseable ones as raw events); oversize
 * messages and invalid UTF-8 are counted and logged at a bounded rate; one bad sender never
 * affects the others; nothing here can throw out of a socket handler.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';
import type { SyslogEvent, SyslogFormat } from '../../common/syslog/event.js';
import { SyslogDeframer } from '../../common/syslog/framing.js';
import { parseSyslog } from '../../common/syslog/parse.js';
import type { IngestConfig } from './config.js';

export interface IngestCounters {
  received: { udp: number; tcp: number; tls: number };
  parsed: Record<SyslogFormat, number>;
  oversize: number;
  invalidUtf8: number;
  truncated: number;
  connections: number;
  refusedConnections: number;
  /** The event sink threw: the event is lost, counted and logged (a bug, not bad input). */
  sinkErrors: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export class SyslogReceiver {
  readonly counters: IngestCounters = { received: { udp: 0, tcp: 0, tls: 0 }, parsed: { rfc5424: 0, rfc3164: 0, raw: 0 }, oversize: 0, invalidUtf8: 0, truncated: 0, connections: 0, refusedConnections: 0, sinkErrors: 0 };
  private udp: UdpSocket | undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly warnings: RateLimitedLog;
  /** Bound addresses, "udp 127.0.0.1:5514" etc. */
  readonly addresses: string[] = [];

  constructor(
    private readonly options: { config: IngestConfig; clock: Clock; logger: Logger; onEvent: (event: SyslogEvent) => void },
  ) {
    this.warnings = new RateLimitedLog(options.logger, options.clock);
  }

  async start(): Promise<void> {
    const { listen } = this.options.config;
    try {
      if (listen.udp.enabled) await this.startUdp(listen.udp.address, listen.udp.port);
      if (listen.tcp.enabled) await this.startStream('tcp', listen.tcp.address, listen.tcp.port);
      if (listen.tls.enabled) await this.startStream('tls', listen.tls.address, listen.tls.port);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.options.logger.info('receiving syslog', { on: this.addresses.join(', ') });
  }

  /** One message's text and source (`address:port`, and the address alone as `senderHost`) → an event for the sink. */
  private accept(bytes: Buffer, source: string, senderHost: string): void {
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      // Kept, with U+FFFD for the bad bytes: a garbled event is still evidence.
      this.counters.invalidUtf8++;
      this.warnings.warn('utf8', 'invalid UTF-8 in a message; kept with replacement characters', () => ({ source }));
      text = lenientUtf8.decode(bytes);
    }
    const receivedAt = this.options.clock.now();
    const event = parseSyslog(text, { receivedAt, source, senderHost });
    this.counters.parsed[event.format]++;
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.counters.sinkErrors++;
      this.warnings.warn('sink', 'event handler failed', () => ({ source, error }));
    }
  }

  private startUdp(address: string, port: number): Promise<void> {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', ipv6Only: isIPv6(address), recvBufferSize: 4 * 1024 * 1024 });
    this.udp = socket;
    socket.on('message', (message, remote) => {
      this.counters.received.udp++;
      const source = `${remote.family === 'IPv6' ? `[${remote.address}]` : remote.address}:${remote.port}`;
      if (message.length > this.options.config.limits.maxMessageBytes) {
        this.counters.oversize++;
        this.warnings.warn('oversize', 'oversize message skipped', () => ({ source, bytes: message.length, max: this.options.config.limits.maxMessageBytes }));
        return;
      }
      this.accept(message, source, remote.address);
    });
    return this.bind('udp', address, port, (onError, onListening) => {
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        socket.on('error', (error) => this.warnings.warn('udp', 'UDP socket error', () => ({ error })));
        const bound = socket.address();
        onListening(bound.port);
      });
    });
  }

  /** TCP or TLS: the same framing and handling; TLS reads its certificate and key at start. */
  private startStream(kind: 'tcp' | 'tls', address: string, port: number): Promise<void> {
    const { limits, listen } = this.options.config;
    const server =
      kind === 'tls'
        ? createTlsServer({ cert: readFileSync(listen.tls.cert!), key: readFileSync(listen.tls.key!) }, (socket) => this.serveConnection(socket, kind))
        : createServer((socket) => this.serveConnection(socket, kind));
    server.maxConnections = limits.maxConnections;
    server.on('drop', () => {
      this.counters.refusedConnections++;
      this.warnings.warn('connections', 'connection refused: limits.maxConnections reached', () => ({ max: limits.maxConnections, kind }));
    });
    // A client that fails the TLS handshake is counted with the connection errors, not fatal.
    server.on('tlsClientError', (error: Error) => this.warnings.warn('tls', 'TLS handshake failed', () => ({ error })));
    this.servers.push(server);
    return this.bind(kind, address, port, (onError, onListening) => {
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        const bound = server.address();
        onListening(typeof bound === 'object' && bound ? bound.port : port);
      });
    });
  }

  private serveConnection(socket: Socket, kind: 'tcp' | 'tls'): void {
    this.counters.connections++;
    this.sockets.add(socket);
    const senderHost = socket.remoteAddress ?? '';
    const source = `${socket.remoteFamily === 'IPv6' ? `[${senderHost}]` : senderHost}:${socket.remotePort}`;
    const deframer = new SyslogDeframer(this.options.config.limits.maxMessageBytes);
    let oversize = 0;
    const take = (messages: Buffer[]) => {
      for (const message of messages) {
        this.counters.received[kind]++;
        this.accept(message, source, senderHost);
      }
      if (deframer.counters.oversize > oversize) {
        this.counters.oversize += deframer.counters.oversize - oversize;
        oversize = deframer.counters.oversize;
        this.warnings.warn('oversize', 'oversize message skipped', () => ({ source, max: this.options.config.limits.maxMessageBytes }));
      }
    };
    socket.on('data', (chunk: Buffer) => take(deframer.push(chunk)));
    socket.on('end', () => {
      take(deframer.end());
      this.counters.truncated += deframer.counters.truncated;
      socket.end();
    });
    socket.on('error', (error) => this.warnings.warn('tcp', 'TCP connection error', () => ({ source, error })));
    socket.on('close', () => this.sockets.delete(socket));
  }

  private bind(kind: 'udp' | 'tcp' | 'tls', address: string, port: number, start: (onError: (error: NodeJS.ErrnoException) => void, onListening: (port: number) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      start(
        (error) => reject(new Error(`cannot listen for syslog on ${kind} ${isIPv6(address) ? `[${address}]` : address}:${port}: ${error.code ?? error.message}${error.code === 'EACCES' ? ' (ports below 1024 need CAP_NET_BIND_SERVICE; by hand use 5514)' : ''}`)),
        (bound) => {
          this.addresses.push(`${kind} ${isIPv6(address) ? `[${address}]` : address}:${bound}`);
          resolve();
        },
      );
    });
  }

  /** Port actually bound (for port 0 in tests). */
  port(kind: 'udp' | 'tcp' | 'tls'): number {
    const entry = this.addresses.find((a) => a.startsWith(`${kind} `));
    return Number(entry?.split(':').at(-1));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([
      this.udp ? new Promise<void>((resolve) => this.udp!.close(() => resolve())) : undefined,
      ...this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    ]);
    this.udp = undefined;
    this.servers.length = 0;
  }
}
