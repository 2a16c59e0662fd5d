import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { hostname, type as osType, release, arch } from 'node:os';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../common/clock.js';
import { EnvirowatchError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import type { UnitSystem } from '../readings/units.js';
import { CommunityAccess } from '../../snmp/responder/community-access.js';
import { BerError } from '../../snmp/ber.js';
import type { SnmpConfig } from './config.js';
import { PduType, SnmpVersion, decodeMessage, encodeResponse, responseEnvelope, type RequestMessage, type Varbind } from '../../snmp/message/message.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';
import { handleRequest, MAX_RESPONSE_BYTES, MibView, type HandledRequest } from '../../snmp/responder/request-handler.js';
import { SENSOR_COLUMN_OIDS, sensorRows, sensorTableVarbinds } from './sensor-table.js';
import { SNMP_ENTITY_OBJECTS, snmpEntityInstances, type SnmpEntityState } from '../../snmp/responder/snmp-entity.js';
import { SYSTEM_OBJECTS, systemVarbinds } from './system-group.js';
import { openLocalEngine, type LocalEngine } from '../../snmp/v3/local-engine.js';
import { USM_STATS, type UsmEngine, type UsmOutcome, type UsmStatName, type UsmStats } from '../../snmp/v3/usm.js';
import { OUR_MAX_SIZE } from '../../snmp/v3/message.js';

/** The usmStats served while v3 is off: the USM sees nothing. */
const NO_USM_STATS: Readonly<UsmStats> = Object.fromEntries(Object.keys(USM_STATS).map((name) => [name, 0])) as Record<UsmStatName, number>;

/** How long one built view answers requests; see view(). */
const VIEW_TTL_MS = 100;

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
  /** Every datagram received (snmpInPkts). */
  packets: number;
  /** Requests from an allowed community and source, answered or not. */
  requests: number;
  responses: number;
  badCommunity: number;
  /** Right community, source outside its networks. */
  badSource: number;
  /** Not BER or not an SNMP message. */
  malformed: number;
  /** Well-formed but not served here: traps, responses, GetBulk in v1, v3 without v3 users. */
  unsupported: number;
  /** Of `unsupported`, those of an SNMP version not served (snmpInBadVersions): v3 without v3 users, or no SNMP version at all. */
  badVersions: number;
  /** Of `requests` by community, SETs (snmpInBadCommunityUses). */
  badCommunityUses: number;
  tooBig: number;
  /** Of `requests`, not answered because not even an empty tooBig fitted (snmpSilentDrops). */
  silentDrops: number;
  /** Our own bugs, caught so that one packet cannot stop the agent. */
  internalErrors: number;
  sendErrors: number;
}

/** Log lines for USM refusals; discovery and time synchronisation are routine, so only at debug. */
const USM_REFUSALS: Record<UsmStatName, { level: 'warn' | 'debug'; message: string }> = {
  unknownEngineIDs: { level: 'debug', message: 'SNMPv3: discovery (unknown engine ID), sent our engine ID' },
  notInTimeWindows: { level: 'debug', message: 'SNMPv3: message outside the time window, sent our boots and time' },
  unknownUserNames: { level: 'warn', message: 'SNMPv3: refused an unknown user name' },
  unsupportedSecLevels: { level: 'warn', message: 'SNMPv3: refused a security level other than authPriv' },
  wrongDigests: { level: 'warn', message: 'SNMPv3: refused a message with a wrong digest (wrong authentication password or protocol)' },
  decryptionErrors: { level: 'warn', message: 'SNMPv3: refused a message that does not decrypt (wrong privacy password or protocol)' },
};

const HINTS: Record<string, string> = {
  EACCES: 'ports below 1024 need root or CAP_NET_BIND_SERVICE (AmbientCapabilities= in the systemd unit), or use a port such as 1161',
  EADDRINUSE: 'another program (snmpd?) already uses this port',
  EADDRNOTAVAIL: 'no interface has this address',
};

/**
 * An SNMPv1/v2c/v3 (USM, authPriv) agent serving the sensor table and the system group from the agent's snapshot.
 * Each datagram is handled synchronously from memory; nothing a packet contains can throw out of
 * the handler (bad packets are counted, logged at a bounded rate and dropped).
 */
export class SnmpAgent {
  readonly counters: SnmpCounters = {
    packets: 0,
    requests: 0,
    responses: 0,
    badCommunity: 0,
    badSource: 0,
    malformed: 0,
    unsupported: 0,
    badVersions: 0,
    badCommunityUses: 0,
    tooBig: 0,
    silentDrops: 0,
    internalErrors: 0,
    sendErrors: 0,
  };
  private readonly options: SnmpAgentOptions;
  private readonly clock: Clock;
  private readonly access: CommunityAccess;
  private readonly limited: RateLimitedLog;
  private readonly objects = [...SENSOR_COLUMN_OIDS, ...SYSTEM_OBJECTS, ...SNMP_ENTITY_OBJECTS];
  private readonly sysDescr: string;
  /** Read once: os.hostname() is a system call, and the name does not change under us. */
  private readonly hostname = hostname();
  /** The entity's objects (snmp group, snmpEngine, usmStats): read when a request reaches them, so always current. */
  private readonly entityInstances = snmpEntityInstances(() => this.entityState());
  private cachedView: { at: number; view: MibView } | undefined;
  private sockets: Socket[] = [];
  private startedAt = 0;
  /** Our SNMP engine, from start(): its ID, boots and time are served (snmpEngine group) and carried by v3 traps. */
  private engine: UsmEngine | undefined;

  /** The engine, when v3 users are configured: only then is SNMPv3 served. */
  private get usm(): UsmEngine | undefined {
    return this.options.config.v3Users.length > 0 ? this.engine : undefined;
  }

  constructor(options: SnmpAgentOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.access = new CommunityAccess(options.config.communities);
    this.limited = new RateLimitedLog(options.logger, this.clock);
    this.sysDescr = options.sysDescr ?? `envirowatch environment sensor, ${osType()} ${release()} ${arch()}`;
  }

  /**
   * Binds every configured address; rejects with SnmpBindError (and binds none) if any fails. First
   * opens our engine: localises the v3 users' keys and, with `engineBootsFile`, counts this start
   * in it (rejects with EngineBootsError when that file cannot be read or written).
   */
  async start(): Promise<{ addresses: string[] }> {
    if (this.sockets.length > 0) throw new EnvirowatchError('SNMP agent already started');
    const { addresses, port, communities, v3Users, engineId, engineBootsFile } = this.options.config;
    this.startedAt = this.clock.monotonic();
    // Keys are localised here, once: two 1 MB hashes per user.
    this.engine = await openLocalEngine({
      config: { engineId, engineBootsFile },
      users: v3Users,
      now: () => this.clock.monotonic(),
      startedAt: this.startedAt,
    });
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
    if (this.usm) {
      const persisted = engineBootsFile ? {} : { engineBootsKept: 'no (set snmp.engineBootsFile)' };
      this.options.logger.info('SNMPv3 enabled', {
        engineId: this.usm.engineId.toString('hex'),
        engineBoots: this.usm.boots,
        ...persisted,
        users: v3Users.map((user) => user.name).join(','),
      });
    }
    if (communities.length === 0 && !this.usm) this.options.logger.warn('SNMP: no community configured, every request will be refused (set snmp.communities)');
    this.options.logger.info('SNMP agent listening', { addresses: bound.join(',') });
    return { addresses: bound };
  }

  async stop(): Promise<void> {
    const sockets = this.sockets;
    this.sockets = [];
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  /** snmpEngineID in hex once started with v3 users, else undefined. */
  get engineId(): string | undefined {
    return this.usm?.engineId.toString('hex');
  }

  /** Our SNMP engine once started, for SNMPv3 traps to carry the same ID, boots and time. */
  get localEngine(): LocalEngine | undefined {
    return this.engine;
  }

  /** The usmStats counters (RFC 3414 §5), when v3 is enabled. */
  get usmStats(): Readonly<UsmStats> | undefined {
    return this.usm?.stats;
  }

  private bind(address: string, port: number): Promise<Socket> {
    const ipv6 = isIP(address) === 6;
    // IPv6-only so that `0.0.0.0` and `::` can both be listed on one port without EADDRINUSE.
    const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6 });
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        const hint = error.code ? HINTS[error.code] : undefined;
        reject(
          new SnmpBindError(
            `cannot listen for SNMP on udp ${ipv6 ? `[${address}]` : address}:${port}: ${error.code ?? error.message}${hint ? ` (${hint})` : ''}`,
            address,
            port,
            error.code,
          ),
        );
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
    this.counters.packets += 1;
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
      this.limited.warn('internal', 'SNMP: request failed (bug); dropped', () => ({
        from: remote.address,
        error,
        stack: error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined,
      }));
    }
  }

  /** The response datagram for `packet`, or undefined to drop it. */
  private respond(packet: Buffer, remote: RemoteInfo): Buffer | undefined {
    let request: RequestMessage;
    try {
      const decoded = decodeMessage(packet);
      if (decoded.kind === 'v3' && this.usm) return this.respondV3(this.usm, packet, remote);
      if (decoded.kind !== 'request') {
        const reason = decoded.kind === 'v3' ? 'SNMPv3 (no snmp.v3Users configured)' : decoded.reason;
        this.counters.unsupported += 1;
        if (decoded.kind === 'v3' || decoded.badVersion) this.counters.badVersions += 1;
        this.limited.warn('unsupported', 'SNMP: ignored a message this agent does not serve', () => ({ from: remote.address, reason }));
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
      const message =
        decision === 'badCommunity'
          ? 'SNMP: dropped a request with an unknown community'
          : 'SNMP: dropped a request from a source not allowed for its community';
      this.limited.warn(decision, message, () => ({ from: remote.address }));
      return undefined;
    }
    this.counters.requests += 1;
    // Every community is read-only.
    if (request.pduType === PduType.SetRequest) this.counters.badCommunityUses += 1;
    const result = this.counted(handleRequest(request, this.view(), responseEnvelope(request)));
    return result && encodeResponse(request, result);
  }

  private counted(result: HandledRequest | undefined): HandledRequest | undefined {
    if (!result) this.counters.silentDrops += 1;
    else if (result.tooBig) this.counters.tooBig += 1;
    return result;
  }

  /** RFC 3414 §3.2 through the USM, then the same handler and view as v2c (v3 PDUs have v2 semantics). */
  private respondV3(usm: UsmEngine, packet: Buffer, remote: RemoteInfo): Buffer | undefined {
    let outcome: UsmOutcome;
    try {
      outcome = usm.process(packet);
    } catch (error) {
      if (!(error instanceof BerError)) throw error;
      this.counters.malformed += 1;
      this.limited.warn('malformed', 'SNMP: dropped a malformed packet', () => ({
        from: remote.address,
        bytes: packet.length,
        version: 3,
        error: error.message,
      }));
      return undefined;
    }
    if (outcome.kind === 'unsupported') {
      this.counters.unsupported += 1;
      this.limited.warn('unsupported', 'SNMP: ignored a message this agent does not serve', () => ({ from: remote.address, reason: outcome.reason }));
      return undefined;
    }
    if (outcome.kind === 'report') {
      const { stat, user } = outcome;
      const refusal = USM_REFUSALS[stat];
      // Never the keys or passwords; the user name only when it is a configured one.
      if (refusal.level === 'debug') this.options.logger.debug(refusal.message, () => ({ from: remote.address, user }));
      else this.limited.warn(`usm.${stat}`, refusal.message, () => ({ from: remote.address, user, reportSent: outcome.packet !== undefined }));
      return outcome.packet;
    }
    const { context, request: pdu } = outcome;
    this.counters.requests += 1;
    const request: RequestMessage = { version: SnmpVersion.v2c, community: Buffer.alloc(0), ...pdu };
    // The manager's msgMaxSize counts as much as our own limit.
    const result = this.counted(handleRequest(request, this.view(), usm.responseEnvelope(context), Math.min(MAX_RESPONSE_BYTES, context.maxSize)));
    return result && usm.encodeResponse(context, pdu.requestId, result);
  }

  /**
   * The view answered from, rebuilt at most every VIEW_TTL_MS: building the sensors and the system
   * group costs far more than answering, readings change only once per poll, and sysUpTime a
   * tenth of a second late is still right to a manager. The entity's counters and engine time
   * are live instances, read as a request reaches them: a manager reading snmpInPkts twice sees
   * its own reads, and requests that do not read them pay nothing for them.
   */
  private view(): MibView {
    const at = this.clock.monotonic();
    if (!this.cachedView || at - this.cachedView.at >= VIEW_TTL_MS || at < this.cachedView.at) {
      this.cachedView = { at, view: new MibView([...this.sensorAndSystemVarbinds(), ...this.entityInstances], this.objects) };
    }
    return this.cachedView.view;
  }

  private entityState(): SnmpEntityState {
    const { counters } = this;
    const counts = {
      inPkts: counters.packets,
      inBadVersions: counters.badVersions,
      inBadCommunityNames: counters.badCommunity + counters.badSource,
      inBadCommunityUses: counters.badCommunityUses,
      inASNParseErrs: counters.malformed,
      silentDrops: counters.silentDrops,
    };
    const usmStats = this.usm?.stats ?? NO_USM_STATS;
    return { counts, engine: this.engine!, maxMessageSize: OUR_MAX_SIZE, usmStats };
  }

  private sensorAndSystemVarbinds(): Varbind[] {
    const { config, units, thresholds } = this.options;
    const now = this.clock.now();
    const rows = sensorRows({ snapshot: this.options.snapshot(), units, thresholds, now });
    const system = systemVarbinds({
      sysDescr: this.sysDescr,
      sysContact: config.sysContact,
      sysName: config.sysName ?? this.hostname,
      sysLocation: config.sysLocation,
      upTimeTicks: this.upTimeTicks(),
    });
    return [...system, ...sensorTableVarbinds(rows)];
  }

  /** sysUpTime in hundredths of a second since start(), on the monotonic clock; also for notifications. */
  upTimeTicks(): number {
    return Math.floor((this.clock.monotonic() - this.startedAt) / 10);
  }
}
