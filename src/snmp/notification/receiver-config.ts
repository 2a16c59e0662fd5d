import { isIP } from 'node:net';
import * as z from 'zod';
import { durationSchema } from '../../common/duration-schema.js';
import { v3UserSchema, type SnmpV3User } from '../v3/config.js';

/**
 * One notification receiver: an entry of the agent's `snmp.notifications.receivers` and the
 * `receiver:` of the analyzer's snmp channel (README.md beside this file; config/agent.yaml
 * documents the keys). Every key but `host` has a default; unknown keys are errors. Durations
 * come out in milliseconds. A receiver is SNMPv2c (`community`, the default) or SNMPv3 (a `v3:`
 * block, the same keys as an `snmp.v3Users` entry), never both.
 */

/** Longest a single inform attempt may wait; with backoff the last of 10 retries waits 2¹⁰ × this. */
const MAX_TIMEOUT = { ms: 60_000, label: '60s' };
const timeout = (fallback: string) => durationSchema(fallback, MAX_TIMEOUT);

/** An IP address or a DNS name (resolved at each send, so a receiver that moves is followed). */
const host = z
  .string({ error: "must be the receiver's address or host name, e.g. 192.168.1.10 or nms.example.org" })
  .min(1, { message: 'must not be empty' })
  .max(253)
  .refine((text) => isIP(text) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text), {
    message: 'must be an IPv4 or IPv6 address or a host name',
  });

/** What a receiver without `community` and without `v3` gets, as before v3 existed. */
const DEFAULT_COMMUNITY = 'public';

const receiverFields = z.strictObject({
  /**
   * Where to send: an IPv4/IPv6 address or a host name. Required (there is no sensible default).
   * Host names are resolved to IPv4 at each send; write IPv6 receivers as addresses.
   */
  host,
  /** UDP port of the receiver; 162 is snmptrapd's. */
  port: z.number().int().min(1).max(65535).default(162),
  /**
   * SNMPv2c community sent with each notification; must match the receiver's (snmptrapd
   * `authCommunity`). `public` when neither this nor `v3` is given.
   */
  community: z.string().min(1, { message: 'must not be empty' }).max(255).optional(),
  /**
   * SNMPv3 instead of v2c: the USM user (authPriv) the receiver knows. Traps are sent with this
   * agent's engine ID (snmptrapd: `createUser -e <engine ID> ...`); informs discover the
   * receiver's engine ID first (snmptrapd: `createUser ...` without `-e`).
   */
  v3: v3UserSchema.optional(),
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

type ReceiverFields = Omit<z.output<typeof receiverFields>, 'community' | 'v3'>;
/** A v2c receiver has `community`, a v3 receiver `v3`; exactly one of them is set. */
export type NotificationReceiver = ReceiverFields &
  ({ readonly community: string; readonly v3?: undefined } | { readonly v3: SnmpV3User; readonly community?: undefined });

const hasBoth = (value: unknown) =>
  typeof value === 'object' && value !== null && 'community' in value && 'v3' in value && value.community !== undefined && value.v3 !== undefined;

export const notificationReceiverSchema = receiverFields
  .refine((receiver) => !hasBoth(receiver), {
    path: ['v3'],
    message: 'a receiver is SNMPv2c (community) or SNMPv3 (v3), not both: remove community or v3',
    // Reported together with the receiver's other mistakes, not only once they are fixed.
    when: (payload) => hasBoth(payload.value),
  })
  .transform(({ community, v3, ...fields }): NotificationReceiver => (v3 ? { ...fields, v3 } : { ...fields, community: community ?? DEFAULT_COMMUNITY }));
