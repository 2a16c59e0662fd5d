import { z } from 'zod';
import { ingestConfigSchema } from './ingest/config.js';
import { rulesSchema } from './rules/schema.js';

/**
 * analyzer.yaml (/etc/envirowatch/analyzer.yaml, or --config). Every key has a default; the
 * commented sample config/analyzer.yaml lists them. Rules are inline (`rules:`) so one file
 * describes the whole analyzer; `envirowatch analyze --rules` reads the same rule syntax.
 */
export const analyzerConfigSchema = z.strictObject({
  ...ingestConfigSchema.shape,
  /** The SQLite database (state and alerts) lives here. */
  dataDir: z.string().min(1).default('/var/lib/envirowatch'),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
  rules: rulesSchema,
});

export type AnalyzerConfig = z.output<typeof analyzerConfigSchema>;
