/** OIDs as arrays of arcs, compared in SNMP's lexicographic order. */
export type Oid = readonly number[];

export function parseOid(text: string): Oid {
  return text.replace(/^\./, '').split('.').map(Number);
}

export function formatOid(oid: Oid): string {
  return oid.join('.');
}

/** <0, 0, >0 like a sort comparator; a prefix sorts before its extensions. */
export function compareOids(a: Oid, b: Oid): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

export function startsWith(oid: Oid, prefix: Oid): boolean {
  return oid.length >= prefix.length && prefix.every((arc, i) => oid[i] === arc);
}

/** SNMPv2-MIB::system. */
export const SYSTEM_OID = parseOid('1.3.6.1.2.1.1');
