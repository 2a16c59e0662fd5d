import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { BerError, BerReader } from '../ber.js';
import { SNMP_VERSION_3, type Varbind } from '../message/message.js';
import type { NotificationReceiver } from './receiver-config.js';
import { decodeInformResponse, encodeNotification } from './pdu.js';
import { decodeV3Reply } from './v3.js';
import type { LocalEngine } from '../v3/local-engine.js';
import { V3ReceiverSession } from './v3-session.js';
import { RateLimitedLog } from '../../common/rate-limited-log.js';
import { decodeV3Message } from '../v3/message.js';

export interface NotificationSenderOptions {
  /** From `notificationsConfigSchema` (timeouts already in ms). */
  readonly receivers: readonly NotificationReceiver[];
  readonly logger: Logger;
  /** Times inform retries (`sleep`) and log rate limits. A ManualClock makes every wait instant. */
  readonly clock?: Clock | undefined;
  /** sysUpTime.0 in hundredths of a second, normally the SNMP agent's, so both say the same. */
  readonly sysUpTime: () => number;
  /** Informs awaiting acknowledgement per receiver; a new one beyond this drops the oldest. */
  readonly maxPendingInforms?: number | undefined;
  /**
   * The agent's own SNMP engine (ID, boots, time): authoritative for SNMPv3 traps. Required when a
   * receiver is v3 with kind trap; the service passes the one the agent answers v3 requests with.
   */
  readonly localEngine?: LocalEngine | undefined;
}

export interface NotificationCounters {
  /** Notifications whose first datagram left (traps and informs; resends are `retried`). */
  sent: number;
  /** Informs the receiver acknowledged with a Response. */
  acknowledged: number;
  /** Inform resends after a timeout (not the immediate resend after a v3 discovery or time Report). */
  retried: number;
  /**
   * Traps that could not be sent (DNS failure, no route); informs unacknowledged after every retry,
   * or refused by a v3 receiver's Report (unknown user, wrong digest, decryption error).
   */
  failed: number;
  /** Informs abandoned unfinished: pushed out of a full queue, or pending at close(); notify() after close(). */
  dropped: number;
}

export const DEFAULT_MAX_PENDING_INFORMS = 100;

/** What became of one notification at one receiver (`send` gives one per receiver, in order). */
export type NotificationOutcome =
  { readonly to: string; readonly delivered: true } | { readonly to: string; readonly delivered: false; readonly reason: string };

interface PendingInform {
  readonly requestId: number;
  readonly receiver: NotificationReceiver;
  readonly controller: AbortController;
  acked: boolean;
  dropped: boolean;
  /** v3: the msgIDs of every datagram sent for it (probe, inform copies), to match Reports and Responses. */
  readonly msgIds: number[];
  /** v3: aborted when a Report lets us resend at once instead of waiting out the timeout. */
  wake?: AbortController | undefined;
  /** v3: the Report that refused it; ends it as failed. */
  refused?: string | undefined;
}

/** v3: resends at once after a Report (discovery, time window) per inform, beyond which Reports wait for the timeout. */
const MAX_IMMEDIATE_RESENDS = 3;
const MAX_INT31 = 2 ** 31 - 1;

const describe = (error: unknown) => (error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error));
function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

/** IPv6 addresses in one spelling (`0:0::1` and `::1` are one receiver); anything else unchanged. */
function canonicalIp(address: string): string {
  if (isIP(address) !== 6) return address;
  try {
    return new URL(`udp://[${address}]`).hostname.slice(1, -1);
  } catch {
    return address; // a zone index (fe80::1%eth0), which URL does not take
  }
}

const target = (receiver: NotificationReceiver) => (isIP(receiver.host) === 6 ? `[${receiver.host}]:${receiver.port}` : `${receiver.host}:${receiver.port}`);

/**
 * Sends an SNMPv2c or SNMPv3 (USM authPriv, v3-session.ts) trap or inform to every
 * receiver: `send` takes the varbinds (sysUpTime.0, snmpTrapOID.0, then the objects) and never
 * throws; callers that must not wait (the agent's reading loop) need not await it. Informs wait for their
 * acknowledgement concurrently: resent after `timeout`, then after 2×, 4×… `timeout`, until
 * acknowledged or `retries` resends are used up. Send errors and failures are counted and logged
 * at most once per 10 s per receiver.
 *
 * Responses are matched by request-id (random start, so not guessable from outside), from the
 * receiver's port and, when the receiver is given as an address, from that address; v3 replies by
 * msgID first, then authenticated and decrypted with the receiver's keys.
 */
export class NotificationSender {
  readonly counters: NotificationCounters = { sent: 0, acknowledged: 0, retried: 0, failed: 0, dropped: 0 };
  private readonly options: NotificationSenderOptions;
  private readonly clock: Clock;
  private readonly limited: RateLimitedLog;
  private readonly maxPending: number;
  private readonly sockets = new Map<'udp4' | 'udp6', Socket>();
  private readonly pending = new Map<number, PendingInform>();
  /** v3 informs by the msgID of each datagram sent for them. */
  private readonly byMsgId = new Map<number, PendingInform>();
  /** Per receiver (by position in `receivers`): its USM state when it is v3. */
  private readonly sessions: (V3ReceiverSession | undefined)[];
  /** Per receiver (by position in `receivers`), oldest first, for the queue bound. */
  private readonly queues: PendingInform[][];
  /** Sends and inform loops still running; close() waits for them. */
  private readonly running = new Set<Promise<unknown>>();
  private nextRequestId = randomInt(1, MAX_INT31);
  private nextMsgId = randomInt(1, MAX_INT31);
  private closed = false;

  constructor(options: NotificationSenderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.limited = new RateLimitedLog(options.logger, this.clock);
    this.maxPending = Math.max(1, options.maxPendingInforms ?? DEFAULT_MAX_PENDING_INFORMS);
    this.queues = options.receivers.map(() => []);
    this.sessions = options.receivers.map((receiver) => {
      if (!receiver.v3) return undefined;
      if (receiver.kind === 'trap' && !options.localEngine)
        throw new Error("NotificationSender: a v3 trap receiver needs options.localEngine (the agent's engine)");
      // Keys derived here, once per receiver: two 1 MB hashes.
      return new V3ReceiverSession({ user: receiver.v3, local: options.localEngine, monotonic: () => this.clock.monotonic() });
    });
  }

  /**
   * Sends one notification to every receiver. Resolves, never rejects, once each has settled: a
   * trap when its datagram left, an inform when acknowledged or given up.
   */
  send(varbinds: readonly Varbind[]): Promise<NotificationOutcome[]> {
    const { receivers } = this.options;
    if (this.closed) {
      this.counters.dropped += receivers.length;
      return Promise.resolve(receivers.map((receiver) => ({ to: target(receiver), delivered: false, reason: 'sender closed' })));
    }
    try {
      const outcomes = receivers.map((receiver, index) => {
        const requestId = this.takeRequestId();
        const session = this.sessions[index];
        if (receiver.kind === 'inform') {
          const packet = session ? undefined : this.v2cPacket(receiver, requestId, varbinds);
          return this.startInform(index, receiver, requestId, (inform) => packet ?? this.v3InformPacket(session!, inform, varbinds));
        }
        return this.track(
          this.sendTrap(receiver, session ? session.trap(this.takeMsgId(), requestId, varbinds) : this.v2cPacket(receiver, requestId, varbinds)),
          target(receiver),
        );
      });
      this.options.logger.debug(
        () => 'SNMP notification queued',
        () => ({ trapOid: varbinds[1]?.value.type === 'oid' ? varbinds[1].value.value.join('.') : undefined, receivers: receivers.length }),
      );
      return Promise.all(outcomes);
    } catch (error) {
      // A bug in building the message; the caller must not notice beyond the outcome.
      this.counters.failed += receivers.length;
      this.limited.warn('internal', 'SNMP notification could not be built (bug); not sent', () => ({ error }));
      return Promise.resolve(receivers.map((receiver) => ({ to: target(receiver), delivered: false, reason: `internal error: ${describe(error)}` })));
    }
  }

  /** Abandons pending informs (counted dropped), waits for sends under way, closes the sockets. */
  async close(): Promise<void> {
    this.closed = true;
    for (const inform of this.pending.values()) this.drop(inform);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
  }

  private takeRequestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= MAX_INT31 ? 1 : id + 1;
    return id;
  }

  private takeMsgId(): number {
    const id = this.nextMsgId;
    this.nextMsgId = id >= MAX_INT31 ? 1 : id + 1;
    return id;
  }

  private v2cPacket(receiver: NotificationReceiver, requestId: number, varbinds: readonly Varbind[]): Buffer {
    return encodeNotification({ kind: receiver.kind, community: receiver.community ?? '', requestId, varbinds });
  }

  /** Encoded at each attempt: the engine time moves on, and a Report may have taught us the engine. */
  private v3InformPacket(session: V3ReceiverSession, inform: PendingInform, varbinds: readonly Varbind[]): Buffer {
    const msgId = this.takeMsgId();
    inform.msgIds.push(msgId);
    this.byMsgId.set(msgId, inform);
    return session.inform(msgId, inform.requestId, varbinds);
  }

  private track(work: Promise<NotificationOutcome>, to: string): Promise<NotificationOutcome> {
    const settled = work
      .catch((error: unknown): NotificationOutcome => {
        this.limited.warn('internal', 'SNMP notification failed (bug)', () => ({ error: describe(error) }));
        return { to, delivered: false, reason: `internal error: ${describe(error)}` };
      })
      .finally(() => this.running.delete(settled));
    this.running.add(settled);
    return settled;
  }

  private async sendTrap(receiver: NotificationReceiver, packet: Buffer): Promise<NotificationOutcome> {
    const error = await this.transmit(receiver, packet);
    if (!error) {
      this.counters.sent += 1;
      return { to: target(receiver), delivered: true };
    }
    this.counters.failed += 1;
    this.limited.warn(`send:${target(receiver)}`, 'SNMP trap could not be sent', () => ({ to: target(receiver), error: describe(error) }));
    return { to: target(receiver), delivered: false, reason: `not sent: ${describe(error)}` };
  }

  private startInform(
    index: number,
    receiver: NotificationReceiver,
    requestId: number,
    nextPacket: (inform: PendingInform) => Buffer,
  ): Promise<NotificationOutcome> {
    const queue = this.queues[index]!;
    while (queue.length >= this.maxPending) this.drop(queue[0]!);
    const inform: PendingInform = { requestId, receiver, controller: new AbortController(), acked: false, dropped: false, msgIds: [] };
    this.pending.set(requestId, inform);
    queue.push(inform);
    return this.track(
      this.runInform(inform, nextPacket).finally(() => {
        this.pending.delete(requestId);
        for (const msgId of inform.msgIds) this.byMsgId.delete(msgId);
        remove(queue, inform);
      }),
      target(receiver),
    );
  }

  private drop(inform: PendingInform): void {
    if (inform.dropped || inform.acked) return;
    inform.dropped = true;
    inform.controller.abort();
    remove(this.queues[this.options.receivers.indexOf(inform.receiver)] ?? [], inform);
  }

  /**
   * Sends, waits, resends with doubling waits; settles the inform's counter exactly once. A v3
   * Report that teaches us the receiver's engine or time wakes the wait and resends at once
   * (at most MAX_IMMEDIATE_RESENDS times); one that refuses our user or keys ends it.
   */
  private async runInform(inform: PendingInform, nextPacket: (inform: PendingInform) => Buffer): Promise<NotificationOutcome> {
    const { receiver, controller } = inform;
    const { signal } = controller;
    let sent = false;
    let attempt = 0;
    let immediate = 0;
    while (!inform.acked && !signal.aborted && !inform.refused) {
      // Armed before sending, so that a Report arriving before the wait starts still cuts it short.
      const wake = new AbortController();
      inform.wake = wake;
      const error = await this.transmit(receiver, nextPacket(inform));
      if (error) {
        this.limited.warn(`send:${target(receiver)}`, 'SNMP inform could not be sent', () => ({
          to: target(receiver),
          attempt,
          of: receiver.retries + 1,
          error: describe(error),
        }));
      } else if (!sent) {
        sent = true;
        this.counters.sent += 1;
      }
      if (inform.acked || signal.aborted || inform.refused) break;
      await this.clock.sleep(receiver.timeout * 2 ** attempt, AbortSignal.any([signal, wake.signal]));
      inform.wake = undefined;
      if (wake.signal.aborted && !inform.refused && immediate < MAX_IMMEDIATE_RESENDS) {
        immediate += 1;
        continue;
      }
      if (inform.acked || signal.aborted || inform.refused || attempt >= receiver.retries) break;
      attempt += 1;
      this.counters.retried += 1;
    }
    const to = target(receiver);
    if (inform.acked) {
      this.counters.acknowledged += 1;
      return { to, delivered: true };
    }
    if (inform.dropped) {
      this.counters.dropped += 1;
      this.limited.warn(`dropped:${to}`, 'SNMP inform abandoned unacknowledged (queue full or closing)', () => ({ to }));
      return { to, delivered: false, reason: 'abandoned unacknowledged (queue full or closing)' };
    }
    this.counters.failed += 1;
    if (inform.refused) {
      this.limited.warn(`refused:${to}`, 'SNMPv3 inform refused by the receiver; check the v3 user, passwords and protocols on both sides', () => ({
        to,
        user: receiver.v3?.name,
        report: inform.refused,
      }));
      return { to, delivered: false, reason: `refused by the receiver: ${inform.refused}` };
    }
    this.limited.warn(`failed:${to}`, 'SNMP inform not acknowledged; giving up', () => ({ to, attempts: receiver.retries + 1 }));
    return { to, delivered: false, reason: `not acknowledged after ${receiver.retries + 1} attempts` };
  }

  /** One datagram; resolves with the send error (DNS, no route, closed socket) instead of throwing. */
  private transmit(receiver: NotificationReceiver, packet: Buffer): Promise<Error | undefined> {
    return new Promise((resolve) => {
      try {
        this.socketFor(receiver).send(packet, receiver.port, receiver.host, (error) => resolve(error ?? undefined));
      } catch (error) {
        resolve(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  private socketFor(receiver: NotificationReceiver): Socket {
    const type = isIP(receiver.host) === 6 ? 'udp6' : 'udp4';
    let socket = this.sockets.get(type);
    if (!socket) {
      socket = createSocket({ type });
      socket.on('message', (packet, remote) => this.onResponse(packet, remote));
      socket.on('error', (error) => this.limited.warn(`socket:${type}`, 'SNMP notification socket error', () => ({ error: describe(error) })));
      this.sockets.set(type, socket);
    }
    return socket;
  }

  private onResponse(packet: Buffer, remote: RemoteInfo): void {
    try {
      if (isV3(packet)) this.onV3Reply(packet, remote);
      else this.onV2cResponse(packet, remote);
    } catch (error) {
      // Not rethrown even if it is not a BerError: this runs in a socket event and must not crash.
      const kind = error instanceof BerError ? 'malformed' : 'internal';
      this.limited.warn(kind, 'SNMP: dropped an undecodable packet on the notification socket', () => ({ from: remote.address, error: describe(error) }));
    }
  }

  private onV2cResponse(packet: Buffer, remote: RemoteInfo): void {
    const response = decodeInformResponse(packet);
    const inform = response && this.pending.get(response.requestId);
    if (!inform || inform.receiver.v3 || !fromReceiver(inform.receiver, remote)) return this.ignored(remote);
    this.acknowledge(inform);
  }

  /** Matched by msgID, then authenticated (and decrypted) with the keys of that inform's receiver. */
  private onV3Reply(packet: Buffer, remote: RemoteInfo): void {
    const header = decodeV3Message(packet);
    const inform = header.kind === 'message' ? this.byMsgId.get(header.message.msgId) : undefined;
    const session = inform && this.sessions[this.options.receivers.indexOf(inform.receiver)];
    if (!inform || !session || !fromReceiver(inform.receiver, remote)) return this.ignored(remote);
    const reply = decodeV3Reply(packet, session.replyKeys);
    if (reply.kind === 'response') {
      if (reply.requestId === inform.requestId) this.acknowledge(inform);
      return;
    }
    if (reply.kind === 'rejected') {
      this.limited.warn(
        `rejected:${target(inform.receiver)}`,
        'SNMPv3: dropped a reply from a notification receiver that does not authenticate or decrypt',
        () => ({ to: target(inform.receiver), reason: reply.reason }),
      );
      return;
    }
    const verdict = session.onReport(reply);
    this.options.logger.debug(
      () => 'SNMPv3: Report from a notification receiver',
      () => ({ to: target(inform.receiver), report: reply.stat, verdict: verdict.kind, engineId: session.receiverEngineId }),
    );
    if (verdict.kind === 'ignore' || inform.acked || inform.dropped) return;
    if (verdict.kind === 'refused') inform.refused = verdict.stat;
    inform.wake?.abort();
  }

  private acknowledge(inform: PendingInform): void {
    if (inform.acked || inform.dropped) return;
    inform.acked = true;
    inform.controller.abort();
  }

  private ignored(remote: RemoteInfo): void {
    this.options.logger.debug(
      () => 'SNMP: ignored an unexpected packet on the notification socket',
      () => ({ from: `${remote.address}:${remote.port}` }),
    );
  }
}

/** From the receiver's port and, when it is given as an address, from that address. */
function fromReceiver(receiver: NotificationReceiver, remote: RemoteInfo): boolean {
  return remote.port === receiver.port && (isIP(receiver.host) === 0 || canonicalIp(remote.address) === canonicalIp(receiver.host));
}

/** msgVersion 3; throws BerError for what is not an SNMP message at all. */
function isV3(packet: Buffer): boolean {
  return new BerReader(packet).readSequence().readInteger() === SNMP_VERSION_3;
}
