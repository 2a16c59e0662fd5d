import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { syslogDestinationSchema } from '../../common/syslog/destination-config.js';
import { FACILITIES } from '../../common/syslog/format.js';

/** `syslog:` in agent.yaml: where the agent sends its own events. No destinations = off. */
export const syslogConfigSchema = z.strictObject({
  destinations: z.array(syslogDestinationSchema).default([]),
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
