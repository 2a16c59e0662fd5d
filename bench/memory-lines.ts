/**
 * The lines of the analyzer's memory figure (#19: 1M lines with 100k anomaly keys): OpenVPN
 * log-ons, user `i % keys` from a new address each line, 50 ms apart from 2026-01-01.
 */
export function* memoryLines(lines: number, keys: number): Generator<string> {
  for (let i = 0; i < lines; i++) {
    const t = new Date(Date.UTC(2026, 0, 1) + i * 50).toISOString();
    yield `<134>1 ${t} vpn-gw openvpn 1 - - openvpn server 'ovpns1' user 'user${i % keys}' address '10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1194' - connected`;
  }
}
