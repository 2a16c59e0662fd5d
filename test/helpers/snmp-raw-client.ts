/**
 * Raw SNMP requests and responses, for what the Net-SNMP tools cannot send (a SET over 1472
 * bytes, msgMaxSize 484, a 400-byte contextName) and for reading replies byte for byte. Built on
 * the agent's own BER codec and USM crypto: the differential tests send the same bytes to snmpd,
 * so a bug here would show as a disagreement with snmpd, not hide one.
 */
import { BerReader, Tag, encodeInteger, encodeString, sequence, type Tlv } from '../../src/snmp/ber.js';
import { encodePdu } from '../../src/snmp/message/message.js';
import { decodeV3Reply, encodeDiscoveryProbe, localizeKeys, masterKeys, type V3Credentials, type V3LocalKeys } from '../../src/snmp/notification/v3.js';
import { AES_SALT_BYTES, aesDecrypt, aesEncrypt, computeMac } from '../../src/snmp/v3/usm-crypto.js';
import { MsgFlags, decodeV3Message, encodeScopedPdu, encodeV3Message, unwrapDecrypted } from '../../src/snmp/v3/message.js';
import { sendRaw } from './snmp-tools.js';

export interface RawResponse {
  /** The whole datagram's size. */
  readonly bytes: number;
  readonly pduType: number;
  readonly requestId: number;
  readonly errorStatus: number;
  readonly errorIndex: number;
  /** Each varbind TLV in hex, as sent. */
  readonly varbinds: readonly string[];
}

export interface RawRequest {
  readonly pduType: number;
  readonly requestId: number;
  /** Encoded varbind TLVs (encodeVarbind), values included. */
  readonly varbinds: readonly Buffer[];
}

function decodePdu(pdu: Tlv, bytes: number): RawResponse {
  const fields = new BerReader(pdu.value);
  const requestId = fields.readInteger();
  const errorStatus = fields.readInteger();
  const errorIndex = fields.readInteger();
  const list = fields.readSequence();
  const varbinds: string[] = [];
  while (!list.done) varbinds.push(sequence(Tag.Sequence, [list.read(Tag.Sequence).value]).toString('hex'));
  return { bytes, pduType: pdu.tag, requestId, errorStatus, errorIndex, varbinds };
}

/** A v1 (0) or v2c (1) message. */
export function communityRequest(version: number, community: string, request: RawRequest): Buffer {
  return sequence(Tag.Sequence, [
    encodeInteger(version),
    encodeString(community),
    encodePdu(request.pduType, request.requestId, { errorStatus: 0, errorIndex: 0, varbinds: request.varbinds }),
  ]);
}

export function decodeCommunityResponse(packet: Buffer): RawResponse {
  const message = new BerReader(packet).readSequence();
  message.readInteger();
  message.read(Tag.OctetString);
  return decodePdu(message.read(), packet.length);
}

/** An authoritative engine as discovered (RFC 3414 §4), with the user's keys localised to it. */
export interface V3Peer {
  readonly port: number;
  readonly keys: V3LocalKeys;
  readonly boots: number;
  readonly time: number;
}

export async function discoverV3(port: number, credentials: V3Credentials): Promise<V3Peer> {
  const reply = await sendRaw(port, encodeDiscoveryProbe(1, 1), 2000);
  if (!reply) throw new Error(`no discovery Report from port ${port}`);
  const report = decodeV3Reply(reply, undefined);
  if (report.kind !== 'report') throw new Error(`discovery: ${report.kind}`);
  return { port, keys: localizeKeys(masterKeys(credentials), report.engineId), boots: report.boots, time: report.time };
}

/** An authPriv, reportable request to `peer`, with the manager's msgMaxSize and contextName chosen. */
export function v3Request(peer: V3Peer, request: RawRequest & { readonly maxSize: number; readonly contextName?: Buffer }): Buffer {
  const { keys, boots, time } = peer;
  const scoped = encodeScopedPdu(
    keys.engineId,
    request.contextName ?? Buffer.alloc(0),
    encodePdu(request.pduType, request.requestId, { errorStatus: 0, errorIndex: 0, varbinds: request.varbinds }),
  );
  const salt = Buffer.alloc(AES_SALT_BYTES, 7);
  const { packet, authParamsOffset } = encodeV3Message({
    msgId: request.requestId,
    maxSize: request.maxSize,
    flags: MsgFlags.auth | MsgFlags.priv | MsgFlags.reportable,
    security: { engineId: keys.engineId, boots, time, userName: keys.name, authParams: Buffer.alloc(keys.auth.macLength), privParams: salt },
    data: encodeString(aesEncrypt({ key: keys.privKey, boots, time, salt }, scoped)),
  });
  computeMac(keys.auth, keys.authKey, packet).copy(packet, authParamsOffset);
  return packet;
}

/** Decrypts (when encrypted) and decodes a v3 reply; the MAC is not checked (the peers are trusted here). */
export function decodeV3Response(packet: Buffer, keys: V3LocalKeys): RawResponse {
  const decoded = decodeV3Message(packet);
  if (decoded.kind !== 'message') throw new Error(decoded.reason);
  const { message } = decoded;
  const { security } = message;
  const scoped = message.data.encrypted
    ? unwrapDecrypted(aesDecrypt({ key: keys.privKey, boots: security.boots, time: security.time, salt: security.privParams }, message.data.ciphertext))
    : message.data.scopedPdu;
  const reader = new BerReader(scoped);
  reader.read(Tag.OctetString); // contextEngineID
  reader.read(Tag.OctetString); // contextName
  return decodePdu(reader.read(), packet.length);
}
