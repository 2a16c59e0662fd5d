/** SNMPv2-MIB system group (RFC 3418 §2), the scalars every manager asks for first. */
import type { Varbind } from './message.js';
import { ENVIROWATCH_OID, SYSTEM_OID } from './oid.js';

export interface SystemInfo {
  readonly sysDescr: string;
  readonly sysContact: string;
  readonly sysName: string;
  readonly sysLocation: string;
  /** Hundredths of a second since the SNMP agent started. */
  readonly upTimeTicks: number;
}

/** Layers 4 (end-to-end) and 7 (applications): 2^(4-1) + 2^(7-1), as Net-SNMP's snmpd says by default. */
const SYS_SERVICES = 72;

export const SYSTEM_SCALARS = 7;

export function systemVarbinds(info: SystemInfo): Varbind[] {
  const scalar = (arc: number, value: Varbind['value']): Varbind => ({ oid: [...SYSTEM_OID, arc, 0], value });
  return [
    scalar(1, { type: 'string', value: info.sysDescr }),
    scalar(2, { type: 'oid', value: ENVIROWATCH_OID }),
    // TimeTicks wraps at 2^32 (after 497 days), as RFC 2578 §7.1.8 allows.
    scalar(3, { type: 'timeticks', value: Math.floor(info.upTimeTicks) % 2 ** 32 }),
    scalar(4, { type: 'string', value: info.sysContact }),
    scalar(5, { type: 'string', value: info.sysName }),
    scalar(6, { type: 'string', value: info.sysLocation }),
    scalar(7, { type: 'integer', value: SYS_SERVICES }),
  ];
}
