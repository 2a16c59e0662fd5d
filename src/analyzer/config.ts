import * as z from 'zod';
import { durationSchema as duration } from '../common/duration-schema.js';
import { ingestConfigSchema } from './ingest/config.js';
import { notifyConfigSchema } from './notify/config.js';
import { defaultRules } from './default-rules.js';
import { rulesSchema } from './rules/schema.js';
import { webConfigSchema } from './web/config.js';

/**
 * analyzer.yaml (/etc/envirowatch/analyzer.yaml, or --config). Every key has a default; the
 * commented sample config/analyzer.yaml lists them. Rules are inline (`rules:`) so one file
 * describes the whole analyzer; `envirowatch analyze --rules` reads the same rule syntax.
 */
export const analyzerConfigSchema = z.strictObject({
  ...ingestConfigSchema.shape,
  /** The SQLite database (state and alerts) lives here. */
  dataDir: z.string().min(1).default('/var/lib/envirowatch-analyzer'),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
  retention: z
    .strictObject({
      /** Alerts older than this are deleted (hourly), acknowledged or not. */
      alerts: duration('90d', { ms: 10 * 366 * 86_400_000, label: '3660d' }),
      /** Sensor readings (from heartbeats) and per-host event rates, which the web page charts. */
      readings: duration('7d', { ms: 366 * 86_400_000, label: '366d' }),
    })
    .prefault({}),
  problems: z
    .strictObject({
      /**
       * A problem that opens again within this time after it resolved is the same problem, re-opened
       * (counted), not a new one: a sensor flapping around its limit makes one row, not dozens.
       */
      flapWindow: duration('15m', { ms: 7 * 86_400_000, label: '7d' }),
    })
    .prefault({}),
  notify: notifyConfigSchema.prefault({}),
  web: webConfigSchema.prefault({}),
  /** Absent: the shipped default rules (default-rules.ts); `rules: []` runs none. */
  rules: rulesSchema.default(defaultRules),
});

export type AnalyzerConfig = z.output<typeof analyzerConfigSchema>;
