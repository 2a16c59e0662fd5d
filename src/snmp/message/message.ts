/**
 * SNMPv1/v2c messages (RFC 1157, RFC 3416 §3): decode a request, encode a response. The PDU
 * codec (`decodePdu`, `encodePdu`) is shared with SNMPv3 (../v3/message.ts), whose PDUs follow
 * v2c semantics. Varbind values in requests are kept as received, unread: a read-only agent uses
 * them only to echo them in an error response.
 */
import { BerError, BerReader, Tag, encodeInteger, encodeNull, encodeOid, encodeString, sequence, tlv, type Tlv } from '../ber.js';
import type { ResponseEnvelope } from './response-size.js';

export const SnmpVersion = { v1: 0, v2c: 1 } as const;
export type SnmpVersion = (typeof SnmpVersion)[keyof typeof SnmpVersion];
/** msgVersion of an SNMPv3 message (RFC 3412 §6). */
export const SNMP_VERSION_3 = 3;

export const PduType = {
  GetRequest: 0xa0,
  GetNextRequest: 0xa1,
  Response: 0xa2,
  SetRequest: 0xa3,
  GetBulkRequest: 0xa5,
  /** RFC 3416 §4.2.7, used by SNMPv3 engines to report errors (RFC 3412 §7.1). */
  Report: 0xa8,
} as const;

/** RFC 3416 §3 error-status values (v1 uses the first six). */
export const ErrorStatus = { noError: 0, tooBig: 1, noSuchName: 2, genErr: 5, noAccess: 6 } as const;

export type VarbindValue =
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  /** An OCTET STRING that is not text (DateAndTime, say). */
  | { readonly type: 'octets'; readonly value: Buffer }
  | { readonly type: 'oid'; readonly value: readonly number[] }
  | { readonly type: 'timeticks'; readonly value: number }
  | { readonly type: 'counter32'; readonly value: number }
  | { readonly type: 'noSuchObject' | 'noSuchInstance' | 'endOfMibView' | 'null' };

export interface Varbind {
  readonly oid: readonly number[];
  readonly value: VarbindValue;
}

export interface RequestMessage {
  readonly version: SnmpVersion;
  readonly community: Buffer;
  readonly pduType: number;
  readonly requestId: number;
  /** error-status in Get/GetNext/Set, non-repeaters in GetBulk. */
  readonly field2: number;
  /** error-index in Get/GetNext/Set, max-repetitions in GetBulk. */
  readonly field3: number;
  readonly oids: readonly (readonly number[])[];
  /** The request's varbinds as received (values unread), for error responses, which echo them (RFC 3416 §4.2.5, RFC 1157 §4.1.5). */
  readonly varbinds: readonly Buffer[];
}

/** What a packet turned out to be before any request handling. */
export type Decoded =
  | { readonly kind: 'request'; readonly message: RequestMessage }
  /** msgVersion 3: the rest is for ../v3/message.ts and the USM (../v3/usm.ts). */
  | { readonly kind: 'v3' }
  /** Well-formed SNMP we do not serve (traps, responses, other versions): dropped and counted, not an attack. */
  | { readonly kind: 'unsupported'; readonly reason: string; readonly badVersion?: true };

/** A request PDU without its message wrapper. */
export type PduFields = Omit<RequestMessage, 'version' | 'community'>;

const REQUEST_PDUS = new Set<number>([PduType.GetRequest, PduType.GetNextRequest, PduType.SetRequest, PduType.GetBulkRequest]);

/** Throws BerError for anything that is not well-formed BER of an SNMP message. */
export function decodeMessage(packet: Buffer): Decoded {
  const outer = new BerReader(packet);
  const message = outer.readSequence();
  if (!outer.done) throw new BerError('trailing bytes after the message');
  const version = message.readInteger();
  if (version === SNMP_VERSION_3) return { kind: 'v3' };
  if (version !== SnmpVersion.v1 && version !== SnmpVersion.v2c) return { kind: 'unsupported', reason: `SNMP version code ${version}`, badVersion: true };
  const community = message.read(Tag.OctetString).value;
  const pdu = message.read();
  if (!message.done) throw new BerError('trailing bytes after the PDU');
  // GetBulk does not exist in SNMPv1 (RFC 3416 §4.2.3 is v2 only; RFC 3584 §4.1).
  if (version === SnmpVersion.v1 && pdu.tag === PduType.GetBulkRequest) return { kind: 'unsupported', reason: 'GetBulk in SNMPv1' };
  const fields = decodePdu(pdu);
  if (typeof fields === 'string') return { kind: 'unsupported', reason: fields };
  return { kind: 'request', message: { version, community: Buffer.from(community), ...fields } };
}

/** A request PDU (Get, GetNext, Set, GetBulk), or the reason it is not one we serve. */
export function decodePdu(pdu: Tlv): PduFields | string {
  if (!REQUEST_PDUS.has(pdu.tag)) return `PDU type 0x${pdu.tag.toString(16)}`;
  const fields = new BerReader(pdu.value);
  const requestId = fields.readInteger();
  const field2 = fields.readInteger();
  const field3 = fields.readInteger();
  const list = fields.readSequence();
  if (!fields.done) throw new BerError('trailing bytes after the varbind list');
  const oids: number[][] = [];
  const varbinds: Buffer[] = [];
  while (!list.done) {
    const contents = list.read(Tag.Sequence).value;
    const varbind = new BerReader(contents);
    oids.push(varbind.readOid());
    varbind.read(); // the value: any single TLV
    if (!varbind.done) throw new BerError('trailing bytes in a varbind');
    varbinds.push(tlv(Tag.Sequence, contents));
  }
  return { pduType: pdu.tag, requestId, field2, field3, oids, varbinds };
}

export function encodeVarbind(varbind: Varbind): Buffer {
  const { value } = varbind;
  let encoded: Buffer;
  switch (value.type) {
    case 'integer':
      encoded = encodeInteger(value.value);
      break;
    case 'timeticks':
      encoded = encodeInteger(value.value, Tag.TimeTicks);
      break;
    case 'counter32':
      encoded = encodeInteger(value.value, Tag.Counter32);
      break;
    case 'string':
    case 'octets':
      encoded = encodeString(value.value);
      break;
    case 'oid':
      encoded = encodeOid(value.value);
      break;
    case 'null':
      encoded = encodeNull();
      break;
    case 'noSuchObject':
      encoded = encodeNull(Tag.NoSuchObject);
      break;
    case 'noSuchInstance':
      encoded = encodeNull(Tag.NoSuchInstance);
      break;
    case 'endOfMibView':
      encoded = encodeNull(Tag.EndOfMibView);
      break;
  }
  return sequence(Tag.Sequence, [encodeOid(varbind.oid), encoded]);
}

export interface ResponseFields {
  readonly errorStatus: number;
  readonly errorIndex: number;
  /** Varbinds already encoded with `encodeVarbind`, so the handler can measure them as it goes. */
  readonly varbinds: readonly Buffer[];
}

/** A Response (or, for v3, Report) PDU. */
export function encodePdu(tag: number, requestId: number, response: ResponseFields): Buffer {
  return sequence(tag, [
    encodeInteger(requestId),
    encodeInteger(response.errorStatus),
    encodeInteger(response.errorIndex),
    sequence(Tag.Sequence, response.varbinds),
  ]);
}

export function encodeResponse(request: RequestMessage, response: ResponseFields): Buffer {
  return sequence(Tag.Sequence, [...responseHeader(request), encodePdu(PduType.Response, request.requestId, response)]);
}

/** What `encodeResponse` puts around the PDU, for response-size.ts. */
export function responseEnvelope(request: RequestMessage): ResponseEnvelope {
  return [responseHeader(request).reduce((total, part) => total + part.length, 0)];
}

const responseHeader = (request: RequestMessage): Buffer[] => [encodeInteger(request.version), encodeString(request.community)];
