/**
 * The User-based Security Model on the authoritative (agent) side: RFC 3414 §3.2 for incoming
 * requests, §3.1 for our responses and Reports (RFC 3412 §7.1 step 3 for which Reports exist).
 * Keys are localised once, at construction; a request costs one HMAC and one AES pass each way.
 *
 * Order of checks (RFC 3414 §3.2 steps 3–8): engine ID, user, security level, digest, time
 * window, decryption. Each failure increments its usmStats counter and, when the message is
 * reportable, answers with a Report carrying that counter.
 */
import { randomBytes } from 'node:crypto';
import { BerError, encodeString } from '../ber.js';
import type { SnmpV3User } from './config.js';
import { PduType, encodePdu, encodeVarbind, type PduFields, type ResponseFields } from '../message/message.js';
import { parseOid } from '../oid.js';
import {
  AES_SALT_BYTES,
  AUTH_PROTOCOLS,
  aesDecrypt,
  aesEncrypt,
  computeMac,
  localizeKey,
  privacyKey,
  passwordToKey,
  verifyMac,
  type AuthProtocol,
} from './usm-crypto.js';
import type { ResponseEnvelope } from '../message/response-size.js';
import {
  MsgFlags,
  decodeScopedPdu,
  decodeV3Message,
  encodeScopedPdu,
  encodeV3Message,
  peekRequestId,
  unwrapDecrypted,
  v3HeaderSize,
  type V3Message,
} from './message.js';

/** usmStats (SNMP-USER-BASED-SM-MIB, 1.3.6.1.6.3.15.1.1): the counters Reports carry. */
export const USM_STATS = {
  unsupportedSecLevels: 1,
  notInTimeWindows: 2,
  unknownUserNames: 3,
  unknownEngineIDs: 4,
  wrongDigests: 5,
  decryptionErrors: 6,
} as const;
export type UsmStatName = keyof typeof USM_STATS;
export type UsmStats = Record<UsmStatName, number>;

export const USM_STATS_OID = parseOid('1.3.6.1.6.3.15.1.1');
/** RFC 3414 §3.2 step 7: 150 seconds either way. */
export const TIME_WINDOW_SECONDS = 150;
const MAX_INT32 = 2 ** 31 - 1;

interface LocalUser {
  readonly name: string;
  readonly auth: AuthProtocol;
  /** Keys localised to our engine ID (privKey: the AES key itself). Never logged. */
  readonly authKey: Buffer;
  readonly privKey: Buffer;
}

/** What answering a request needs to know about it. */
export interface V3RequestContext {
  readonly msgId: number;
  readonly maxSize: number;
  readonly user: LocalUser;
  readonly contextEngineId: Buffer;
  readonly contextName: Buffer;
}

export type UsmOutcome =
  | { readonly kind: 'request'; readonly request: PduFields; readonly context: V3RequestContext }
  /** A security failure: counted; `packet` is the Report to send (undefined when not reportable). */
  | { readonly kind: 'report'; readonly stat: UsmStatName; readonly user: string | undefined; readonly packet: Buffer | undefined }
  /** Well-formed, but not for us: unknown security model, a PDU type we do not serve. */
  | { readonly kind: 'unsupported'; readonly reason: string };

export interface UsmEngineOptions {
  readonly engineId: Buffer;
  readonly users: readonly SnmpV3User[];
  /** snmpEngineBoots (RFC 3414 §2.2.2); 1 while it is not persisted. */
  readonly boots?: number;
  /** Milliseconds on the agent's monotonic clock; snmpEngineTime counts seconds from `startedAt`. */
  readonly now: () => number;
  readonly startedAt: number;
}

export class UsmEngine {
  readonly stats: UsmStats = { unsupportedSecLevels: 0, notInTimeWindows: 0, unknownUserNames: 0, unknownEngineIDs: 0, wrongDigests: 0, decryptionErrors: 0 };
  readonly engineId: Buffer;
  readonly boots: number;
  private readonly users = new Map<string, LocalUser>();
  private readonly options: UsmEngineOptions;
  /** RFC 3826 §3.1.2.1: a 64-bit counter, started at a random value, incremented per message. */
  private salt = randomBytes(AES_SALT_BYTES).readBigUInt64BE();

  constructor(options: UsmEngineOptions) {
    this.options = options;
    this.engineId = options.engineId;
    this.boots = options.boots ?? 1;
    for (const user of options.users) {
      const auth = AUTH_PROTOCOLS[user.authProtocol];
      // The privacy key is localised with the authentication protocol's hash (RFC 3826 §1.2).
      this.users.set(user.name, {
        name: user.name,
        auth,
        authKey: localizeKey(auth.hash, passwordToKey(auth.hash, user.authPassword), this.engineId),
        privKey: privacyKey(user.privProtocol, auth.hash, localizeKey(auth.hash, passwordToKey(auth.hash, user.privPassword), this.engineId)),
      });
    }
  }

  /** snmpEngineTime: seconds since start, saturating at 2³¹−1. */
  time(): number {
    return Math.min(MAX_INT32, Math.max(0, Math.floor((this.options.now() - this.options.startedAt) / 1000)));
  }

  /** RFC 3414 §3.2 on one datagram. Throws BerError for malformed messages (snmpInvalidMsgs). */
  process(packet: Buffer): UsmOutcome {
    const decoded = decodeV3Message(packet);
    if (decoded.kind === 'unsupported') return decoded;
    const message = decoded.message;
    const { security } = message;
    const report = (stat: UsmStatName, user?: LocalUser, authenticated = false): UsmOutcome => this.report(message, stat, user, authenticated);
    // Step 3: only our own engine is known to us; an empty ID is a manager's discovery probe.
    if (!security.engineId.equals(this.engineId)) return report('unknownEngineIDs');
    const userName = security.userName.toString('utf8');
    const user = this.users.get(userName);
    // Buffer → string → Buffer must round-trip, or an invalid UTF-8 name could alias a real one.
    if (!user || !Buffer.from(userName, 'utf8').equals(security.userName)) return report('unknownUserNames');
    // Step 5: every user is authPriv only.
    if ((message.flags & (MsgFlags.auth | MsgFlags.priv)) !== (MsgFlags.auth | MsgFlags.priv)) return report('unsupportedSecLevels', user);
    // Step 6: HMAC over the whole message with msgAuthenticationParameters zeroed (RFC 3414 §6.3.2, RFC 7860 §4.2.2).
    const zeroed = Buffer.from(packet);
    zeroed.fill(0, message.authParamsOffset, message.authParamsOffset + security.authParams.length);
    if (!verifyMac(user.auth, user.authKey, zeroed, security.authParams)) return report('wrongDigests', user);
    // Step 7: the authoritative engine's time window.
    const now = this.time();
    if (this.boots === MAX_INT32 || security.boots !== this.boots || Math.abs(security.time - now) > TIME_WINDOW_SECONDS)
      return report('notInTimeWindows', user, true);
    // Step 8: AES-CFB cannot fail as such; a wrong key shows as plaintext that is not a ScopedPDU.
    if (!message.data.encrypted || security.privParams.length !== AES_SALT_BYTES) return report('decryptionErrors', user);
    let scoped;
    try {
      const plaintext = aesDecrypt({ key: user.privKey, boots: security.boots, time: security.time, salt: security.privParams }, message.data.ciphertext);
      scoped = decodeScopedPdu(unwrapDecrypted(plaintext));
    } catch (error) {
      if (!(error instanceof BerError)) throw error;
      return report('decryptionErrors', user);
    }
    if (typeof scoped.pdu === 'string') return { kind: 'unsupported', reason: scoped.pdu };
    const context = { msgId: message.msgId, maxSize: message.maxSize, user, contextEngineId: scoped.contextEngineId, contextName: scoped.contextName };
    return { kind: 'request', request: scoped.pdu, context };
  }

  /** A Response for `context`, authenticated and encrypted with the user's keys (RFC 3414 §3.1). */
  encodeResponse(context: V3RequestContext, requestId: number, response: ResponseFields): Buffer {
    const scoped = encodeScopedPdu(this.contextEngineId(context), context.contextName, encodePdu(PduType.Response, requestId, response));
    return this.seal({ msgId: context.msgId, userName: Buffer.from(context.user.name, 'utf8'), user: context.user, encrypt: true, scoped });
  }

  /**
   * What `encodeResponse` puts around the PDU, for ../message/response-size.ts: the ScopedPDU's context
   * fields, the encryptedPDU OCTET STRING (AES-CFB keeps the length), the header as `seal` makes it.
   */
  responseEnvelope(context: V3RequestContext): ResponseEnvelope {
    const scopedFields = encodeString(this.contextEngineId(context)).length + encodeString(context.contextName).length;
    const security = {
      engineId: this.engineId,
      boots: this.boots,
      time: this.time(),
      userName: Buffer.from(context.user.name, 'utf8'),
      authParams: Buffer.alloc(context.user.auth.macLength),
      privParams: Buffer.alloc(AES_SALT_BYTES),
    };
    return [scopedFields, 0, v3HeaderSize({ msgId: context.msgId, flags: MsgFlags.auth | MsgFlags.priv, security })];
  }

  /** The request's contextEngineID, or ours when it left it empty. */
  private contextEngineId(context: V3RequestContext): Buffer {
    return context.contextEngineId.length > 0 ? context.contextEngineId : this.engineId;
  }

  /** `known`: the user, when the name is one of ours (only then does it go into logs: an unknown one might be a mistyped secret). */
  private report(message: V3Message, stat: UsmStatName, known: LocalUser | undefined, authenticated: boolean): UsmOutcome {
    this.stats[stat] = (this.stats[stat] + 1) % 2 ** 32;
    const user = known?.name;
    const authUser = authenticated ? known : undefined;
    if ((message.flags & MsgFlags.reportable) === 0) return { kind: 'report', stat, user, packet: undefined };
    const requestId = message.data.encrypted ? 0 : peekRequestId(message.data.scopedPdu);
    const varbind = encodeVarbind({ oid: [...USM_STATS_OID, USM_STATS[stat], 0], value: { type: 'counter32', value: this.stats[stat] } });
    const scoped = encodeScopedPdu(
      this.engineId,
      Buffer.alloc(0),
      encodePdu(PduType.Report, requestId, { errorStatus: 0, errorIndex: 0, varbinds: [varbind] }),
    );
    // RFC 3414 §3.1 step 1 / RFC 3412 §7.1: Reports are noAuthNoPriv, except notInTimeWindows, which
    // is authenticated so that the manager can trust the boots and time it carries.
    const packet = this.seal({ msgId: message.msgId, userName: message.security.userName, user: authUser, encrypt: false, scoped });
    return { kind: 'report', stat, user, packet };
  }

  /** Builds the message: encrypts the ScopedPDU when asked, then fills in the HMAC when `user` is given. */
  private seal(parts: { msgId: number; userName: Buffer; user: LocalUser | undefined; encrypt: boolean; scoped: Buffer }): Buffer {
    const { user } = parts;
    const boots = this.boots;
    const time = this.time();
    let data = parts.scoped;
    let privParams = Buffer.alloc(0);
    if (parts.encrypt && user) {
      this.salt = (this.salt + 1n) & 0xffff_ffff_ffff_ffffn;
      privParams = Buffer.alloc(AES_SALT_BYTES);
      privParams.writeBigUInt64BE(this.salt);
      data = encodeString(aesEncrypt({ key: user.privKey, boots, time, salt: privParams }, parts.scoped));
    }
    const flags = (user ? MsgFlags.auth : 0) | (parts.encrypt && user ? MsgFlags.priv : 0);
    const authParams = Buffer.alloc(user ? user.auth.macLength : 0);
    const { packet, authParamsOffset } = encodeV3Message({
      msgId: parts.msgId,
      flags,
      security: { engineId: this.engineId, boots, time, userName: parts.userName, authParams, privParams },
      data,
    });
    if (user) computeMac(user.auth, user.authKey, packet).copy(packet, authParamsOffset);
    return packet;
  }
}
