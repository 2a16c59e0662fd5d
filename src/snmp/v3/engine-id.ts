/**
 * Our snmpEngineID (RFC 3411 §5, SnmpEngineID textual convention). Managers localise their keys
 * with it (RFC 3414 §2.6), so it must not change across restarts: it is configured
 * (`snmp.engineId`) or derived from the hardware, never random.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** enterprises.21600, the number our MIB lives under. */
export const ENTERPRISE = 21600;

/** RFC 3411: first bit 1 = the new format; then the enterprise number; then a format octet. */
export const EngineIdFormat = { ipv4: 1, ipv6: 2, mac: 3, text: 4, octets: 5 } as const;

/** 0x80000000 | enterprise, format octet, then the format's data. */
export function formatEngineId(format: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE((0x8000_0000 | ENTERPRISE) >>> 0, 0);
  head[4] = format;
  return Buffer.concat([head, data]);
}

export interface EngineIdSource {
  /** MAC addresses of the network interfaces by name, e.g. { eth0: '2c:cf:67:01:02:03' }. */
  readonly macs: Readonly<Record<string, string>>;
  readonly hostname: string;
}

/** Physical interfaces first (eth0 before wlan0), so docker0, bridges and VPNs cannot win. */
const PHYSICAL = /^(eth|en|wlan|wl)/;

/**
 * Format 3 with the MAC of the first physical interface by name (Ethernet before Wi-Fi), else of
 * any interface with a real MAC; format 4 with the host name (at most 27 bytes) when there is none.
 */
export function deriveEngineId(source: EngineIdSource): Buffer {
  const candidates = Object.entries(source.macs)
    .map(([name, mac]) => ({ name, bytes: Buffer.from(mac.replace(/[:-]/g, ''), 'hex') }))
    .filter(({ bytes }) => bytes.length === 6 && !bytes.equals(Buffer.alloc(6)) && !bytes.equals(Buffer.alloc(6, 0xff)))
    .sort((a, b) => Number(PHYSICAL.test(b.name)) - Number(PHYSICAL.test(a.name)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const first = candidates[0];
  if (first) return formatEngineId(EngineIdFormat.mac, first.bytes);
  return formatEngineId(EngineIdFormat.text, Buffer.from(source.hostname || 'envirowatch', 'utf8').subarray(0, 27));
}

/**
 * This machine's interfaces from /sys/class/net (Linux), which lists them whether or not they
 * have an address, so unplugging a cable does not change the engine ID. Empty elsewhere.
 */
export function localEngineIdSource(): EngineIdSource {
  const macs: Record<string, string> = {};
  try {
    for (const name of readdirSync('/sys/class/net')) {
      try {
        macs[name] = readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim();
      } catch {
        // An interface without an address file (or gone meanwhile) is simply not a candidate.
      }
    }
  } catch {
    // Not Linux: fall back to the host name.
  }
  return { macs, hostname: hostname() };
}
