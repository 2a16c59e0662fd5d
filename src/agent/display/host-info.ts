import { hostname, networkInterfaces } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * The addresses a user would snmpwalk, most useful first: external IPv4, then global IPv6;
 * loopback and link-local addresses only help nobody across the room. Pure over `interfaces`.
 */
export function reachableAddresses(interfaces: Interfaces): string[] {
  const all = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal);
  const ipv4 = all.filter((entry) => entry.family === 'IPv4' && !entry.address.startsWith('169.254.')).map((entry) => entry.address);
  const ipv6 = all.filter((entry) => entry.family === 'IPv6' && !/^fe80:/i.test(entry.address)).map((entry) => entry.address);
  return [...ipv4, ...ipv6];
}

export function currentHost(): { hostname: string; addresses: string[] } {
  return { hostname: hostname(), addresses: reachableAddresses(networkInterfaces()) };
}
