import { isIP } from 'node:net';
import { z } from 'zod';
import { durationSchema } from '../../common/duration-schema.js';

/**
 * The future `snmp.notifications:` section of agent.yaml (NOTIFICATIONS.md beside this file
 * documents it for config/agent.yaml). Every key but `host` has a default; unknown keys are
 * errors. Durations come out in milliseconds.
 */

/** Longest a single inform attempt may wait; with backoff the last of 10 retries waits 2¹⁰ × this. */
const MAX_TIMEOUT = { ms: 60_000, label: '60s' };
const timeout = (fallback: string) => durationSchema(fallback, MAX_TIMEOUT);


/** An IP address or a DNS name (resolved at each send, so a receiver that moves is followed). */
const host = z
  .string({ error: 'must be the receiver\'s address or host name, e.g. 192.168.1.10 or nms.example.org' })
  .min(1, { message: 'must not be empty' })
  .max(253)
  .refine((text) => isIP(text) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text), {
    message: 'must be an IPv4 or IPv6 address or a host name',
  });

export const notificationReceiverSchema = z.strictObject({
  /**
   * Where to send: an IPv4/IPv6 address or a host name. Required (there is no sensible default).
   * Host names are resolved to IPv4 at each send; write IPv6 receivers as addresses.
   */
  host,
  /** UDP port of the receiver; 162 is snmptrapd's. */
  port: z.number().int().min(1).max(65535).default(162),
  /** SNMPv2c community sent with each notification; must match the receiver's (snmptrapd `authCommunity`). */
  community: z.string().min(1, { message: 'must not be empty' }).max(255).default('public'),
  /**
   * `trap`: SNMPv2-Trap, sent once, never acknowledged (lost if the network drops it).
   * `inform`: InformRequest, resent until the receiver acknowledges it or `retries` run out.
   */
  kind: z.enum(['trap', 'inform'], { error: 'must be trap or inform' }).default('trap'),
  /** Inform only: how long to wait for the acknowledgement before the first resend; doubles at each resend. */
  timeout: timeout('2s'),
  /** Inform only: resends after the first attempt before the inform counts as failed (0–10). */
  retries: z.number().int().min(0).max(10).default(3),
});

export const notificationsConfigSchema = z.strictObject({
  /** Where status-change notifications go. Empty by default: nothing is sent until configured. */
  receivers: z.array(notificationReceiverSchema).default([]),
});

export type NotificationReceiver = z.output<typeof notificationReceiverSchema>;
export type NotificationsConfig = z.output<typeof notificationsConfigSchema>;
