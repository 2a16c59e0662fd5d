import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { hostname, type as osType, release, arch } from 'node:os';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../common/clock.js';
import { EnvirowatchError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import type { UnitSystem } from '../readings/units.js';
import { CommunityAccess } from './access.js';
import { BerError } from './ber.js';
import type { SnmpConfig } from './config.js';
import { decodeMessage, encodeResponse, type RequestMessage } from './message.js';
import { SENSOR_ENTRY_OID, SYSTEM_OID } from './oid.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { handleRequest, MibView } from './request-handler.js';
import { SENSOR_COLUMNS, sensorRows, sensorTableVarbinds } from './sensor-table.js';
import { SYSTEM_SCALARS, systemVarbinds } from './system-group.js';

/** A socket that could not be bound: port in use, or a port below 1024 without the capability. */
export class SnmpBindError extends EnvirowatchError {
  override name = 'SnmpBindError';
  constructor(
    message: string,
    readonly address: string,
    readonly port: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface SnmpAgentOptions {
  readonly config: SnmpConfig;
  /** The agent's in-memory state; called once per request, so it must not block. */
  readonly snapshot: () => AgentSnapshot;
  readonly units: UnitSystem;
  readonly thresholds: ResolvedAgentConfig['thresholds'];
  readonly logger: Logger;
  readonly clock?: Clock | undefined;
  /** sysDescr.0; the CLI passes one with the version. */
  readonly sysDescr?: string | undefined;
}

export interface SnmpCounters {
  /** Requests from an allowed community and source, answered or not. */
  requests: number;
  responses: number;
  badCommunity: number;
  /** Right community, source outside its networks. */
  badSource: number;
  /** Not BER or not an SNMP message. */
  malformed: number;
  /** Well-formed but not served here: v3, traps, responses, GetBulk in v1. */
  unsupported: number;
  tooBig: number;
  /** Our own bugs, caught so that one packet cannot stop the agent. */
  internalErrors: number;
  sendErrors: number;
}

const HINTS: Record<string, string> = {
  EACCES: 'ports below 1024 need root or CAP_NET_BIND_SERVICE (AmbientCapabilities= in the systemd unit)',
  EADDRINUSE: 'another program (snmpd?) already uses this port',
  EADDRNOTAVAIL: 'no interface has this address',
};

/**
 * An SNMPv1/v2c agent serving the sensor table and the system group from the agent's snapshot.
 * Each datagram is handled synchronously from memory; nothing a packet contains can throw out of
 * the handler (bad packets are counted, logged at a bounded rate and dropped).
 */
export class SnmpAgent {
  readonly counters: SnmpCounters = { requests: 0, responses: 0, badCommunity: 0, badSource: 0, malformed: 0, unsupported: 0, tooBig: 0, internalErrors: 0, sendErrors: 0 };
  private readonly options: SnmpAgentOptions;
  private readonly clock: Clock;
  private readonly access: CommunityAccess;
  private readonly limited: RateLimitedLog;
  private readonly objects = [...Array.from({ length: SENSOR_COLUMNS }, (_, i) => [...SENSOR_ENTRY_OID, i + 1]), ...Array.from({ length: SYSTEM_SCALARS }, (_, i) => [...SYSTEM_OID, i + 1])];
  private readonly sysDescr: string;
  private sockets: Socket[] = [];
  private startedAt = 0;

  constructor(options: SnmpAgentOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.access = new CommunityAccess(options.config.communities);
    this.limited = new RateLimitedLog(options.logger, this.clock);
    this.sysDescr = options.sysDescr ?? `envirowatch environment sensor, ${osType()} ${release()} ${arch()}`;
  }

  /** Binds every configured address; rejects with SnmpBindError (and binds none) if any fails. */
  async start(): Promise<{ addresses: string[] }> {
    if (this.sockets.length > 0) throw new EnvirowatchError('SNMP agent already started');
    const { addresses, port, communities } = this.options.config;
    this.startedAt = this.clock.now();
    try {
      for (const address of addresses) this.sockets.push(await this.bind(address, port));
    } catch (error) {
      await this.stop();
      throw error;
    }
    const bound = this.sockets.map((socket) => {
      const { address, port: actual } = socket.address();
      return isIP(address) === 6 ? `[${address}]:${actual}` : `${address}:${actual}`;
    });
    if (communities.length === 0) this.options.logger.warn('SNMP: no community configured, every request will be refused (set snmp.communities)');
    this.options.logger.info('SNMP agent listening', { addresses: bound.join(',') });
    return { addresses: bound };
  }

  async stop(): Promise<void> {
    const sockets = this.sockets;
    this.sockets = [];
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private bind(address: string, port: number): Promise<Socket> {
    const ipv6 = isIP(address) === 6;
    // IPv6-only so that `0.0.0.0` and `::` can both be listed on one port without EADDRINUSE.
    const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6 });
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        const hint = error.code ? HINTS[error.code] : undefined;
        reject(new SnmpBindError(`cannot listen for SNMP on udp ${ipv6 ? `[${address}]` : address}:${port}: ${error.code ?? error.message}${hint ? ` (${hint})` : ''}`, address, port, error.code));
      };
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        socket.on('error', (error) => this.options.logger.error('SNMP socket error', { address, error }));
        socket.on('message', (packet, remote) => this.onPacket(socket, packet, remote));
        resolve(socket);
      });
    });
  }

  private onPacket(socket: Socket, packet: Buffer, remote: RemoteInfo): void {
    // Source port 0 cannot be answered (send() would throw); only forged packets carry it.
    if (remote.port === 0) {
      this.counters.malformed += 1;
      return;
    }
    try {
      const response = this.respond(packet, remote);
      if (!response) return;
      socket.send(response, remote.port, remote.address, (error) => {
        if (!error) return;
        this.counters.sendErrors += 1;
        this.limited.warn('send', 'SNMP: could not send a response', () => ({ to: remote.address, error }));
      });
      this.counters.responses += 1;
    } catch (error) {
      this.counters.internalErrors += 1;
      this.limited.warn('internal', 'SNMP: request failed (bug); dropped', () => ({ from: remote.address, error, stack: error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined }));
    }
  }

  /** The response datagram for `packet`, or undefined to drop it. */
  private respond(packet: Buffer, remote: RemoteInfo): Buffer | undefined {
    let request: RequestMessage;
    try {
      const decoded = decodeMessage(packet);
      if (decoded.kind === 'unsupported') {
        this.counters.unsupported += 1;
        this.limited.warn('unsupported', 'SNMP: ignored a message this agent does not serve', () => ({ from: remote.address, reason: decoded.reason }));
        return undefined;
      }
      request = decoded.message;
    } catch (error) {
      if (!(error instanceof BerError)) throw error;
      this.counters.malformed += 1;
      this.limited.warn('malformed', 'SNMP: dropped a malformed packet', () => ({ from: remote.address, bytes: packet.length, error: error.message }));
      return undefined;
    }
    const decision = this.access.check(request.community, remote.address);
    if (decision !== 'allowed') {
      this.counters[decision] += 1;
      const message = decision === 'badCommunity' ? 'SNMP: dropped a request with an unknown community' : 'SNMP: dropped a request from a source not allowed for its community';
      this.limited.warn(decision, message, () => ({ from: remote.address }));
      return undefined;
    }
    this.counters.requests += 1;
    const result = handleRequest(request, this.view());
    if (result.tooBig) this.counters.tooBig += 1;
    return encodeResponse(request, result);
  }

  private view(): MibView {
    const { config, units, thresholds } = this.options;
    const now = this.clock.now();
    const rows = sensorRows({ snapshot: this.options.snapshot(), units, thresholds, now });
    const system = systemVarbinds({
      sysDescr: this.sysDescr,
      sysContact: config.sysContact,
      sysName: config.sysName ?? hostname(),
      sysLocation: config.sysLocation,
      upTimeTicks: (now - this.startedAt) / 10,
    });
    return new MibView([...system, ...sensorTableVarbinds(rows)], this.objects);
  }
}
