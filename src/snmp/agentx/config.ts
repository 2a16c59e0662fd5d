import { isIP } from 'node:net';
import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';

/**
 * `snmp.agentx:` in agent.yaml, used when `snmp.mode: agentx` (README.md beside this file; the
 * agent's use: src/agent/snmp/AGENTX.md).
 * Validated without I/O; every key has a default; unknown keys are errors.
 */

/** Where the master listens: a Unix socket path, or TCP. */
export type AgentxEndpoint = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/**
 * Net-SNMP's `agentXSocket` spellings we accept: `/var/agentx/master` or `unix:/path` (Unix
 * socket), `tcp:127.0.0.1:705`, `tcp:localhost:705`, `tcp:[::1]:705`. Undefined for anything else.
 */
export function parseAgentxSocket(text: string): AgentxEndpoint | undefined {
  if (text.startsWith('/')) return { kind: 'unix', path: text };
  if (text.startsWith('unix:/')) return { kind: 'unix', path: text.slice('unix:'.length) };
  const tcp = /^tcp:(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (!tcp) return undefined;
  const host = tcp[1] ?? tcp[2]!;
  const port = Number(tcp[3]);
  if (port < 1 || port > 65535) return undefined;
  if (tcp[1] !== undefined && isIP(host) !== 6) return undefined;
  return { kind: 'tcp', host, port };
}

export const agentxConfigSchema = z.strictObject({
  /**
   * The master agent's AgentX socket, as snmpd's `agentXSocket` says: a Unix socket path
   * (Net-SNMP's default `/var/agentx/master`; the agent's user needs write access to it) or
   * `tcp:HOST:PORT` (e.g. `tcp:127.0.0.1:705`).
   */
  socket: z
    .string()
    .default('/var/agentx/master')
    .refine((text) => parseAgentxSocket(text) !== undefined, {
      message: 'must be a Unix socket path such as /var/agentx/master, or tcp:HOST:PORT such as tcp:127.0.0.1:705',
    }),
  /**
   * How long to wait for the master to answer Open and Register (and the o.timeout we announce,
   * in whole seconds, for the master waiting on us).
   */
  timeout: duration('5s'),
  /** Reconnection backoff: the first retry after 1 s, doubling up to this. */
  reconnectMaxDelay: duration('30s'),
});

export type AgentxConfig = z.output<typeof agentxConfigSchema>;
