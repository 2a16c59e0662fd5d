/** SNMPv2c notification PDUs (RFC 3416 §4.2.6, §4.2.7) byte by byte, without sockets. */
import { describe, expect, it } from 'vitest';
import { decodeInformResponse, encodeNotification } from '../../../src/snmp/notification/pdu.js';
import { SNMP_TRAP_OID_0, SYS_UP_TIME_0 } from '../../../src/snmp/notification/varbinds.js';
import { parseOid } from '../../../src/snmp/oid.js';

/** The agent's sensorStatusChange, as an example of an enterprise notification OID. */
const SENSOR_STATUS_CHANGE = parseOid('1.3.6.1.4.1.21600.1.5.2.0.1');

describe('notification PDUs', () => {
  it('encodes an SNMPv2-Trap byte for byte', () => {
    const packet = encodeNotification({
      kind: 'trap',
      community: 'public',
      requestId: 1,
      varbinds: [
        { oid: SYS_UP_TIME_0, value: { type: 'timeticks', value: 5 } },
        { oid: SNMP_TRAP_OID_0, value: { type: 'oid', value: SENSOR_STATUS_CHANGE } },
      ],
    });
    const expected = [
      '30 44', // Message SEQUENCE, 68 bytes
      '02 01 01', // version 1 = v2c
      '04 06 70 75 62 6c 69 63', // community "public"
      'a7 37', // SNMPv2-Trap-PDU [7], 55 bytes
      '02 01 01  02 01 00  02 01 00', // request-id 1, error-status 0, error-index 0
      '30 2c', // varbind list, 44 bytes
      '30 0d  06 08 2b 06 01 02 01 01 03 00  43 01 05', // sysUpTime.0 = TimeTicks 5
      '30 1b  06 0a 2b 06 01 06 03 01 01 04 01 00', // snmpTrapOID.0 =
      '06 0d 2b 06 01 04 01 81 a8 60 01 05 02 00 01', //   OID 1.3.6.1.4.1.21600(81 a8 60).1.5.2.0.1
    ];
    expect(packet.toString('hex')).toBe(expected.join('').replaceAll(' ', ''));
    expect(encodeNotification({ kind: 'inform', community: 'public', requestId: 1, varbinds: [] })[13]).toBe(0xa6); // InformRequest-PDU [6]
  });

  it('decodes a Response and ignores other PDUs', () => {
    const response = Buffer.from('301b' + '020101' + '0406' + '7075626c6963' + 'a20e' + '02047fffffff' + '020100' + '020100' + '3000', 'hex');
    //                            msg    v2c        community "public"            Response  id 2^31-1  status 0   index 0    no varbinds
    expect(decodeInformResponse(response)).toEqual({ community: Buffer.from('public'), requestId: 2 ** 31 - 1, errorStatus: 0, errorIndex: 0 });
    const getRequest = Buffer.from(response);
    getRequest[13] = 0xa0;
    expect(decodeInformResponse(getRequest)).toBeUndefined();
    expect(() => decodeInformResponse(response.subarray(0, 20))).toThrow(/runs past the end/);
  });
});
