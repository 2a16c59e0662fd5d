import * as z from 'zod';
import { engineIdSchema } from '../../snmp/v3/config.js';
import { notificationReceiverSchema } from '../../snmp/notification/receiver-config.js';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { syslogDestinationSchema } from '../../common/syslog/destination-config.js';
import { SEVERITIES } from '../../common/syslog/format.js';

const common = {
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -'),
  /** Alerts at least this severe go to the channel. */
  minSeverity: z.enum(SEVERITIES).default('warning'),
  /** Only alerts of these rule ids; empty = all rules. */
  rules: z.array(z.string()).default([]),
};

/** Whether a channel also sends a problem's resolution (with how long it was open). */
const onResolve = (fallback: boolean) => z.boolean().default(fallback);

const webhook = z.strictObject({
  ...common,
  type: z.literal('webhook'),
  onResolve: onResolve(true),
  /** The alert is POSTed as JSON; a non-2xx answer is retried. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  headers: z.record(z.string(), z.string()).default({}),
  timeout: duration('10s', { ms: 300_000, label: '5m' }),
});

const syslog = z.strictObject({
  ...common,
  type: z.literal('syslog'),
  onResolve: onResolve(false),
  destination: syslogDestinationSchema,
});

const email = z.strictObject({
  ...common,
  type: z.literal('email'),
  onResolve: onResolve(true),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** tls: TLS from the start (port 465); starttls: upgrade, and refuse a server without it; none: plain (tests only). */
    security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    user: z.string().nullable().default(null),
    /** Never logged. */
    password: z.string().nullable().default(null),
    /** PEM file of the server's CA; null = the system CAs. */
    ca: z.string().nullable().default(null),
  }),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1, 'needs at least one address'),
  /** ${...} over the alert's fields: id, ruleId, kind, severity, time, host, key, value, state, problem (open, resolved or empty), summary (a resolution's says how long the problem was open). */
  subject: z.string().default('[envirowatch ${severity}] ${summary}'),
  body: z.string().default('${summary}\n\nRule: ${ruleId} (${kind})\nHost: ${host}\nKey: ${key}\nValue: ${value}\nTime: ${time}\nAlert: ${id}\n'),
});

/** An `analyzerAlert` trap or inform (mibs/ENVIROWATCH-MIB.txt) to one receiver. */
const snmp = z.strictObject({
  ...common,
  type: z.literal('snmp'),
  onResolve: onResolve(false),
  /**
   * The same keys as a receiver in the agent's `snmp.notifications.receivers` (host; port 162;
   * community `public`, or a `v3:` user; kind trap|inform; timeout; retries). A trap counts as
   * delivered when sent; an inform when acknowledged, else the outbox retries it later.
   */
  receiver: notificationReceiverSchema,
});

export const channelSchema = z.discriminatedUnion('type', [webhook, syslog, email, snmp], { error: 'type must be webhook, syslog, email or snmp' });
export type ChannelConfig = z.output<typeof channelSchema>;

/** `notify:` in analyzer.yaml: where alerts go, through a durable outbox with retries. */
export const notifyConfigSchema = z
  .strictObject({
    channels: z.array(channelSchema).default([]),
    /** More alerts than this due for one channel at once go out as one digest (a flood sends one mail, not thousands). */
    digestAbove: z.number().int().min(1).max(10_000).default(10),
    /**
     * snmpEngineID (hex) of the analyzer's SNMPv3 traps; snmptrapd needs it for `createUser -e`.
     * null: derived from the host name (format 4, text `analyzer@<hostname>`), so it differs from
     * an agent's on the same machine. Its boots are kept in the data dir.
     */
    snmpEngineId: engineIdSchema.nullable().default(null),
    retry: z
      .strictObject({
        /** First retry after this, doubling up to `max`. */
        first: duration('5s', { ms: 3_600_000, label: '1h' }),
        max: duration('10m', { ms: 86_400_000, label: '24h' }),
        /** An alert not delivered by then is given up (kept, logged, counted). */
        giveUpAfter: duration('24h', { ms: 30 * 86_400_000, label: '30d' }),
      })
      .prefault({}),
  })
  .superRefine((notify, ctx) => {
    const ids = new Set<string>();
    notify.channels.forEach((channel, i) => {
      if (ids.has(channel.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id ${channel.id}` });
      ids.add(channel.id);
    });
  });

export type NotifyConfig = z.output<typeof notifyConfigSchema>;
