import { isIP } from 'node:net';
import { hostname } from 'node:os';
import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { PASSWORD_HASH_PATTERN } from './auth.js';
import { HOST_PATTERN } from './request.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
export const isLoopback = (address: string) => LOOPBACK.test(address);

/**
 * `web:` in analyzer.yaml: the page where alerts wait for acknowledgement. On a loopback address
 * with no users it needs no login (only this machine reaches it); on any other address users are
 * required, and with users a login is required everywhere.
 */
export const webConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    address: z
      .string()
      .refine((text) => isIP(text) !== 0 || text === 'localhost', { message: 'must be an IP address, e.g. 127.0.0.1 or 0.0.0.0' })
      .default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8514),
    /** Who may log in; passwordHash from `envirowatch hash-password`. Never the password itself. */
    users: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[\w.@-]{1,64}$/, 'must be 1-64 letters, digits, _ . @ or -'),
          passwordHash: z.string().regex(PASSWORD_HASH_PATTERN, 'must be the output of envirowatch hash-password (scrypt:...)'),
        }),
      )
      .default([]),
    /** A login lasts this long without use. */
    sessionTimeout: duration('12h', { ms: 30 * 86_400_000, label: '30d' }),
    /**
     * Host names (or addresses) the page answers to besides its defaults (allowedHostNames); a
     * request with any other Host header gets 421, against DNS rebinding. `name` allows any port,
     * `name:port` that port only. Default: none besides the defaults.
     */
    hosts: z
      .array(z.string().regex(HOST_PATTERN, 'must be a host name or address, optionally with :port, e.g. analyzer.example.org or [2001:db8::1]:8514'))
      .default([]),
    /** HTTPS with this certificate and key (PEM files); null: plain HTTP (fine on loopback or behind a TLS proxy). */
    tls: z
      .strictObject({ cert: z.string().min(1), key: z.string().min(1) })
      .nullable()
      .default(null),
  })
  .superRefine((web, ctx) => {
    if (web.enabled && !isLoopback(web.address) && web.users.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['users'],
        message: `required when web.address (${web.address}) is not a loopback address: add a user with a hash from envirowatch hash-password`,
      });
    }
  });

export type WebConfig = z.output<typeof webConfigSchema>;

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The Host names the page answers to once listening on `port`: web.hosts, and with the port the
 * bound address plus, on a loopback address, the loopback names (with or without users: only
 * this machine reaches it), else this machine's host name.
 */
export function allowedHostNames(web: WebConfig, port: number): string[] {
  const bound = isIP(web.address) === 6 ? `[${web.address}]` : web.address;
  const defaults = [bound, ...(isLoopback(web.address) ? LOOPBACK_NAMES : [hostname()])];
  return [...defaults.map((name) => `${name}:${port}`), ...web.hosts];
}
