/**
 * Datagrams the kernel dropped for our UDP socket because its receive buffer was full: the loss
 * the analyzer cannot see by counting what it reads. Linux reports it per socket in the last
 * column ("drops") of /proc/net/udp and /proc/net/udp6 (net/ipv4/udp.c, udp4_format_sock), keyed
 * here by the local port in hex. Undefined where there is no such file (not Linux).
 */
import { readFileSync } from 'node:fs';

export function udpKernelDrops(port: number, procRoot = '/proc'): number | undefined {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let found = false;
  let drops = 0;
  for (const file of ['net/udp', 'net/udp6']) {
    let table: string;
    try {
      table = readFileSync(`${procRoot}/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/ +/);
      if (fields.length < 13 || !fields[1]!.endsWith(portHex)) continue;
      found = true;
      drops += Number(fields[fields.length - 1]);
    }
  }
  return found ? drops : undefined;
}
