/**
 * The analyzer's syslog receivers: UDP and TCP (RFC 6587 octet counting and LF framing on the
 * same port) at once. Every message becomes an event (unparseable ones as raw events); oversize
 * messages and invalid UTF-8 are counted and logged at a bounded rate; one bad sender never
 * affects the others; nothing here can throw out of a socket handler (a message the parser
 * throws on is counted and dropped, a connection whose handling throws is closed and counted).
 *
 * TCP/TLS connections are bounded: per source address and in all; an idle connection, a message
 * that does not complete in time and a frame no sender writes (MAX_FRAME_BYTES) close the
 * connection. Every refusal and close is counted by reason.
 *
 * UDP is read by a thread of its own (udp-reader.ts), which hands the datagrams over in batches,
 * so that a busy receiving thread does not leave them to overflow the kernel's buffer.
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Clock } from '../../common/clock.js';
import type { LogFields, Logger } from '../../common/logger.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';
import type { SyslogEvent, SyslogFormat } from '../../common/syslog/event.js';
import { SyslogDeframer, type MessageSink } from '../../common/syslog/framing.js';
import { parseSyslog, type ParseContext } from '../../common/syslog/parse.js';
import type { IngestConfig } from './config.js';
import { udpKernelDrops } from './udp-kernel-drops.js';
import { UdpReader } from './udp-reader.js';

export interface IngestCounters {
  received: { udp: number; tcp: number; tls: number };
  parsed: Record<SyslogFormat, number>;
  oversize: number;
  invalidUtf8: number;
  truncated: number;
  /** TCP/TLS connections accepted. */
  connections: number;
  /** TCP/TLS connections refused on arrival, by the limit they hit. */
  refusedConnections: Record<RefusalReason, number>;
  /** TCP/TLS connections the analyzer closed, by reason. */
  closedConnections: Record<CloseReason, number>;
  /** The parser threw on a message (a bug, not bad input): the message is lost, counted and logged. */
  parseErrors: number;
  /** The event sink threw: the event is lost, counted and logged (a bug, not bad input). */
  sinkErrors: number;
  tlsHandshakeFailures: number;
  /** UDP datagrams the kernel dropped because the receive buffer was full (Linux; 0 elsewhere). */
  udpKernelDrops: number;
  /** UDP datagrams the reading thread dropped because limits.udpQueueBytes were waiting for the receiving thread. */
  udpQueueDrops: number;
}

type RefusalReason = 'perSource' | 'maxConnections';
/**
 * idle: nothing received for limits.idleTimeout; partialFrame: a message begun but not complete
 * within limits.frameTimeout; overlongFrame: a frame longer than MAX_FRAME_BYTES; evicted: the
 * heaviest source's least recently active connection, for a lighter source at maxConnections;
 * handlerError: handling its data threw (a bug).
 */
type CloseReason = 'idle' | 'partialFrame' | 'overlongFrame' | 'evicted' | 'handlerError';

/** One accepted TCP/TLS connection. */
interface Connection {
  readonly socket: Socket;
  readonly kind: 'tcp' | 'tls';
  /** The remote address: the unit of the per-source limit, and the events' senderHost. */
  readonly address: string;
  /** `address:port`, the events' source. */
  readonly source: string;
  readonly deframer: SyslogDeframer;
  /** Monotonic time of the last data: the least recently active connection is evicted first. */
  lastData: number;
  /** The deframer's oversize count already added to the receiver's. */
  oversizeCounted: number;
  /** The frame the partial-frame timer was last started for (undefined between frames), and the timer. */
  timedFrame: number | undefined;
  frameTimer: NodeJS.Timeout | undefined;
}

/** Open connections grouped by source address, for the per-source and global limits. */
class ConnectionTable {
  private readonly bySource = new Map<string, Set<Connection>>();
  size = 0;

  countFrom(address: string): number {
    return this.bySource.get(address)?.size ?? 0;
  }

  add(connection: Connection): void {
    const own = this.bySource.get(connection.address) ?? new Set<Connection>();
    this.bySource.set(connection.address, own.add(connection));
    this.size++;
  }

  /** Idempotent: a connection closed by us is removed at once and again on its 'close'. */
  remove(connection: Connection): void {
    const own = this.bySource.get(connection.address);
    if (!own?.delete(connection)) return;
    this.size--;
    if (own.size === 0) this.bySource.delete(connection.address);
  }

  /** The source with the most connections, and the one of them that received data least recently. */
  leastActiveOfHeaviest(): { connection: Connection; count: number } | undefined {
    let heaviest: Set<Connection> | undefined;
    for (const own of this.bySource.values()) if (!heaviest || own.size > heaviest.size) heaviest = own;
    if (!heaviest) return undefined;
    let oldest: Connection | undefined;
    for (const connection of heaviest) if (!oldest || connection.lastData < oldest.lastData) oldest = connection;
    return { connection: oldest!, count: heaviest.size };
  }

  all(): Iterable<Connection> {
    return [...this.bySource.values()].flatMap((own) => [...own]);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export class SyslogReceiver {
  readonly counters: IngestCounters = {
    received: { udp: 0, tcp: 0, tls: 0 },
    parsed: { rfc5424: 0, rfc3164: 0, raw: 0 },
    oversize: 0,
    invalidUtf8: 0,
    truncated: 0,
    connections: 0,
    refusedConnections: { perSource: 0, maxConnections: 0 },
    closedConnections: { idle: 0, partialFrame: 0, overlongFrame: 0, evicted: 0, handlerError: 0 },
    parseErrors: 0,
    sinkErrors: 0,
    tlsHandshakeFailures: 0,
    udpKernelDrops: 0,
    udpQueueDrops: 0,
  };
  private udp: UdpReader | undefined;
  private readonly servers: Server[] = [];
  private readonly connections = new ConnectionTable();
  private readonly warnings: RateLimitedLog;
  /** Bound addresses, "udp 127.0.0.1:5514" etc. */
  readonly addresses: string[] = [];

  constructor(
    private readonly options: {
      config: IngestConfig;
      clock: Clock;
      logger: Logger;
      onEvent: (event: SyslogEvent) => void;
      /** The parser (parseSyslog); a seam so the tests can show that a parser bug costs one message, not the daemon. */
      parse?: typeof parseSyslog;
    },
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

  /**
   * One message, `bytes[start, end)` (`ascii` when those bytes are known to be ASCII), and where and
   * when it was received (source `address:port`, senderHost the address alone) → an event for the sink.
   */
  private accept(bytes: Buffer, start: number, end: number, ascii: boolean, received: ParseContext): void {
    const { source } = received;
    const text = ascii ? bytes.toString('latin1', start, end) : this.decode(bytes.subarray(start, end), source);
    let event: SyslogEvent;
    try {
      event = (this.options.parse ?? parseSyslog)(text, received);
    } catch (error) {
      // A parser bug must cost one message, not the daemon; the text helps reproduce it.
      this.counters.parseErrors++;
      this.warnings.warn('parse', 'syslog parser failed on a message; dropped', () => ({ source, error, text: text.slice(0, 200) }));
      return;
    }
    this.counters.parsed[event.format]++;
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.counters.sinkErrors++;
      this.warnings.warn('sink', 'event handler failed', () => ({ source, error }));
    }
  }

  private decode(bytes: Buffer, source: string): string {
    // Nearly all syslog is ASCII: checked at memory speed, copied as Latin-1 (the same characters), no UTF-8 pass.
    if (isAscii(bytes)) return bytes.toString('latin1');
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // Kept, with U+FFFD for the bad bytes: a garbled event is still evidence.
      this.counters.invalidUtf8++;
      this.warnings.warn('utf8', 'invalid UTF-8 in a message; kept with replacement characters', () => ({ source }));
      return lenientUtf8.decode(bytes);
    }
  }

  private startUdp(address: string, port: number): Promise<void> {
    const { udpReceiveBuffer: wanted, maxMessageBytes, udpQueueBytes, udpReaderNice } = this.options.config.limits;
    const reader = new UdpReader(
      { address, port, recvBufferSize: wanted, maxMessageBytes, queueBytes: udpQueueBytes, nice: udpReaderNice },
      {
        onDatagram: (bytes, start, length, ascii, source, host) => {
          this.counters.received.udp++;
          if (bytes) return this.accept(bytes, start, start + length, ascii, { receivedAt: this.options.clock.now(), source, senderHost: host });
          this.counters.oversize++;
          this.warnings.warn('oversize', 'oversize message skipped', () => ({ source, bytes: length, max: maxMessageBytes }));
        },
        onError: (message) => this.warnings.warn('udp', 'UDP socket error', () => ({ error: message })),
      },
    );
    this.udp = reader;
    return this.bind('udp', address, port, (onError, onListening) => {
      reader.start().then(({ port: bound, recvBufferSize, niceError }) => {
        // Linux reports twice what it grants (the kernel's bookkeeping share).
        const granted = recvBufferSize / 2;
        if (granted < wanted)
          this.options.logger.warn(
            'UDP receive buffer smaller than limits.udpReceiveBuffer: the kernel caps it at net.core.rmem_max; raise that (sysctl) to hold bigger bursts',
            { wanted, granted },
          );
        if (niceError)
          this.options.logger.warn(
            'UDP reading thread left at the normal priority: raising it to limits.udpReaderNice needs CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd: LimitNICE=); on a busy machine bursts lose more',
            { nice: udpReaderNice, error: niceError },
          );
        onListening(bound);
      }, onError);
    });
  }

  /** TCP or TLS: the same framing and handling; TLS reads its certificate and key at start. */
  private startStream(kind: 'tcp' | 'tls', address: string, port: number): Promise<void> {
    const { limits, listen } = this.options.config;
    const server =
      kind === 'tls'
        ? // A handshake is a frame of sorts: it gets the frame timeout.
          createTlsServer({ cert: readFileSync(listen.tls.cert!), key: readFileSync(listen.tls.key!), handshakeTimeout: limits.frameTimeout }, (socket) =>
            this.serveConnection(socket, kind),
          )
        : createServer((socket) => this.serveConnection(socket, kind));
    if (kind === 'tls') {
      // Connections still in their handshake are not in the table yet: Node's own limit bounds them.
      server.maxConnections = limits.maxConnections;
      server.on('drop', () => this.refused('maxConnections', () => ({ kind, max: limits.maxConnections })));
    }
    server.on('tlsClientError', (error: Error) => {
      this.counters.tlsHandshakeFailures++;
      this.warnings.warn('tls', 'TLS handshake failed', () => ({ error }));
    });
    this.servers.push(server);
    return this.bind(kind, address, port, (onError, onListening) => {
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        // E.g. EMFILE when accepting under a flood: the server goes on listening.
        server.on('error', (error) => this.warnings.warn('server', `${kind} server error`, () => ({ error })));
        const bound = server.address();
        onListening(typeof bound === 'object' && bound ? bound.port : port);
      });
    });
  }

  private serveConnection(socket: Socket, kind: 'tcp' | 'tls'): void {
    const address = socket.remoteAddress ?? '';
    if (!this.admit(socket, address)) return;
    const connection: Connection = {
      socket,
      kind,
      address,
      source: `${socket.remoteFamily === 'IPv6' ? `[${address}]` : address}:${socket.remotePort}`,
      deframer: new SyslogDeframer(this.options.config.limits.maxMessageBytes),
      lastData: this.options.clock.monotonic(),
      oversizeCounted: 0,
      timedFrame: undefined,
      frameTimer: undefined,
    };
    this.counters.connections++;
    this.connections.add(connection);
    socket.setTimeout(this.options.config.limits.idleTimeout, () => this.close(connection, 'idle'));
    socket.on('data', (chunk: Buffer) => this.guarded(connection, () => this.received(connection, chunk)));
    socket.on('end', () =>
      this.guarded(connection, () => {
        this.take(connection, (out) => connection.deframer.end(out), false);
        this.counters.truncated += connection.deframer.counters.truncated;
        socket.end();
      }),
    );
    socket.on('error', (error) => this.warnings.warn('tcp', 'TCP connection error', () => ({ source: connection.source, error })));
    socket.on('close', () => this.forget(connection));
  }

  /**
   * Whether a new connection from `address` fits the limits. At maxConnections, a lighter
   * source takes the place of the heaviest source's least recently active connection, so that
   * one source (or a few) holding every slot cannot lock the others out.
   */
  private admit(socket: Socket, address: string): boolean {
    const { maxConnections, maxConnectionsPerSource } = this.options.config.limits;
    const own = this.connections.countFrom(address);
    if (own >= maxConnectionsPerSource) return this.refuse(socket, 'perSource', () => ({ address, max: maxConnectionsPerSource }));
    if (this.connections.size < maxConnections) return true;
    const heaviest = this.connections.leastActiveOfHeaviest();
    // Only when the new source is lighter by two or more: equals do not take turns closing each other.
    if (!heaviest || heaviest.count <= own + 1) return this.refuse(socket, 'maxConnections', () => ({ address, max: maxConnections }));
    this.close(heaviest.connection, 'evicted');
    return true;
  }

  private refuse(socket: Socket, reason: RefusalReason, fields: () => LogFields): false {
    socket.destroy();
    this.refused(reason, fields);
    return false;
  }

  private refused(reason: RefusalReason, fields: () => LogFields): void {
    this.counters.refusedConnections[reason]++;
    this.warnings.warn(
      `refused ${reason}`,
      `connection refused: limits.${reason === 'perSource' ? 'maxConnectionsPerSource' : 'maxConnections'} reached`,
      fields,
    );
  }

  private received(connection: Connection, chunk: Buffer): void {
    connection.lastData = this.options.clock.monotonic();
    // Nearly every read of a flood is ASCII: checked once here, each message's text is then copied
    // straight out of the chunk (no view of it made, no check per message).
    this.take(connection, (out) => connection.deframer.push(chunk, out), isAscii(chunk));
    if (connection.deframer.overlong) this.close(connection, 'overlongFrame');
    else this.watchFrame(connection);
  }

  /** Accepts the messages `deframe` hands out; `ascii`: the chunk they come from is all ASCII. */
  private take(connection: Connection, deframe: (out: MessageSink) => void, ascii: boolean): void {
    const { deframer, kind, source, address } = connection;
    // The messages of one read were received at once: one time and one context for them all.
    const received: ParseContext = { receivedAt: this.options.clock.now(), source, senderHost: address };
    deframe((bytes, start, end) => {
      this.counters.received[kind]++;
      this.accept(bytes, start, end, ascii, received);
    });
    if (deframer.counters.oversize > connection.oversizeCounted) {
      this.counters.oversize += deframer.counters.oversize - connection.oversizeCounted;
      connection.oversizeCounted = deframer.counters.oversize;
      this.warnings.warn('oversize', 'oversize message skipped', () => ({ source, max: this.options.config.limits.maxMessageBytes }));
    }
  }

  /**
   * Runs the partial-frame timer from the start of each frame begun. One timer per connection,
   * restarted (`refresh`) rather than made anew: a flood begins a frame in nearly every read, and
   * a new timer per read cost more than the read's de-framing. When it fires, the frame it was
   * started for is still under way (a later frame would have restarted it), unless none is.
   */
  private watchFrame(connection: Connection): void {
    const frame = connection.deframer.pendingFrame;
    if (frame === connection.timedFrame) return;
    connection.timedFrame = frame;
    if (frame === undefined) return;
    if (connection.frameTimer) connection.frameTimer.refresh();
    else
      connection.frameTimer = setTimeout(() => {
        if (connection.deframer.pendingFrame !== undefined) this.close(connection, 'partialFrame');
      }, this.options.config.limits.frameTimeout);
  }

  /** Runs a connection's event handler: a throw there is a bug; it closes that connection only. */
  private guarded(connection: Connection, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.warnings.warn('handler', 'handling a connection failed; closed', () => ({ source: connection.source, error }));
      this.close(connection, 'handlerError');
    }
  }

  private close(connection: Connection, reason: CloseReason): void {
    this.counters.closedConnections[reason]++;
    this.warnings.warn(`closed ${reason}`, `connection closed: ${reason}`, () => ({ source: connection.source }));
    this.forget(connection);
    connection.socket.destroy();
  }

  private forget(connection: Connection): void {
    clearTimeout(connection.frameTimer);
    this.connections.remove(connection);
  }

  private bind(
    kind: 'udp' | 'tcp' | 'tls',
    address: string,
    port: number,
    start: (onError: (error: NodeJS.ErrnoException) => void, onListening: (port: number) => void) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      start(
        (error) =>
          reject(
            new Error(
              `cannot listen for syslog on ${kind} ${isIPv6(address) ? `[${address}]` : address}:${port}: ${error.code ?? error.message}${error.code === 'EACCES' ? ' (ports below 1024 need CAP_NET_BIND_SERVICE; by hand use 5514)' : ''}`,
            ),
          ),
        (bound) => {
          this.addresses.push(`${kind} ${isIPv6(address) ? `[${address}]` : address}:${bound}`);
          resolve();
        },
      );
    });
  }

  /** Reads what the kernel and the UDP reading thread dropped into the counters (the daemon calls it before reporting them). */
  refreshUdpDrops(): void {
    if (!this.udp) return;
    this.counters.udpKernelDrops = udpKernelDrops(this.port('udp')) ?? 0;
    this.counters.udpQueueDrops = this.udp.queueDrops;
  }

  /** Port actually bound (for port 0 in tests). */
  port(kind: 'udp' | 'tcp' | 'tls'): number {
    const entry = this.addresses.find((a) => a.startsWith(`${kind} `));
    return Number(entry?.split(':').at(-1));
  }

  async stop(): Promise<void> {
    for (const connection of this.connections.all()) connection.socket.destroy();
    await Promise.all([this.udp?.close(), ...this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))]);
    this.udp = undefined;
    this.servers.length = 0;
  }
}
