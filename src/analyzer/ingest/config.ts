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
