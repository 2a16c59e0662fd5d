/** The varbinds every SNMPv2 notification starts with (RFC 3416 §4.2.6, RFC 3418). */
import type { Varbind } from '../message/message.js';
import { parseOid, SYSTEM_OID, type Oid } from '../oid.js';

/** SNMPv2-MIB::sysUpTime.0 and snmpTrapOID.0. */
export const SYS_UP_TIME_0 = [...SYSTEM_OID, 3, 0];
export const SNMP_TRAP_OID_0 = parseOid('1.3.6.1.6.3.1.1.4.1.0');

/** sysUpTime.0 (hundredths of a second; TimeTicks wraps at 2³²), then snmpTrapOID.0 = `trapOid`. */
export function notificationHeader(sysUpTime: number, trapOid: Oid): Varbind[] {
  return [
    { oid: SYS_UP_TIME_0, value: { type: 'timeticks', value: Math.max(0, Math.floor(sysUpTime)) % 2 ** 32 } },
    { oid: SNMP_TRAP_OID_0, value: { type: 'oid', value: trapOid } },
  ];
}
