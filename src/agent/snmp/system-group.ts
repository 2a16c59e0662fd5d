/** SNMPv2-MIB system group (RFC 3418 §2), the scalars every manager asks for first, and sysORTable. */
import type { Varbind } from '../../snmp/message/message.js';
import { parseOid, SYSTEM_OID, type Oid } from '../../snmp/oid.js';
import { ENVIROWATCH_OID } from './envirowatch-oids.js';

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

/** sysORTable (RFC 3418): the MIB modules this agent implements, as snmpd names the ones both serve. */
const SYS_OR_ENTRIES: readonly { readonly id: Oid; readonly descr: string }[] = [
  { id: parseOid('1.3.6.1.6.3.10.3.1.1'), descr: 'The SNMP Management Architecture MIB.' },
  { id: parseOid('1.3.6.1.6.3.15.2.1.1'), descr: 'The management information definitions for the SNMP User-based Security Model.' },
  { id: parseOid('1.3.6.1.6.3.1'), descr: 'The MIB module for SNMPv2 entities' },
  { id: [...ENVIROWATCH_OID, 3], descr: 'The MIB module for envirowatch environment sensors (ENVIROWATCH-MIB)' },
];

const SYS_OR_LAST_CHANGE = 8;
const SYS_OR_ENTRY = [...SYSTEM_OID, 9, 1];
/** sysORID, sysORDescr, sysORUpTime (sysORIndex is not-accessible). */
const SYS_OR_COLUMNS = [2, 3, 4];

/** The objects (scalars, columns) served here, for noSuchInstance vs noSuchObject. */
export const SYSTEM_OBJECTS: readonly Oid[] = [
  ...[1, 2, 3, 4, 5, 6, 7, SYS_OR_LAST_CHANGE].map((arc) => [...SYSTEM_OID, arc]),
  ...SYS_OR_COLUMNS.map((column) => [...SYS_OR_ENTRY, column]),
];

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
    // The table is fixed from the start, so it last changed, and each row appeared, at sysUpTime 0.
    scalar(SYS_OR_LAST_CHANGE, { type: 'timeticks', value: 0 }),
    ...SYS_OR_ENTRIES.flatMap((entry, i): Varbind[] => [
      { oid: [...SYS_OR_ENTRY, 2, i + 1], value: { type: 'oid', value: entry.id } },
      { oid: [...SYS_OR_ENTRY, 3, i + 1], value: { type: 'string', value: entry.descr } },
      { oid: [...SYS_OR_ENTRY, 4, i + 1], value: { type: 'timeticks', value: 0 } },
    ]),
  ];
}
