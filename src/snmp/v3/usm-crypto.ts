/**
 * The User-based Security Model's cryptography, as pure functions over node:crypto:
 * password-to-key and key localisation (RFC 3414 §A.2), HMAC authentication (RFC 3414 §6/§7,
 * RFC 7860 for the SHA-2 family) and AES-128-CFB privacy (RFC 3826 §3).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseOid, type Oid } from '../oid.js';

/** Hash names as node:crypto spells them. MD5 exists only for the RFC 3414 test vectors. */
export type UsmHash = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export type AuthProtocolName = 'SHA' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface AuthProtocol {
  readonly name: AuthProtocolName;
  readonly hash: UsmHash;
  /** Bytes of the truncated HMAC carried in msgAuthenticationParameters. */
  readonly macLength: number;
  /** The protocol's OBJECT IDENTIFIER (SNMP-USER-BASED-SM-MIB, SNMP-USM-HMAC-SHA2-MIB). */
  readonly oid: Oid;
}

export const AUTH_PROTOCOLS: Readonly<Record<AuthProtocolName, AuthProtocol>> = {
  // usmHMACSHAAuthProtocol, HMAC-SHA-1-96 (RFC 3414 §7).
  SHA: { name: 'SHA', hash: 'sha1', macLength: 12, oid: parseOid('1.3.6.1.6.3.10.1.1.3') },
  // RFC 7860 §4.2: usmHMAC128SHA224AuthProtocol … usmHMAC384SHA512AuthProtocol.
  'SHA-224': { name: 'SHA-224', hash: 'sha224', macLength: 16, oid: parseOid('1.3.6.1.6.3.10.1.1.4') },
  'SHA-256': { name: 'SHA-256', hash: 'sha256', macLength: 24, oid: parseOid('1.3.6.1.6.3.10.1.1.5') },
  'SHA-384': { name: 'SHA-384', hash: 'sha384', macLength: 32, oid: parseOid('1.3.6.1.6.3.10.1.1.6') },
  'SHA-512': { name: 'SHA-512', hash: 'sha512', macLength: 48, oid: parseOid('1.3.6.1.6.3.10.1.1.7') },
};

/** RFC 3414 §A.2: the password repeated to fill one megabyte, hashed. */
const EXPANSION_BYTES = 1_048_576;

/** Ku, the user's key, from a password (RFC 3414 §A.2.1/A.2.2; RFC 7860 §9.1 for SHA-2). */
export function passwordToKey(hash: UsmHash, password: string | Buffer): Buffer {
  const bytes = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (bytes.length === 0) throw new RangeError('an SNMPv3 password must not be empty');
  return createHash(hash).update(Buffer.alloc(EXPANSION_BYTES, bytes)).digest();
}

/** Kul, the key localised to one engine: H(Ku ‖ engineID ‖ Ku) (RFC 3414 §2.6). */
export function localizeKey(hash: UsmHash, key: Buffer, engineId: Buffer): Buffer {
  return createHash(hash)
    .update(Buffer.concat([key, engineId, key]))
    .digest();
}

/** The truncated HMAC of a whole message whose msgAuthenticationParameters are zeroed. */
export function computeMac(protocol: AuthProtocol, key: Buffer, wholeMessage: Buffer): Buffer {
  return createHmac(protocol.hash, key).update(wholeMessage).digest().subarray(0, protocol.macLength);
}

/** Constant-time check of a received MAC (RFC 3414 §6.3.2, §7.3.2). */
export function verifyMac(protocol: AuthProtocol, key: Buffer, zeroedMessage: Buffer, received: Buffer): boolean {
  if (received.length !== protocol.macLength) return false;
  return timingSafeEqual(computeMac(protocol, key, zeroedMessage), received);
}

export type PrivProtocolName = 'AES' | 'AES-128' | 'AES-192' | 'AES-256';

/** AES in CFB-128 mode, keyed with the first 16/24/32 bytes of the localised privacy key. */
export const PRIV_KEY_BYTES: Readonly<Record<PrivProtocolName, 16 | 24 | 32>> = { AES: 16, 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 };

/**
 * The AES key from a localised privacy key (localised with the authentication hash, RFC 3826
 * §1.2). AES-128 takes its first 16 bytes (RFC 3826 §3.1.2.1). AES-192/256 have no RFC; like
 * Net-SNMP (draft-blumenthal-aes-usm-04 §3.1.2.1, Net-SNMP's default for -x AES-192/AES-256) a
 * key that is too short is extended with Kul = Kul ‖ H(Kul) until long enough.
 */
export function privacyKey(protocol: PrivProtocolName, hash: UsmHash, localizedKey: Buffer): Buffer {
  const length = PRIV_KEY_BYTES[protocol];
  let key = localizedKey;
  while (key.length < length) key = Buffer.concat([key, createHash(hash).update(key).digest()]);
  return key.subarray(0, length);
}

/** msgPrivacyParameters for AES: the 64-bit salt (RFC 3826 §3.1.2.1). */
export const AES_SALT_BYTES = 8;

/** RFC 3826 §3.1.2.1: IV = engineBoots (4 bytes) ‖ engineTime (4 bytes) ‖ salt (8 bytes). */
function aesIv(boots: number, time: number, salt: Buffer): Buffer {
  if (salt.length !== AES_SALT_BYTES) throw new RangeError(`AES salt of ${salt.length} bytes`);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(boots >>> 0, 0);
  iv.writeUInt32BE(time >>> 0, 4);
  salt.copy(iv, 8);
  return iv;
}

export interface AesParameters {
  /** The AES key from `privacyKey`: 16, 24 or 32 bytes. */
  readonly key: Buffer;
  /** msgAuthoritativeEngineBoots and msgAuthoritativeEngineTime of the message. */
  readonly boots: number;
  readonly time: number;
  readonly salt: Buffer;
}

const cipherName = (key: Buffer) => {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`AES key of ${key.length} bytes`);
  return `aes-${key.length * 8}-cfb`;
};

/** AES in CFB-128 mode: no padding, the ciphertext is as long as the plaintext. */
export function aesEncrypt(parameters: AesParameters, plaintext: Buffer): Buffer {
  const cipher = createCipheriv(cipherName(parameters.key), parameters.key, aesIv(parameters.boots, parameters.time, parameters.salt));
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

export function aesDecrypt(parameters: AesParameters, ciphertext: Buffer): Buffer {
  const decipher = createDecipheriv(cipherName(parameters.key), parameters.key, aesIv(parameters.boots, parameters.time, parameters.salt));
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
