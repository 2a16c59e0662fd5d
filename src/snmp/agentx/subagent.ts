/**
 * An AgentX subagent (RFC 2741) of a master agent such as Net-SNMP's snmpd (`master agentx`):
 * registers one subtree and answers the master's Get/GetNext/GetBulk from the view it is given.
 * snmpd keeps its own MIBs, system group included, and does the SNMP side (communities, v3,
 * access control).
 *
 * Lifecycle: connect → Open (wait `timeout`) → Register (wait `timeout`) → serve until the
 * connection closes or the master sends Close → wait (1 s, doubling to `reconnectMaxDelay`,
 * back to 1 s after a successful registration) → connect again, until stop().
 * Nothing the master sends can throw out of the handlers: bad PDUs are counted, logged at a
 * bounded rate and answered with parseError; a stream whose framing is lost is dropped and
 * reconnected.
 */
import { createConnection, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../common/clock.js';
import { EnvirowatchError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { parseAgentxSocket, type AgentxConfig, type AgentxEndpoint } from './config.js';
import { answerGet, answerGetBulk, answerGetNext } from './handler.js';
import {
  AgentxError,
  AgentxFramer,
  AgentxFramingError,
  AgentxParseError,
  AgentxType,
  CloseReason,
  decodePdu,
  encodeClose,
  encodeOpen,
  encodeRegister,
  encodeResponse,
  type AgentxFrame,
  type AgentxHeader,
  type AgentxPdu,
  type HeaderFields,
} from './pdu.js';
import type { Varbind } from '../message/message.js';
import { formatOid, type Oid } from '../oid.js';
import type { MibView } from '../responder/request-handler.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';

export interface AgentxSubagentOptions {
  readonly config: AgentxConfig;
  /** Who we are to the master: the Open PDU's o.id and o.descr (RFC 2741 §6.2.1). */
  readonly id: Oid;
  readonly descr: string;
  /** The one subtree registered, in the default context, priority 127. */
  readonly subtree: Oid;
  /** What is served; called once per request, so it must not block. */
  readonly view: () => MibView;
  readonly logger: Logger;
  /** Open/Register timeouts and the reconnection backoff. */
  readonly clock?: Clock | undefined;
}

export interface AgentxCounters {
  /** Connections established to the master. */
  connects: number;
  /** Connection attempts that failed (no socket, refused, timed out before registering). */
  connectFailures: number;
  /** Successful Open + Register sequences. */
  registrations: number;
  /** Connections lost or closed, for any reason. */
  disconnects: number;
  /** Close PDUs received from the master. */
  closesFromMaster: number;
  /** Get/GetNext/GetBulk answered. */
  requests: number;
  /** PDUs that did not parse, with a session ID not ours, or a stream that lost its framing. */
  badPdus: number;
  /** Well-formed PDUs we do not serve (Set phases, unexpected Responses, …). */
  unsupported: number;
  /** Our own bugs, caught so that one PDU cannot stop the subagent. */
  internalErrors: number;
}

const FIRST_RETRY_MS = 1000;
/** How long stop() waits for the master to close the connection after our Close. */
const CLOSE_GRACE_MS = 1000;

type Phase = 'connecting' | 'opening' | 'registering' | 'registered';

/** One connection to the master, from connect to close. */
interface Session {
  readonly socket: Socket;
  phase: Phase;
  sessionId: number;
  /** packetID of the Open or Register we wait on. */
  awaiting: number;
  /** Aborts the Open/Register timeout. */
  timer: AbortController;
}

export class AgentxSubagent {
  readonly counters: AgentxCounters = {
    connects: 0,
    connectFailures: 0,
    registrations: 0,
    disconnects: 0,
    closesFromMaster: 0,
    requests: 0,
    badPdus: 0,
    unsupported: 0,
    internalErrors: 0,
  };
  private readonly options: AgentxSubagentOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly limited: RateLimitedLog;
  private readonly endpoint: AgentxEndpoint;
  private session: Session | undefined;
  private packetId = 0;
  private running = false;
  private backoff = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: AgentxSubagentOptions) {
    const endpoint = parseAgentxSocket(options.config.socket);
    if (!endpoint) throw new EnvirowatchError(`snmp.agentx.socket: cannot use "${options.config.socket}"`);
    this.endpoint = endpoint;
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.limited = new RateLimitedLog(options.logger, this.clock);
  }

  /** True while registered with the master (requests are being served). */
  get registered(): boolean {
    return this.session?.phase === 'registered';
  }

  /**
   * Makes the first connection attempt and resolves when it is over: `registered: true` once the
   * master accepted Open and Register, `false` when it could not (no master, refused, timeout).
   * Never rejects for the master's sake: either way it keeps (re)connecting in the background
   * until stop(), so its user (the agent) does not depend on starting after snmpd.
   */
  start(): Promise<{ registered: boolean }> {
    if (this.running) throw new EnvirowatchError('AgentX subagent already started');
    this.running = true;
    this.backoff = new AbortController();
    return new Promise((resolve) => {
      this.loop = this.run((registered) => resolve({ registered }));
    });
  }

  /** Sends Close (shutdown) if registered, closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.backoff.abort();
    const session = this.session;
    if (session) {
      if (session.phase === 'registered' && session.socket.writable) {
        session.socket.write(encodeClose(this.fields(session), CloseReason.shutdown));
      }
      if (session.phase !== 'registered') session.socket.destroy();
      else session.socket.end();
      const force = setTimeout(() => session.socket.destroy(), CLOSE_GRACE_MS);
      force.unref();
    }
    await this.loop;
  }

  private async run(firstAttempt: (registered: boolean) => void): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let first: ((registered: boolean) => void) | undefined = firstAttempt;
    while (this.running) {
      const registered = await this.connect((ok) => {
        first?.(ok);
        first = undefined;
      });
      first?.(false);
      first = undefined;
      if (!this.running) break;
      if (registered) delay = FIRST_RETRY_MS;
      this.logger.debug(
        () => 'AgentX: reconnecting',
        () => ({ socket: this.options.config.socket, inMs: delay }),
      );
      await this.clock.sleep(delay, this.backoff.signal);
      delay = Math.min(delay * 2, this.options.config.reconnectMaxDelay);
    }
  }

  /** One connection; resolves when it is closed, with whether it got registered. `settled` is called once registered or failed. */
  private connect(settled: (registered: boolean) => void): Promise<boolean> {
    return new Promise((resolve) => {
      const socket =
        this.endpoint.kind === 'unix'
          ? createConnection({ path: this.endpoint.path })
          : createConnection({ host: this.endpoint.host, port: this.endpoint.port });
      const session: Session = { socket, phase: 'connecting', sessionId: 0, awaiting: -1, timer: new AbortController() };
      this.session = session;
      const framer = new AgentxFramer();
      let wasRegistered = false;
      let lastError: unknown;

      this.startTimer(session, 'connect');
      socket.on('connect', () => {
        this.counters.connects += 1;
        session.phase = 'opening';
        session.awaiting = this.nextPacketId();
        const timeoutSeconds = Math.min(255, Math.ceil(this.options.config.timeout / 1000));
        this.send(
          session,
          encodeOpen(
            { sessionId: 0, transactionId: 0, packetId: session.awaiting },
            { timeout: timeoutSeconds, id: this.options.id, descr: this.options.descr },
          ),
        );
        this.startTimer(session, 'Open');
      });
      socket.on('data', (chunk: Buffer) => {
        let frames: AgentxFrame[];
        try {
          frames = framer.push(chunk);
        } catch (error) {
          this.counters.badPdus += 1;
          this.limited.warn('framing', 'AgentX: lost the framing of the stream from the master; reconnecting', () => ({ error }));
          socket.destroy();
          return;
        }
        if (frames.length > 1)
          this.logger.debug(
            () => 'AgentX: several PDUs in one chunk',
            () => ({ pdus: frames.length }),
          );
        for (const frame of frames) {
          if (socket.destroyed) return;
          this.onFrame(session, frame, () => {
            wasRegistered = true;
            settled(true);
          });
        }
      });
      socket.on('error', (error) => {
        lastError = error;
      });
      socket.on('close', () => {
        session.timer.abort();
        if (this.session === session) this.session = undefined;
        if (session.phase === 'registered' || session.phase === 'opening' || session.phase === 'registering') this.counters.disconnects += 1;
        if (!wasRegistered) {
          this.counters.connectFailures += 1;
          if (this.running) {
            this.limited.warn('connect', 'AgentX: could not register with the master agent (is snmpd running with `master agentx`?)', () => ({
              socket: this.options.config.socket,
              phase: session.phase,
              error: lastError,
            }));
          }
        } else if (this.running) {
          this.logger.warn('AgentX: connection to the master agent lost; reconnecting', { socket: this.options.config.socket, error: lastError });
        }
        settled(false);
        resolve(wasRegistered);
      });
    });
  }

  /** Drops the connection when the master has not answered within `timeout`. */
  private startTimer(session: Session, what: string): void {
    session.timer.abort();
    const timer = new AbortController();
    session.timer = timer;
    void this.clock.sleep(this.options.config.timeout, timer.signal).then(() => {
      if (timer.signal.aborted || session.socket.destroyed) return;
      this.limited.warn('timeout', `AgentX: the master agent did not answer ${what} in time`, () => ({
        socket: this.options.config.socket,
        timeoutMs: this.options.config.timeout,
      }));
      session.socket.destroy();
    });
  }

  private onFrame(session: Session, frame: AgentxFrame, onRegistered: () => void): void {
    let pdu: AgentxPdu;
    try {
      pdu = decodePdu(frame.bytes);
    } catch (error) {
      if (!(error instanceof AgentxParseError || error instanceof AgentxFramingError)) {
        // A decoder bug: counted apart from bad input, and still not allowed to stop the subagent.
        this.counters.internalErrors += 1;
        this.limited.warn('internal', 'AgentX: decoding a PDU failed (bug)', () => ({ type: frame.header.type, error }));
        return;
      }
      this.counters.badPdus += 1;
      this.limited.warn('malformed', 'AgentX: dropped a malformed PDU from the master', () => ({
        type: frame.header.type,
        bytes: frame.bytes.length,
        error: error.message,
      }));
      // §6.2.16: a request we cannot parse is answered with parseError; never answer a Response.
      if (frame.header.type !== AgentxType.Response && frame.header.type !== AgentxType.CleanupSet) {
        this.send(session, encodeResponse(this.echo(frame.header), { error: AgentxError.parseError }));
      }
      return;
    }
    try {
      this.onPdu(session, pdu, onRegistered);
    } catch (error) {
      this.counters.internalErrors += 1;
      this.limited.warn('internal', 'AgentX: handling a PDU failed (bug)', () => ({
        type: frame.header.type,
        error,
        stack: error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined,
      }));
      if (pdu.kind !== 'response') this.send(session, encodeResponse(this.echo(pdu.header), { error: AgentxError.processingError }));
    }
  }

  private onPdu(session: Session, pdu: AgentxPdu, onRegistered: () => void): void {
    if (pdu.kind === 'response') return this.onResponse(session, pdu, onRegistered);
    if (session.phase !== 'registered' || pdu.header.sessionId !== session.sessionId) {
      this.counters.badPdus += 1;
      this.limited.warn('session', 'AgentX: PDU for a session that is not open', () => ({
        type: pdu.header.type,
        sessionId: pdu.header.sessionId,
        ours: session.phase === 'registered' ? session.sessionId : undefined,
      }));
      if (pdu.kind !== 'close') this.send(session, encodeResponse(this.echo(pdu.header), { error: AgentxError.notOpen }));
      return;
    }
    switch (pdu.kind) {
      case 'get':
      case 'getNext':
      case 'getBulk': {
        this.counters.requests += 1;
        const view = this.options.view();
        const varbinds: Varbind[] =
          pdu.kind === 'getBulk' ? answerGetBulk(view, pdu) : pdu.kind === 'get' ? answerGet(view, pdu.ranges) : answerGetNext(view, pdu.ranges);
        this.send(session, encodeResponse(this.echo(pdu.header), { varbinds }));
        return;
      }
      case 'close':
        this.counters.closesFromMaster += 1;
        this.logger.info('AgentX: the master agent closed the session', { reason: pdu.reason });
        session.socket.end();
        return;
      default:
        return this.onOther(session, pdu.header);
    }
  }

  /** Read-only: a Set is refused at TestSet (§7.2.4.1); CleanupSet has no response. */
  private onOther(session: Session, header: AgentxHeader): void {
    this.counters.unsupported += 1;
    if (header.type === AgentxType.CleanupSet) return;
    const refusal =
      header.type === AgentxType.TestSet
        ? { error: AgentxError.notWritable, index: 1 }
        : header.type === AgentxType.Ping
          ? {}
          : { error: AgentxError.processingError };
    this.send(session, encodeResponse(this.echo(header), refusal));
  }

  private onResponse(session: Session, pdu: Extract<AgentxPdu, { kind: 'response' }>, onRegistered: () => void): void {
    if (pdu.header.packetId !== session.awaiting || (session.phase !== 'opening' && session.phase !== 'registering')) {
      this.counters.unsupported += 1;
      return;
    }
    session.awaiting = -1;
    if (pdu.error !== AgentxError.noAgentXError) {
      const what = session.phase === 'opening' ? 'Open' : 'Register';
      const hint = pdu.error === AgentxError.duplicateRegistration ? ' (another subagent already serves this subtree)' : '';
      this.limited.warn(`refused.${what}`, `AgentX: the master agent refused ${what}${hint}`, () => ({ error: pdu.error }));
      session.socket.destroy();
      return;
    }
    if (session.phase === 'opening') {
      session.sessionId = pdu.header.sessionId;
      session.phase = 'registering';
      session.awaiting = this.nextPacketId();
      this.send(session, encodeRegister(this.fields(session, session.awaiting), { subtree: this.options.subtree }));
      this.startTimer(session, 'Register');
      return;
    }
    session.timer.abort();
    session.phase = 'registered';
    this.counters.registrations += 1;
    this.logger.info('AgentX: registered with the master agent', {
      socket: this.options.config.socket,
      sessionId: session.sessionId,
      subtree: formatOid(this.options.subtree),
    });
    onRegistered();
  }

  private send(session: Session, pdu: Buffer): void {
    if (session.socket.writable) session.socket.write(pdu);
  }

  private nextPacketId(): number {
    this.packetId = (this.packetId + 1) >>> 0 || 1;
    return this.packetId;
  }

  private fields(session: Session, packetId = this.nextPacketId()): HeaderFields {
    return { sessionId: session.sessionId, transactionId: 0, packetId };
  }

  /** A response's header: the request's session, transaction and packet IDs (§6.2.16). */
  private echo(header: AgentxHeader): HeaderFields {
    return { sessionId: header.sessionId, transactionId: header.transactionId, packetId: header.packetId };
  }
}
