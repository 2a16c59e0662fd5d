/**
 * response-size.ts against the real encoders: the computed size of a Response equals the encoded
 * one across every change of a length field's form (127/128, 255/256 bytes), for v2c and v3.
 */
import { describe, expect, it } from 'vitest';
import { encodeString } from '../../../src/snmp/ber.js';
import { PduType, SnmpVersion, encodeResponse, responseEnvelope, type RequestMessage } from '../../../src/snmp/message/message.js';
import { responseSize, varbindBudget } from '../../../src/snmp/message/response-size.js';
import { localizeKeys, masterKeys } from '../../../src/snmp/notification/v3.js';
import { UsmEngine } from '../../../src/snmp/v3/usm.js';
import type { SnmpV3User } from '../../../src/snmp/v3/config.js';
import { v3Request } from '../../helpers/snmp-raw-client.js';

/** One varbind-shaped blob of exactly `length` bytes (an OCTET STRING TLV: the sizes are what matter). */
function varbindsOf(length: number): Buffer[] {
  if (length === 0) return [];
  for (let content = Math.max(0, length - 4); content <= length; content++) {
    const blob = encodeString(Buffer.alloc(content));
    if (blob.length === length) return [blob];
  }
  // 130 and 259 bytes cannot be one TLV (the length field grows there); two blobs can.
  return [...varbindsOf(length - 2), encodeString(Buffer.alloc(0))];
}

const LENGTHS = [
  0, 2, 100, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 240, 245, 250, 251, 252, 253, 254, 255, 256, 257, 258, 1400, 1472, 65_530,
  65_535, 65_536,
];
const REQUEST_IDS = [0, 127, 128, -1, 2 ** 31 - 1];

describe('responseSize', () => {
  const request = (requestId: number, community: string): RequestMessage => ({
    version: SnmpVersion.v2c,
    community: Buffer.from(community),
    pduType: PduType.GetRequest,
    requestId,
    field2: 0,
    field3: 0,
    oids: [],
    varbinds: [],
  });

  it('v2c: equals the encoded length, for every varbind length around the length-form boundaries', () => {
    for (const community of ['public', 'c'.repeat(200)]) {
      for (const requestId of REQUEST_IDS) {
        for (const length of LENGTHS) {
          const varbinds = varbindsOf(length);
          const fields = { errorStatus: 1, errorIndex: 300, varbinds };
          const message = request(requestId, community);
          expect(
            responseSize(responseEnvelope(message), { requestId, errorStatus: 1, errorIndex: 300, varbindsLength: length }),
            `${community.length} ${requestId} ${length}`,
          ).toBe(encodeResponse(message, fields).length);
        }
      }
    }
  });

  it('v3: equals the encoded, encrypted and authenticated length', () => {
    const alice: SnmpV3User = { name: 'alice', authProtocol: 'SHA-512', authPassword: 'alice-auth-pass', privProtocol: 'AES', privPassword: 'alice-priv-pass' };
    const engineId = Buffer.from('8000546005656e7669726f', 'hex');
    const engine = new UsmEngine({ engineId, users: [alice], now: () => 0, startedAt: 0 });
    const peer = { port: 0, keys: localizeKeys(masterKeys(alice), engineId), boots: 1, time: 0 };
    for (const contextName of [Buffer.alloc(0), Buffer.alloc(400, 0x61)]) {
      // A request as a manager sends it, so that the context is the one the agent answers.
      const outcome = engine.process(v3Request(peer, { pduType: PduType.GetRequest, requestId: 77, varbinds: [], maxSize: 65_507, contextName }));
      if (outcome.kind !== 'request') throw new Error(outcome.kind);
      const { context } = outcome;
      for (const length of LENGTHS) {
        const fields = { errorStatus: 0, errorIndex: 0, varbinds: varbindsOf(length) };
        expect(responseSize(engine.responseEnvelope(context), { requestId: 77, ...fields, varbindsLength: length }), `${contextName.length} ${length}`).toBe(
          engine.encodeResponse(context, 77, fields).length,
        );
      }
    }
  });
});

describe('varbindBudget', () => {
  it('is the largest varbind length that fits, for every limit from 20 to 70 000 bytes', () => {
    const envelope = [8];
    const size = (varbindsLength: number) => responseSize(envelope, { requestId: 5, errorStatus: 0, errorIndex: 0, varbindsLength });
    for (let maxBytes = 20; maxBytes <= 70_000; maxBytes++) {
      const budget = varbindBudget(envelope, 5, maxBytes);
      if (budget < 0) {
        expect(size(0), `${maxBytes}`).toBeGreaterThan(maxBytes);
        continue;
      }
      expect(size(budget), `${maxBytes}`).toBeLessThanOrEqual(maxBytes);
      expect(size(budget + 1), `${maxBytes}`).toBeGreaterThan(maxBytes);
    }
  });
});
