import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The future `snmp:` section of agent.yaml (README.md beside this file documents it for
 * config/agent.yaml). Every key has a default; unknown keys are errors. Only read-only
 * SNMPv1/v2c communities exist in this step; v3 users, traps and AgentX come later.
 */

/** `10.0.0.0/8`, `192.168.1.20` (one host), `fd00::/8`, `::1`. */
const cidr = z.string().refine(
  (text) => {
    const [address, prefix, extra] = text.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return false;
    if (prefix === undefined) return true;
    if (!/^\d{1,3}$/.test(prefix)) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
  },
  { message: 'must be an IPv4 or IPv6 network such as 192.168.1.0/24 or fd00::/8, or one address' },
);

const community = z.strictObject({
  /** The community string managers send. */
  name: z.string().min(1, { message: 'must not be empty' }).max(255),
  /** Networks allowed to use it; absent = any source address. */
  sources: z.array(cidr).min(1, { message: 'list at least one network, or leave sources out for any' }).optional(),
});

export const snmpConfigSchema = z.strictObject({
  /** `agent`: answer SNMP requests ourselves on `port`. (`agentx`, a subagent of snmpd, comes later.) */
  mode: z.literal('agent', { error: 'must be agent' }).default('agent'),
  /**
   * Local addresses to listen on. A sensor must be reachable from the network, so the default is
   * every IPv4 address. `::` is IPv6 only (sockets are bound IPv6-only so that listing both
   * `0.0.0.0` and `::` works); list both for dual stack.
   */
  addresses: z
    .array(z.string().refine((a) => isIP(a) !== 0, { message: 'must be an IPv4 or IPv6 address such as 0.0.0.0, :: or 127.0.0.1' }))
    .min(1)
    .default(['0.0.0.0']),
  /** UDP port. Below 1024 needs root or CAP_NET_BIND_SERVICE; 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535).default(161),
  /**
   * Read-only communities. Empty by default: no access until configured, so a fresh install does
   * not answer the world with `public` (the shipped demo config adds `public` for 127.0.0.1).
   */
  communities: z.array(community).default([]),
  /** sysContact.0: who to call about this sensor. */
  sysContact: z.string().max(255).default(''),
  /** sysLocation.0: where it hangs, e.g. "server room 2, rack 4". */
  sysLocation: z.string().max(255).default(''),
  /** sysName.0; null = the host name. */
  sysName: z.string().max(255).nullable().default(null),
});

export type SnmpConfig = z.output<typeof snmpConfigSchema>;
export type SnmpCommunity = z.output<typeof community>;
