import * as z from 'zod';

/** One syslog collector to send to: the agent's `syslog.destinations` and the analyzer's syslog notifications. */
export const syslogDestinationSchema = z
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

export type SyslogDestinationConfig = z.output<typeof syslogDestinationSchema>;
