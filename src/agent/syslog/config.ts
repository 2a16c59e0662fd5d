import { z } from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { FACILITIES } from '../../common/syslog/format.js';

const destination = z
  .strictObject({
    host: z.string().min(1, 'must be a host name or address'),
    /** null: 514 for udp and tcp, 6514 for tls (RFC 5425). */
    port: z.number().int().min(1).max(65535).nullable().default(null),
    protocol: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    format: z.enum(['rfc5424', 'rfc3164']).default('rfc5424'),
    /** tls: PEM file of the CA that signed the collector's certificate; null = the system CAs. */
    ca: z.string().nullable().default(null),
    /** tls: check the collector's certificate and name (turn off only for a test collector). */
    verify: z.boolean().default(true),
  })
  .transform((d) => ({ ...d, port: d.port ?? (d.protocol === 'tls' ? 6514 : 514) }));

/** `syslog:` in agent.yaml: where the agent sends its own events. No destinations = off. */
export const syslogConfigSchema = z.strictObject({
  destinations: z.array(destination).default([]),
  facility: z.enum(FACILITIES).default('local0'),
  appName: z.string().min(1).max(48).default('envirowatch'),
  /** null: the machine's host name. */
  hostname: z.string().min(1).max(255).nullable().default(null),
  /** A heartbeat with the current readings as structured data; lets the analyzer see a sensor go quiet. */
  heartbeat: duration('60s', { ms: 86_400_000, label: '24h' }),
  /** Messages kept per TCP/TLS destination while it is unreachable; older ones are dropped (counted). */
  queue: z.number().int().min(1).max(100_000).default(1000),
});

export type SyslogConfig = z.output<typeof syslogConfigSchema>;
export type SyslogDestinationConfig = SyslogConfig['destinations'][number];
