/**
 * The objects about the SNMP entity itself that snmpd serves and managers read (engine time as
 * uptime, counters for health): SNMPv2-MIB's snmp group (RFC 3418 §2, the counters it keeps),
 * SNMP-FRAMEWORK-MIB's snmpEngine group (RFC 3411 §5) and SNMP-USER-BASED-SM-MIB's usmStats
 * (RFC 3414 §5). Live instances: each value is read when a request reaches it, so a counter read
 * includes the request reading it, while the view holding them is kept between requests.
 */
import type { LocalEngine } from '../v3/local-engine.js';
import type { Varbind } from '../message/message.js';
import type { LiveInstance } from './request-handler.js';
import { parseOid, type Oid } from '../oid.js';
import { USM_STATS, USM_STATS_OID, type UsmStats } from '../v3/usm.js';

/** What the snmp group counts (RFC 3418), each a Counter32. */
export interface SnmpGroupCounts {
  /** snmpInPkts: every datagram received. */
  readonly inPkts: number;
  /** snmpInBadVersions: messages of a version not served. */
  readonly inBadVersions: number;
  /** snmpInBadCommunityNames: unknown community, or a known one from a source not allowed (RFC 3418 allows both). */
  readonly inBadCommunityNames: number;
  /** snmpInBadCommunityUses: operations a community may not do (SETs: every community is read-only). */
  readonly inBadCommunityUses: number;
  /** snmpInASNParseErrs: messages that were not well-formed BER. */
  readonly inASNParseErrs: number;
  /** snmpSilentDrops: requests not answered because not even an empty tooBig fitted. */
  readonly silentDrops: number;
}

export interface SnmpEntityState {
  readonly counts: SnmpGroupCounts;
  readonly engine: LocalEngine;
  /** snmpEngineMaxMessageSize: what we announce as msgMaxSize. */
  readonly maxMessageSize: number;
  /** Zero when no v3 user is configured: v3 is then dropped before the USM sees it. */
  readonly usmStats: Readonly<UsmStats>;
}

const SNMP_GROUP = parseOid('1.3.6.1.2.1.11');
const SNMP_ENGINE = parseOid('1.3.6.1.6.3.10.2.1');

/** RFC 3418 snmp group arcs: the counters it keeps, and snmpEnableAuthenTraps (30), snmpProxyDrops (32). */
const SNMP_GROUP_ARCS: Record<keyof SnmpGroupCounts, number> = {
  inPkts: 1,
  inBadVersions: 3,
  inBadCommunityNames: 4,
  inBadCommunityUses: 5,
  inASNParseErrs: 6,
  silentDrops: 31,
};
const ENABLE_AUTHEN_TRAPS = 30;
const PROXY_DROPS = 32;
/** snmpEnableAuthenTraps disabled(2): no authenticationFailure traps are sent. */
const AUTHEN_TRAPS_DISABLED = 2;

/** The objects (scalars) served here, for noSuchInstance vs noSuchObject. */
export const SNMP_ENTITY_OBJECTS: readonly Oid[] = [
  ...[...Object.values(SNMP_GROUP_ARCS), ENABLE_AUTHEN_TRAPS, PROXY_DROPS].map((arc) => [...SNMP_GROUP, arc]),
  ...[1, 2, 3, 4].map((arc) => [...SNMP_ENGINE, arc]),
  ...Object.values(USM_STATS).map((arc) => [...USM_STATS_OID, arc]),
];

const counter = (value: number): Varbind['value'] => ({ type: 'counter32', value: value % 2 ** 32 });

/** The entity's objects, each reading `current()` when a request reaches it (only then). */
export function snmpEntityInstances(current: () => SnmpEntityState): LiveInstance[] {
  const scalar = (group: Oid, arc: number, read: (state: SnmpEntityState) => Varbind['value']): LiveInstance => ({
    oid: [...group, arc, 0],
    read: () => read(current()),
  });
  return [
    ...Object.entries(SNMP_GROUP_ARCS).map(([name, arc]) => scalar(SNMP_GROUP, arc, (state) => counter(state.counts[name as keyof SnmpGroupCounts]))),
    scalar(SNMP_GROUP, ENABLE_AUTHEN_TRAPS, () => ({ type: 'integer', value: AUTHEN_TRAPS_DISABLED })),
    // Nothing is proxied.
    scalar(SNMP_GROUP, PROXY_DROPS, () => counter(0)),
    scalar(SNMP_ENGINE, 1, (state) => ({ type: 'octets', value: state.engine.engineId })),
    scalar(SNMP_ENGINE, 2, (state) => ({ type: 'integer', value: state.engine.boots })),
    scalar(SNMP_ENGINE, 3, (state) => ({ type: 'integer', value: state.engine.time() })),
    scalar(SNMP_ENGINE, 4, (state) => ({ type: 'integer', value: state.maxMessageSize })),
    ...Object.entries(USM_STATS).map(([name, arc]) => scalar(USM_STATS_OID, arc, (state) => counter(state.usmStats[name as keyof UsmStats]))),
  ];
}
