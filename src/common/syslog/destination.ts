/**
 * One syslog destination. UDP sends and forgets. TCP and TLS keep a bounded queue while the
 * collector is unreachable (the oldest messages are dropped, counted, and a notice says how many
 * once the link is back), reconnect with backoff (1 s doubling to 60 s), and never block the agent.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6, Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../logger.js';
import { octetCounted } from './format.js';
import type { SyslogDestinationConfig } from './destination-config.js';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface DestinationCounters {
  sent: number;
  dropped: number;
  errors: number;
  connects: number;
}

export interface SyslogDestination {
  readonly name: string;
  readonly counters: Readonly<DestinationCounters>;
  /** Queues or sends one formatted message; never throws, never waits. */
  send(message: string): void;
  /** Waits (up to `timeoutMs`) for the queue to drain, then closes. */
  close(timeoutMs?: number): Promise<void>;
}

export function destinationName(config: SyslogDestinationConfig): string {
  return `${config.protocol}://${isIPv6(config.host) ? `[${config.host}]` : config.host}:${config.port}`;
}

export function openDestination(
  config: SyslogDestinationConfig,
  options: { logger: Logger; queue: number; notice: (dropped: number) => string },
): SyslogDestination {
  return config.protocol === 'udp' ? new UdpDestination(config, options.logger) : new StreamDestination(config, options.logger, options.queue, options.notice);
}

class UdpDestination implements SyslogDestination {
  readonly name: string;
  readonly counters: DestinationCounters = { sent: 0, dropped: 0, errors: 0, connects: 0 };
  private readonly socket: UdpSocket;
  private failing = false;

  constructor(
    private readonly config: SyslogDestinationConfig,
    private readonly logger: Logger,
  ) {
    this.name = destinationName(config);
    this.socket = createSocket(isIPv6(config.host) ? 'udp6' : 'udp4');
    this.socket.on('error', (error) => this.failed(error));
    this.socket.unref();
  }

  private pending = 0;
  private idle: (() => void) | undefined;

  send(message: string): void {
    this.pending++;
    this.socket.send(Buffer.from(message, 'utf8'), this.config.port, this.config.host, (error) => {
      if (--this.pending === 0) this.idle?.();
      if (error) return this.failed(error);
      this.counters.sent++;
      if (this.failing) this.logger.info('syslog destination reachable again', { destination: this.name });
      this.failing = false;
    });
  }

  private failed(error: Error): void {
    this.counters.errors++;
    if (!this.failing) this.logger.warn('syslog destination failing', { destination: this.name, error });
    this.failing = true;
  }

  /** Lets sends already handed to the socket finish (a datagram still being sent would be lost). */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        setTimeout(resolve, timeoutMs).unref();
      });
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

class StreamDestination implements SyslogDestination {
  readonly name: string;
  readonly counters: DestinationCounters = { sent: 0, dropped: 0, errors: 0, connects: 0 };
  private readonly queue: Buffer[] = [];
  private socket: Socket | undefined;
  private connected = false;
  private writing = false;
  private closing = false;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Drops not yet reported to the collector. */
  private unreported = 0;
  private failing = false;
  private readonly ca: Buffer | undefined;

  constructor(
    private readonly config: SyslogDestinationConfig,
    private readonly logger: Logger,
    private readonly capacity: number,
    private readonly notice: (dropped: number) => string,
  ) {
    this.name = destinationName(config);
    this.ca = config.ca === null ? undefined : readFileSync(config.ca);
    this.connect();
  }

  send(message: string): void {
    if (this.closing) return;
    this.enqueue(octetCounted(message));
    this.flush();
  }

  private enqueue(frame: Buffer): void {
    this.queue.push(frame);
    if (this.queue.length > this.capacity) {
      this.queue.shift();
      this.counters.dropped++;
      this.unreported++;
    }
  }

  private connect(): void {
    const { host, port } = this.config;
    const socket =
      this.config.protocol === 'tls'
        ? tlsConnect({ host, port, ca: this.ca, rejectUnauthorized: this.config.verify, servername: isIPv6(host) || /^[\d.]+$/.test(host) ? undefined : host })
        : tcpConnect({ host, port });
    this.socket = socket;
    socket.setKeepAlive(true, 60_000);
    socket.once(this.config.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.counters.connects++;
      this.retryMs = RETRY_FIRST_MS;
      if (this.failing) this.logger.info('syslog destination connected again', { destination: this.name, dropped: this.unreported });
      this.failing = false;
      if (this.unreported > 0) {
        // Said first, so the collector knows a gap precedes what follows.
        this.queue.unshift(octetCounted(this.notice(this.unreported)));
        this.unreported = 0;
      }
      this.flush();
    });
    socket.on('error', (error) => {
      this.counters.errors++;
      if (!this.failing && !this.closing) this.logger.warn('syslog destination unreachable; queueing', { destination: this.name, error, queue: this.capacity });
      this.failing = true;
    });
    socket.on('close', () => {
      this.connected = false;
      this.writing = false;
      if (this.closing) return;
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    });
    // The collector never talks back on a syslog stream; anything it sends is ignored.
    socket.on('data', () => {});
  }

  private flush(): void {
    const socket = this.socket;
    if (!this.connected || this.writing || !socket) return;
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      this.counters.sent++;
      if (!socket.write(frame)) {
        this.writing = true;
        socket.once('drain', () => {
          this.writing = false;
          this.flush();
        });
        return;
      }
    }
  }

  async close(timeoutMs = 2_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Queued messages get until the deadline to leave, including time to connect.
    while ((this.queue.length > 0 || this.writing || (this.socket?.connecting ?? false)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    this.closing = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), Math.max(0, deadline - Date.now())).unref();
    });
  }
}
