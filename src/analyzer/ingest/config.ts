import { z } from 'zod';

const listener = (port: number) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(port),
    })
    .prefault({});

/**
 * `listen:` and `limits:` of analyzer.yaml. By hand the analyzer listens on 127.0.0.1:5514 (UDP
 * and TCP); the systemd unit's config uses 514 on all addresses.
 */
export const ingestConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      udp: listener(5514),
      tcp: listener(5514),
      /** RFC 5425 syslog over TLS; off unless enabled with a certificate and key. */
      tls: z
        .strictObject({
          enabled: z.boolean().default(false),
          address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(6514),
          /** PEM files; both required when enabled. */
          cert: z.string().nullable().default(null),
          key: z.string().nullable().default(null),
        })
        .prefault({})
        .superRefine((tls, ctx) => {
          for (const file of ['cert', 'key'] as const) if (tls.enabled && !tls[file]) ctx.addIssue({ code: 'custom', path: [file], message: `listen.tls.enabled needs a ${file === 'cert' ? 'certificate' : 'private key'} file (PEM)` });
        }),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Longest message kept; longer ones are counted and skipped. */
      maxMessageBytes: z.number().int().min(480).max(16 * 1024 * 1024).default(64 * 1024),
      /** TCP connections at once; more are refused (counted). */
      maxConnections: z.number().int().min(1).max(100_000).default(1000),
    })
    .prefault({}),
});

export type IngestConfig = z.output<typeof ingestConfigSchema>;
