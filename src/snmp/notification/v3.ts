/**
 * SNMPv3 (USM authPriv) notification messages: the encoding and decoding half of v3 traps and
 * informs, on top of ../v3/usm-crypto.ts and ../v3/message.ts. No sockets, no clock: the caller supplies
 * the authoritative engine's ID, boots and time.
 *
 * - Trap (RFC 3414 §1.5.1, §3.1): we are authoritative; engine ID/boots/time are ours and the
 *   keys are localised with our engine ID.
 * - Inform: the receiver is authoritative; `encodeDiscoveryProbe` asks for its engine ID
 *   (RFC 3414 §4), `decodeV3Reply` reads the usmStatsUnknownEngineIDs Report, and the keys are
 *   localised with the receiver's engine ID before the InformRequest is sent.
 *
 * v3-session.ts keeps the per-receiver state (keys, the receiver's engine) on top of
 * this; NotificationSender does the sockets and retries (README.md beside this file).
 */
import { randomBytes } from 'node:crypto';
import { BerError, BerReader, Tag, encodeString } from '../ber.js';
import type { SnmpV3User } from '../v3/config.js';
import { PduType, encodePdu, encodeVarbind, type Varbind } from '../message/message.js';
import { NotificationPduType, type NotificationKind } from './pdu.js';
import { parseOid } from '../oid.js';
import {
  AES_SALT_BYTES,
  AUTH_PROTOCOLS,
  aesDecrypt,
  aesEncrypt,
  computeMac,
  localizeKey,
  passwordToKey,
  privacyKey,
  verifyMac,
  type AuthProtocol,
} from '../v3/usm-crypto.js';
import { MsgFlags, decodeV3Message, encodeScopedPdu, encodeV3Message, unwrapDecrypted } from '../v3/message.js';

/** The secrets of a v3 receiver entry; `name` is msgUserName. */
export type V3Credentials = Pick<SnmpV3User, 'name' | 'authProtocol' | 'authPassword' | 'privProtocol' | 'privPassword'>;

/** Ku for both passwords: the 1 MB expansion is done once per receiver, not per engine. */
export interface V3MasterKeys {
  readonly name: Buffer;
  readonly auth: AuthProtocol;
  readonly privProtocol: V3Credentials['privProtocol'];
  readonly authKu: Buffer;
  readonly privKu: Buffer;
}

/** Keys localised to one authoritative engine. Never logged. */
export interface V3LocalKeys {
  readonly name: Buffer;
  readonly auth: AuthProtocol;
  readonly engineId: Buffer;
  readonly authKey: Buffer;
  readonly privKey: Buffer;
}

export function masterKeys(credentials: V3Credentials): V3MasterKeys {
  const auth = AUTH_PROTOCOLS[credentials.authProtocol];
  return {
    name: Buffer.from(credentials.name, 'utf8'),
    auth,
    privProtocol: credentials.privProtocol,
    authKu: passwordToKey(auth.hash, credentials.authPassword),
    privKu: passwordToKey(auth.hash, credentials.privPassword),
  };
}

/** RFC 3414 §2.6; the privacy key is localised with the authentication hash (RFC 3826 §1.2). */
export function localizeKeys(master: V3MasterKeys, engineId: Buffer): V3LocalKeys {
  const { hash } = master.auth;
  return {
    name: master.name,
    auth: master.auth,
    engineId: Buffer.from(engineId),
    authKey: localizeKey(hash, master.authKu, engineId),
    privKey: privacyKey(master.privProtocol, hash, localizeKey(hash, master.privKu, engineId)),
  };
}

export interface V3NotificationInput {
  readonly kind: NotificationKind;
  readonly keys: V3LocalKeys;
  /** msgAuthoritativeEngineBoots/Time of `keys.engineId`. */
  readonly boots: number;
  readonly time: number;
  readonly msgId: number;
  readonly requestId: number;
  readonly varbinds: readonly Varbind[];
  /** 8 bytes; random when absent. */
  readonly salt?: Buffer;
}

/** An authPriv SNMPv2-Trap (unreportable) or InformRequest (reportable) in a v3 message. */
export function encodeV3Notification(input: V3NotificationInput): Buffer {
  const { keys, boots, time } = input;
  const tag = input.kind === 'inform' ? NotificationPduType.InformRequest : NotificationPduType.SNMPv2Trap;
  const pdu = encodePdu(tag, input.requestId, { errorStatus: 0, errorIndex: 0, varbinds: input.varbinds.map((varbind) => encodeVarbind(varbind)) });
  // contextEngineID = the authoritative engine's (RFC 3412 §7.1 step 1).
  const scoped = encodeScopedPdu(keys.engineId, Buffer.alloc(0), pdu);
  const salt = input.salt ?? randomBytes(AES_SALT_BYTES);
  const data = encodeString(aesEncrypt({ key: keys.privKey, boots, time, salt }, scoped));
  const flags = MsgFlags.auth | MsgFlags.priv | (input.kind === 'inform' ? MsgFlags.reportable : 0);
  const { packet, authParamsOffset } = encodeV3Message({
    msgId: input.msgId,
    flags,
    security: { engineId: keys.engineId, boots, time, userName: keys.name, authParams: Buffer.alloc(keys.auth.macLength), privParams: salt },
    data,
  });
  computeMac(keys.auth, keys.authKey, packet).copy(packet, authParamsOffset);
  return packet;
}

/** RFC 3414 §4: noAuthNoPriv, reportable, empty engine ID and user; the receiver answers with a Report. */
export function encodeDiscoveryProbe(msgId: number, requestId: number): Buffer {
  const pdu = encodePdu(PduType.GetRequest, requestId, { errorStatus: 0, errorIndex: 0, varbinds: [] });
  const empty = Buffer.alloc(0);
  return encodeV3Message({
    msgId,
    flags: MsgFlags.reportable,
    security: { engineId: empty, boots: 0, time: 0, userName: empty, authParams: empty, privParams: empty },
    data: encodeScopedPdu(empty, empty, pdu),
  }).packet;
}

const USM_STATS_OID = parseOid('1.3.6.1.6.3.15.1.1');
const USM_STAT_NAMES = ['', 'unsupportedSecLevels', 'notInTimeWindows', 'unknownUserNames', 'unknownEngineIDs', 'wrongDigests', 'decryptionErrors'] as const;

export type V3Reply =
  /** A Report: which usmStats counter (or `other`), and the authoritative engine's parameters it carries. */
  | {
      readonly kind: 'report';
      readonly msgId: number;
      readonly stat: string;
      readonly engineId: Buffer;
      readonly boots: number;
      readonly time: number;
      readonly authenticated: boolean;
    }
  | { readonly kind: 'response'; readonly msgId: number; readonly requestId: number; readonly errorStatus: number }
  /** Well-formed but not usable: wrong digest, unknown engine, undecryptable. */
  | { readonly kind: 'rejected'; readonly msgId: number; readonly reason: string };

/**
 * Decodes a reply on the notification socket. `keys`, when given, authenticate and decrypt it
 * (a Response to an inform, or an authenticated notInTimeWindow Report). Throws BerError on
 * malformed BER.
 */
export function decodeV3Reply(packet: Buffer, keys: V3LocalKeys | undefined): V3Reply {
  const decoded = decodeV3Message(packet);
  if (decoded.kind !== 'message') return { kind: 'rejected', msgId: 0, reason: decoded.reason };
  const { message } = decoded;
  const { security } = message;
  const authenticated = (message.flags & MsgFlags.auth) !== 0;
  if (authenticated) {
    if (!keys || !security.engineId.equals(keys.engineId))
      return { kind: 'rejected', msgId: message.msgId, reason: 'authenticated reply from an unknown engine' };
    const zeroed = Buffer.from(packet);
    zeroed.fill(0, message.authParamsOffset, message.authParamsOffset + security.authParams.length);
    if (!verifyMac(keys.auth, keys.authKey, zeroed, security.authParams)) return { kind: 'rejected', msgId: message.msgId, reason: 'wrong digest' };
  }
  let scoped: Buffer;
  if (message.data.encrypted) {
    if (!keys || !authenticated || security.privParams.length !== AES_SALT_BYTES) return { kind: 'rejected', msgId: message.msgId, reason: 'cannot decrypt' };
    try {
      scoped = unwrapDecrypted(
        aesDecrypt({ key: keys.privKey, boots: security.boots, time: security.time, salt: security.privParams }, message.data.ciphertext),
      );
    } catch (error) {
      if (!(error instanceof BerError)) throw error;
      return { kind: 'rejected', msgId: message.msgId, reason: 'decryption error' };
    }
  } else {
    scoped = message.data.scopedPdu;
  }
  const reader = new BerReader(scoped);
  reader.read(Tag.OctetString); // contextEngineID
  reader.read(Tag.OctetString); // contextName
  const pdu = reader.read();
  const fields = new BerReader(pdu.value);
  const requestId = fields.readInteger();
  const errorStatus = fields.readInteger();
  fields.readInteger();
  const list = fields.readSequence();
  if (pdu.tag === PduType.Response) {
    if (!authenticated) return { kind: 'rejected', msgId: message.msgId, reason: 'unauthenticated response' };
    return { kind: 'response', msgId: message.msgId, requestId, errorStatus };
  }
  if (pdu.tag !== PduType.Report) return { kind: 'rejected', msgId: message.msgId, reason: `PDU 0x${pdu.tag.toString(16)}` };
  let stat = 'other';
  if (!list.done) {
    const oid = list.readSequence().readOid();
    const prefix = oid.length === USM_STATS_OID.length + 2 && USM_STATS_OID.every((arc, i) => oid[i] === arc);
    if (prefix) stat = USM_STAT_NAMES[oid[USM_STATS_OID.length]!] ?? 'other';
  }
  return { kind: 'report', msgId: message.msgId, stat, engineId: Buffer.from(security.engineId), boots: security.boots, time: security.time, authenticated };
}
