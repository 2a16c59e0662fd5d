/** The v1/v2c message decoder, without sockets. */
import { describe, expect, it } from 'vitest';
import { BerError } from '../../../src/snmp/ber.js';
import { decodeMessage } from '../../../src/snmp/message/message.js';
import { PDU, request } from '../../helpers/snmp-packets.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('decodeMessage', () => {
  it('decodes a v2c GetBulk with its two counters', () => {
    const decoded = decodeMessage(request({ pdu: PDU.getBulk, requestId: [0x12, 0x34], field2: [0xff], field3: [0x0a] }));
    expect(decoded).toMatchObject({
      kind: 'request',
      message: { version: 1, pduType: 0xa5, requestId: 0x1234, field2: -1, field3: 10, oids: [[1, 3, 6, 1, 2, 1, 1, 1, 0]] },
    });
  });

  it('rejects trailing bytes after the message', () => {
    expect(() => decodeMessage(Buffer.concat([request(), hex('00')]))).toThrow(BerError);
  });
});
