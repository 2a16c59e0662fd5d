import * as z from 'zod';

/**
 * `metrics:` in agent.yaml: the optional Prometheus/OpenMetrics endpoint. Off by default: the
 * sensor's interface is SNMP, and an open HTTP port is one more thing to secure.
 */
export const metricsConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Listen address; 0.0.0.0 or :: to let a Prometheus server on another host scrape it. */
  address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(9687),
});

export type MetricsConfig = z.output<typeof metricsConfigSchema>;
