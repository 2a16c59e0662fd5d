import * as z from 'zod';

/**
 * SNMPv3 config shapes shared by the agent's `snmp:` section (src/agent/snmp/config.ts), the
 * notification receivers (../notification/receiver-config.ts) and the analyzer's `notify:`.
 */

/** snmpEngineID in hex (RFC 3411 SnmpEngineID: 5–32 octets, not all 00 or all FF). */
export const engineIdSchema = z
  .string()
  .transform((text) => text.replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase())
  .refine((hex) => /^([0-9a-f]{2}){5,32}$/.test(hex), { message: 'must be 5 to 32 bytes in hex, e.g. 800054600512345678' })
  .refine((hex) => !/^(00)+$/.test(hex) && !/^(ff)+$/.test(hex), { message: 'must not be all 00 or all FF (RFC 3411)' });

/**
 * An SNMPv3 user (RFC 3414 USM): `snmp.v3Users` entries, and the `v3:` block of a notification
 * receiver, which take the same keys.
 *
 * Only authPriv: authenticated and encrypted, nothing weaker. Passwords are turned into keys once
 * at start and never logged.
 */
export const v3UserSchema = z.strictObject({
  /** msgUserName (SnmpAdminString, 1–32 bytes), the `-u` of the Net-SNMP tools. */
  name: z
    .string()
    .min(1, { message: 'must not be empty' })
    .refine((name) => Buffer.byteLength(name, 'utf8') <= 32, { message: 'must be at most 32 bytes' }),
  /** HMAC-SHA-2 (RFC 7860), or `SHA` = HMAC-SHA-1-96 (RFC 3414) for older managers. The `-a` of the tools. */
  authProtocol: z.enum(['SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA'], { error: 'must be SHA-224, SHA-256, SHA-384, SHA-512 or SHA' }),
  /** `-A`; RFC 3414 §11.2 recommends at least 8 characters, Net-SNMP refuses shorter ones. */
  authPassword: z.string().min(8, { message: 'must be at least 8 characters' }),
  /**
   * `-x`: AES-128-CFB (RFC 3826; `AES` and `AES-128` are the same), or AES-192/AES-256 with
   * Net-SNMP's key extension (draft-blumenthal-aes-usm-04; Cisco's "AES256C" variant is not supported).
   */
  privProtocol: z.enum(['AES', 'AES-128', 'AES-192', 'AES-256'], { error: 'must be AES (AES-128), AES-192 or AES-256' }).default('AES'),
  /** `-X`; at least 8 characters. */
  privPassword: z.string().min(8, { message: 'must be at least 8 characters' }),
});

export type SnmpV3User = z.output<typeof v3UserSchema>;
