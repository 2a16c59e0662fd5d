/**
 * The exact encoded size of a Response message, computed without encoding it, so that a response
 * can be filled to the byte up to the manager's limit (RFC 3416 §4.2: "the size of the message
 * ... would exceed a local constraint or the maximum message size of the originator").
 */
import { integerContentLength, tlvSize } from '../ber.js';

/**
 * What encloses the Response PDU, innermost level first: at each level, how many bytes sit beside
 * the inner TLV. v2c: [version + community]. v3: [contextEngineID + contextName (ScopedPDU),
 * 0 (the encryptedPDU OCTET STRING), msgVersion + msgGlobalData + msgSecurityParameters].
 */
export type ResponseEnvelope = readonly number[];

export interface ResponseShape {
  readonly requestId: number;
  readonly errorStatus: number;
  readonly errorIndex: number;
  /** Total bytes of the encoded varbinds. */
  readonly varbindsLength: number;
}

export function responseSize(envelope: ResponseEnvelope, shape: ResponseShape): number {
  const integer = (value: number) => tlvSize(integerContentLength(value));
  const header = integer(shape.requestId) + integer(shape.errorStatus) + integer(shape.errorIndex);
  let size = tlvSize(header + tlvSize(shape.varbindsLength));
  for (const beside of envelope) size = tlvSize(beside + size);
  return size;
}

/**
 * The most varbind bytes a noError response to `requestId` can carry within `maxBytes`; negative
 * when not even an empty one fits. Removing the excess once always fits (the length fields can
 * only shrink); it may leave a few bytes unused when they did shrink, which the second loop
 * takes back (at most the few bytes of length fields).
 */
export function varbindBudget(envelope: ResponseEnvelope, requestId: number, maxBytes: number): number {
  const size = (varbindsLength: number) => responseSize(envelope, { requestId, errorStatus: 0, errorIndex: 0, varbindsLength });
  let budget = maxBytes - size(0);
  if (budget < 0) return budget;
  budget -= size(budget) - maxBytes;
  while (size(budget + 1) <= maxBytes) budget += 1;
  return budget;
}
