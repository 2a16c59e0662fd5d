/**
 * One SNMPv3 notification receiver's USM state on our (sending) side: its user's keys and, for
 * informs, what we know of the receiver's engine (RFC 3414 §2.3: the non-authoritative side keeps
 * the authoritative engine's ID, boots and an estimate of its time). No sockets and no timers:
 * NotificationSender asks it for the next datagram and hands it the receiver's Reports.
 *
 * - Traps: we are authoritative (RFC 3414 §1.5.1); keys localised once with our engine ID,
 *   boots and time are the agent's own (`LocalEngine`).
 * - Informs: the receiver is authoritative. Until its engine is known, the next datagram is the
 *   discovery probe (RFC 3414 §4); its usmStatsUnknownEngineIDs Report gives ID, boots and time.
 *   An authenticated notInTimeWindows Report (receiver restarted: new boots) updates boots and
 *   time; an unknownEngineIDs Report to an inform (receiver got a new engine ID) relearns the ID.
 */
import type { LocalEngine } from '../v3/local-engine.js';
import type { Varbind } from '../message/message.js';
import { encodeDiscoveryProbe, encodeV3Notification, localizeKeys, masterKeys, type V3LocalKeys, type V3MasterKeys, type V3Reply } from './v3.js';
import type { SnmpV3User } from '../v3/config.js';

interface RemoteEngine {
  readonly keys: V3LocalKeys;
  readonly boots: number;
  /** The receiver's snmpEngineTime when we learnt it, and our monotonic ms at that moment. */
  readonly time: number;
  readonly learnedAt: number;
}

/** What a Report means for the inform it answers. */
export type ReportVerdict =
  /** We learnt the engine ID or its boots/time: send again at once. */
  | { readonly kind: 'resend' }
  /** Not usable (an unauthenticated time-window Report, an unknown counter): keep waiting. */
  | { readonly kind: 'ignore' }
  /** The receiver refuses our user or keys (wrong password, unknown user): resending cannot help. */
  | { readonly kind: 'refused'; readonly stat: string };

const MAX_INT32 = 2 ** 31 - 1;
const REFUSALS = new Set(['unknownUserNames', 'wrongDigests', 'decryptionErrors', 'unsupportedSecLevels']);

export class V3ReceiverSession {
  private readonly master: V3MasterKeys;
  private readonly local: LocalEngine | undefined;
  private readonly trapKeys: V3LocalKeys | undefined;
  private readonly monotonic: () => number;
  private remote: RemoteEngine | undefined;

  /** Derives the keys (two 1 MB hashes); `local` is needed for traps only. */
  constructor(options: { user: SnmpV3User; local: LocalEngine | undefined; monotonic: () => number }) {
    this.master = masterKeys(options.user);
    this.local = options.local;
    this.trapKeys = options.local && localizeKeys(this.master, options.local.engineId);
    this.monotonic = options.monotonic;
  }

  /** An authPriv SNMPv2-Trap with our engine as the authoritative one. */
  trap(msgId: number, requestId: number, varbinds: readonly Varbind[]): Buffer {
    if (!this.local || !this.trapKeys) throw new Error('V3ReceiverSession: a v3 trap needs the local engine');
    return encodeV3Notification({ kind: 'trap', keys: this.trapKeys, boots: this.local.boots, time: this.local.time(), msgId, requestId, varbinds });
  }

  /** The InformRequest when the receiver's engine is known, else the discovery probe. */
  inform(msgId: number, requestId: number, varbinds: readonly Varbind[]): Buffer {
    const remote = this.remote;
    if (!remote) return encodeDiscoveryProbe(msgId, requestId);
    return encodeV3Notification({ kind: 'inform', keys: remote.keys, boots: remote.boots, time: this.estimatedTime(remote), msgId, requestId, varbinds });
  }

  /** Keys to authenticate and decrypt the receiver's replies with; undefined before discovery. */
  get replyKeys(): V3LocalKeys | undefined {
    return this.remote?.keys;
  }

  /** The receiver's engine ID in hex once discovered, for logs. */
  get receiverEngineId(): string | undefined {
    return this.remote?.keys.engineId.toString('hex');
  }

  onReport(report: Extract<V3Reply, { kind: 'report' }>): ReportVerdict {
    if (report.stat === 'unknownEngineIDs') {
      // RFC 3414 §4: discovery is unauthenticated by design; a wrong ID only makes the next inform fail.
      if (report.engineId.length === 0) return { kind: 'ignore' };
      this.learn(report.engineId, report.boots, report.time);
      return { kind: 'resend' };
    }
    if (report.stat === 'notInTimeWindows') {
      // RFC 3414 §3.2 step 7b: only an authenticated Report may move our idea of its clock.
      if (!report.authenticated || !this.remote) return { kind: 'ignore' };
      this.learn(report.engineId, report.boots, report.time);
      return { kind: 'resend' };
    }
    return REFUSALS.has(report.stat) ? { kind: 'refused', stat: report.stat } : { kind: 'ignore' };
  }

  private learn(engineId: Buffer, boots: number, time: number): void {
    const keys = this.remote?.keys.engineId.equals(engineId) ? this.remote.keys : localizeKeys(this.master, engineId);
    this.remote = { keys, boots, time, learnedAt: this.monotonic() };
  }

  private estimatedTime(remote: RemoteEngine): number {
    return Math.min(MAX_INT32, remote.time + Math.max(0, Math.floor((this.monotonic() - remote.learnedAt) / 1000)));
  }
}
