/**
 * SNMPv3 message format (RFC 3412 §6) with the USM's security parameters (RFC 3414 §2.4):
 *
 *   SEQUENCE { msgVersion INTEGER (3),
 *              msgGlobalData SEQUENCE { msgID, msgMaxSize, msgFlags OCTET STRING (1 byte), msgSecurityModel },
 *              msgSecurityParameters OCTET STRING containing
 *                SEQUENCE { engineID, engineBoots, engineTime, userName, authParams, privParams },
 *              msgData: ScopedPDU SEQUENCE { contextEngineID, contextName, PDU } or encryptedPDU OCTET STRING }
 *
 * Strict like ../ber.ts: anything malformed throws BerError (counted as malformed, snmpInvalidMsgs).
 */
import { BerError, BerReader, Tag, encodeInteger, encodeString, sequence } from '../ber.js';
import { SNMP_VERSION_3, decodePdu, type PduFields } from '../message/message.js';

/** msgFlags bits (RFC 3412 §6.4). */
export const MsgFlags = { auth: 0x01, priv: 0x02, reportable: 0x04 } as const;
/** msgSecurityModel of the USM (RFC 3411 §5, SnmpSecurityModel). */
export const USM_SECURITY_MODEL = 3;
/** RFC 3412 §6: msgMaxSize is at least 484. */
const MIN_MAX_SIZE = 484;
/** What we announce as msgMaxSize: the largest datagram we accept (UDP over IPv4). */
export const OUR_MAX_SIZE = 65_507;

export interface UsmSecurityParameters {
  readonly engineId: Buffer;
  readonly boots: number;
  readonly time: number;
  readonly userName: Buffer;
  readonly authParams: Buffer;
  readonly privParams: Buffer;
}

export interface V3Message {
  readonly msgId: number;
  readonly maxSize: number;
  readonly flags: number;
  readonly security: UsmSecurityParameters;
  /** Where msgAuthenticationParameters' value starts in the packet (zeroed before computing the HMAC). */
  readonly authParamsOffset: number;
  /** The contents of the ScopedPDU SEQUENCE in clear, or the encryptedPDU's contents. */
  readonly data: { readonly encrypted: false; readonly scopedPdu: Buffer } | { readonly encrypted: true; readonly ciphertext: Buffer };
}

export type DecodedV3 = { readonly kind: 'message'; readonly message: V3Message } | { readonly kind: 'unsupported'; readonly reason: string };

function readNonNegative(reader: BerReader, what: string, min = 0): number {
  const value = reader.readInteger();
  if (value < min) throw new BerError(`${what} ${value} below ${min}`);
  return value;
}

/** Decodes an SNMPv3 message up to (not into) its possibly encrypted ScopedPDU. */
export function decodeV3Message(packet: Buffer): DecodedV3 {
  const outer = new BerReader(packet);
  const message = outer.readSequence();
  if (!outer.done) throw new BerError('trailing bytes after the message');
  if (message.readInteger() !== SNMP_VERSION_3) throw new BerError('not an SNMPv3 message');
  const global = message.readSequence();
  const msgId = readNonNegative(global, 'msgID');
  const maxSize = readNonNegative(global, 'msgMaxSize', MIN_MAX_SIZE);
  const flagBytes = global.read(Tag.OctetString).value;
  const securityModel = readNonNegative(global, 'msgSecurityModel', 1);
  if (!global.done) throw new BerError('trailing bytes in msgGlobalData');
  if (flagBytes.length !== 1) throw new BerError(`msgFlags of ${flagBytes.length} bytes`);
  const flags = flagBytes[0]!;
  // RFC 3412 §7.2 step 5: privacy without authentication is an invalid combination.
  if ((flags & MsgFlags.priv) !== 0 && (flags & MsgFlags.auth) === 0) throw new BerError('msgFlags: privacy without authentication');
  const securityOctets = message.read(Tag.OctetString).value;
  const data = message.read();
  if (!message.done) throw new BerError('trailing bytes after msgData');
  if (data.tag !== Tag.Sequence && data.tag !== Tag.OctetString) throw new BerError(`msgData with tag 0x${data.tag.toString(16)}`);
  // RFC 3412 §7.2 step 4: an unknown security model is counted (snmpUnknownSecurityModels) and dropped.
  if (securityModel !== USM_SECURITY_MODEL) return { kind: 'unsupported', reason: `security model ${securityModel}` };

  const securityOuter = new BerReader(securityOctets);
  const usm = securityOuter.readSequence();
  if (!securityOuter.done) throw new BerError('trailing bytes after UsmSecurityParameters');
  const engineId = usm.read(Tag.OctetString).value;
  const boots = readNonNegative(usm, 'msgAuthoritativeEngineBoots');
  const time = readNonNegative(usm, 'msgAuthoritativeEngineTime');
  const userName = usm.read(Tag.OctetString).value;
  const authParams = usm.read(Tag.OctetString).value;
  const privParams = usm.read(Tag.OctetString).value;
  if (!usm.done) throw new BerError('trailing bytes in UsmSecurityParameters');
  // RFC 3414 §2.4: engine IDs are 5–32 octets (0 for discovery), user names at most 32.
  if (engineId.length > 32 || (engineId.length > 0 && engineId.length < 5)) throw new BerError(`engine ID of ${engineId.length} bytes`);
  if (userName.length > 32) throw new BerError(`user name of ${userName.length} bytes`);
  const encrypted = data.tag === Tag.OctetString;
  if (encrypted !== ((flags & MsgFlags.priv) !== 0)) throw new BerError('msgData encryption does not match msgFlags');
  return {
    kind: 'message',
    message: {
      msgId,
      maxSize,
      flags,
      security: {
        engineId: Buffer.from(engineId),
        boots,
        time,
        userName: Buffer.from(userName),
        authParams: Buffer.from(authParams),
        privParams: Buffer.from(privParams),
      },
      authParamsOffset: authParams.byteOffset - packet.byteOffset,
      data: encrypted ? { encrypted: true, ciphertext: Buffer.from(data.value) } : { encrypted: false, scopedPdu: Buffer.from(data.value) },
    },
  };
}

export interface ScopedPdu {
  readonly contextEngineId: Buffer;
  readonly contextName: Buffer;
  /** The request, or why the PDU is not one we serve. */
  readonly pdu: PduFields | string;
}

/**
 * Decrypted plaintext: one ScopedPDU SEQUENCE, returned as its contents. Block-cipher managers
 * pad the plaintext, so bytes after the SEQUENCE are ignored (they were authenticated anyway).
 */
export function unwrapDecrypted(plaintext: Buffer): Buffer {
  return Buffer.from(new BerReader(plaintext).read(Tag.Sequence).value);
}

/** The contents of a ScopedPDU SEQUENCE (RFC 3412 §6.8). */
export function decodeScopedPdu(contents: Buffer): ScopedPdu {
  const scoped = new BerReader(contents);
  const contextEngineId = scoped.read(Tag.OctetString).value;
  const contextName = scoped.read(Tag.OctetString).value;
  const pdu = decodePdu(scoped.read());
  if (!scoped.done) throw new BerError('trailing bytes in the ScopedPDU');
  return { contextEngineId: Buffer.from(contextEngineId), contextName: Buffer.from(contextName), pdu };
}

/** The request-id of a PDU we could not otherwise use, for a Report (0 when unreadable). */
export function peekRequestId(scopedPduContents: Buffer): number {
  try {
    const scoped = new BerReader(scopedPduContents);
    scoped.read(Tag.OctetString);
    scoped.read(Tag.OctetString);
    return new BerReader(scoped.read().value).readInteger();
  } catch {
    return 0;
  }
}

export function encodeScopedPdu(contextEngineId: Buffer, contextName: Buffer, pdu: Buffer): Buffer {
  return sequence(Tag.Sequence, [encodeString(contextEngineId), encodeString(contextName), pdu]);
}

export interface V3MessageParts {
  readonly msgId: number;
  /** msgMaxSize; OUR_MAX_SIZE unless a test plays a manager with a smaller one. */
  readonly maxSize?: number;
  readonly flags: number;
  /** authParams here is the placeholder: zeros of the MAC length, or empty without authentication. */
  readonly security: UsmSecurityParameters;
  /** An encoded ScopedPDU SEQUENCE, or an OCTET STRING holding the encrypted one. */
  readonly data: Buffer;
}

/** msgVersion, msgGlobalData and msgSecurityParameters: the message up to its data. */
function encodeHeader(parts: Omit<V3MessageParts, 'data'>): Buffer[] {
  const { security } = parts;
  const usm = sequence(Tag.Sequence, [
    encodeString(security.engineId),
    encodeInteger(security.boots),
    encodeInteger(security.time),
    encodeString(security.userName),
    encodeString(security.authParams),
    encodeString(security.privParams),
  ]);
  return [
    encodeInteger(SNMP_VERSION_3),
    sequence(Tag.Sequence, [
      encodeInteger(parts.msgId),
      encodeInteger(parts.maxSize ?? OUR_MAX_SIZE),
      encodeString(Buffer.from([parts.flags])),
      encodeInteger(USM_SECURITY_MODEL),
    ]),
    encodeString(usm),
  ];
}

/** The size of what `encodeV3Message` puts beside the data, for ../message/response-size.ts. */
export function v3HeaderSize(parts: Omit<V3MessageParts, 'data'>): number {
  return encodeHeader(parts).reduce((total, part) => total + part.length, 0);
}

/** Encodes a message; returns where the authentication parameters sit so the caller can fill them in. */
export function encodeV3Message(parts: V3MessageParts): { packet: Buffer; authParamsOffset: number } {
  const packet = sequence(Tag.Sequence, [...encodeHeader(parts), parts.data]);
  const decoded = decodeV3Message(packet);
  if (decoded.kind !== 'message') throw new Error('encodeV3Message: produced an undecodable message');
  return { packet, authParamsOffset: decoded.message.authParamsOffset };
}
