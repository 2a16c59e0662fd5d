import { isIP } from 'node:net';
import * as z from 'zod';
import { agentxConfigSchema } from '../../snmp/agentx/config.js';
import { notificationReceiverSchema } from '../../snmp/notification/receiver-config.js';
import { engineIdSchema, v3UserSchema } from '../../snmp/v3/config.js';

/**
 * The future `snmp:` section of agent.yaml (README.md beside this file documents it for
 * config/agent.yaml). Every key has a default; unknown keys are errors. Read-only SNMPv1/v2c
 * communities and read-only SNMPv3 authPriv users (USM, src/snmp/v3/usm.ts); v2c/v3 notifications; AgentX.
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

/** `snmp.notifications` (NOTIFICATIONS.md beside this file). */
export const notificationsConfigSchema = z.strictObject({
  /** Where status-change notifications go. Empty by default: nothing is sent until configured. */
  receivers: z.array(notificationReceiverSchema).default([]),
});

export const snmpConfigSchema = z.strictObject({
  /**
   * `agent`: answer SNMP requests ourselves on `port`. `agentx`: register the sensor table with a
   * running snmpd (`master agentx`) as an AgentX subagent; snmpd then does access control, so
   * addresses, port, communities and v3 users here are not used.
   */
  mode: z.enum(['agent', 'agentx'], { error: 'must be agent or agentx' }).default('agent'),
  /** With mode agentx: the snmpd master's socket, timeout and reconnect backoff (AGENTX.md). */
  agentx: agentxConfigSchema.prefault({}),
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
  /**
   * SNMPv3 users, all authPriv and read-only. None by default: SNMPv3 messages are then ignored
   * (counted as unsupported), as v1/v2c requests are without a community.
   */
  v3Users: z
    .array(v3UserSchema)
    .default([])
    .refine((users) => !users || new Set(users.map((user) => user.name)).size === users.length, { message: 'user names must be unique' }),
  /**
   * snmpEngineID in hex; null = derived from this machine's first Ethernet/Wi-Fi MAC address
   * (RFC 3411 format 3 under enterprise 21600), falling back to the host name. Managers holding
   * localised keys need it to stay the same: set it when replacing the hardware.
   */
  engineId: engineIdSchema.nullable().default(null),
  /**
   * A file where snmpEngineBoots is kept across restarts (RFC 3414 §2.2.2), e.g.
   * /var/lib/envirowatch/snmp-engine.json (systemd StateDirectory=envirowatch). Absent or null:
   * not kept, boots is always 1, and after a restart long-running managers refuse our responses
   * as not in time window until they rediscover (one-shot tools like snmpwalk are unaffected).
   */
  engineBootsFile: z.string().min(1).nullable().default(null),
  /** Where threshold and sensor status changes are sent as SNMPv2c or SNMPv3 traps or informs. */
  notifications: notificationsConfigSchema.prefault({}),
});

export type SnmpConfig = z.output<typeof snmpConfigSchema>;
