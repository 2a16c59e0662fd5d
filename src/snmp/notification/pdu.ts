/**
 * SNMPv2c notification messages (RFC 3416 §4.2.6 SNMPv2-Trap-PDU, §4.2.7 InformRequest-PDU) and
 * the Response that acknowledges an inform. Built on the BER primitives of ../ber.ts and
 * `encodeVarbind` of ../message/message.ts, which only know requests and responses; the notification PDU
 * tags live here so that ../message/message.ts (being extended for SNMPv3) stays untouched.
 *
 *   Message ::= SEQUENCE { version INTEGER (1 = v2c), community OCTET STRING, pdu }
 *   pdu     ::= [tag] IMPLICIT SEQUENCE { request-id, error-status (0), error-index (0), SEQUENCE OF varbind }
 */
import { BerError, BerReader, Tag, encodeInteger, encodeString, sequence } from '../ber.js';
import { PduType, SnmpVersion, encodeVarbind, type Varbind } from '../message/message.js';

/** Context-specific constructed tags [6] and [7] (RFC 3416 §3). */
export const NotificationPduType = { InformRequest: 0xa6, SNMPv2Trap: 0xa7 } as const;

export type NotificationKind = 'trap' | 'inform';

export interface NotificationMessage {
  readonly kind: NotificationKind;
  readonly community: string;
  /** Integer32; a receiver answers an inform with the same id. */
  readonly requestId: number;
  /** sysUpTime.0, snmpTrapOID.0, then the objects (RFC 3416 §4.2.6 fixes that order). */
  readonly varbinds: readonly Varbind[];
}

export function encodeNotification(message: NotificationMessage): Buffer {
  const tag = message.kind === 'inform' ? NotificationPduType.InformRequest : NotificationPduType.SNMPv2Trap;
  return sequence(Tag.Sequence, [
    encodeInteger(SnmpVersion.v2c),
    encodeString(message.community),
    sequence(tag, [
      encodeInteger(message.requestId),
      encodeInteger(0), // error-status: always 0 in a notification
      encodeInteger(0), // error-index
      sequence(
        Tag.Sequence,
        message.varbinds.map((varbind) => encodeVarbind(varbind)),
      ),
    ]),
  ]);
}

/** What the sender needs from a Response to match it to its inform. */
export interface InformResponse {
  readonly community: Buffer;
  readonly requestId: number;
  readonly errorStatus: number;
  readonly errorIndex: number;
}

/**
 * Decodes a datagram that should be the Response to an inform. Returns undefined for
 * well-formed SNMP that is not a v2c Response (nothing else is expected on the sender's
 * socket); throws BerError for anything that is not well-formed BER. Varbinds are checked for
 * shape but not read: the request-id is what identifies the acknowledged inform.
 */
export function decodeInformResponse(packet: Buffer): InformResponse | undefined {
  const outer = new BerReader(packet);
  const message = outer.readSequence();
  if (!outer.done) throw new BerError('trailing bytes after the message');
  const version = message.readInteger();
  const community = message.read(Tag.OctetString).value;
  const pdu = message.read();
  if (!message.done) throw new BerError('trailing bytes after the PDU');
  if (version !== SnmpVersion.v2c || pdu.tag !== PduType.Response) return undefined;
  const fields = new BerReader(pdu.value);
  const requestId = fields.readInteger();
  const errorStatus = fields.readInteger();
  const errorIndex = fields.readInteger();
  const list = fields.readSequence();
  if (!fields.done) throw new BerError('trailing bytes after the varbind list');
  while (!list.done) {
    const varbind = list.readSequence();
    varbind.readOid();
    varbind.read();
    if (!varbind.done) throw new BerError('trailing bytes in a varbind');
  }
  return { community: Buffer.from(community), requestId, errorStatus, errorIndex };
}
