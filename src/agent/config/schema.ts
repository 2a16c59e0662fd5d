import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { FILTER_CODES, OVERSAMPLING_CODES } from '../sensors/bme280/registers.js';
import { ALS_GAIN_CODES, ALS_INTEGRATION_CODES } from '../sensors/ltr559/registers.js';
import { displayConfigSchema } from '../display/config.js';
import { metricsConfigSchema } from '../metrics/config.js';
import { syslogConfigSchema } from '../syslog/config.js';
import { snmpConfigSchema } from '../snmp/config.js';

/**
 * The agent's configuration (agent.yaml). Every key has a default; config/agent.yaml in the
 * repository documents each one. Unknown keys are errors. Thresholds and offsets are written
 * in the configured temperature unit; resolve.ts converts them once to stored units.
 */

/** A number restricted to the settings a chip register can hold: the keys of its code table. */
const oneOf = <T extends number>(codes: Readonly<Record<T, number>>, describe: (values: string) => string) => {
  const values = Object.keys(codes)
    .map(Number)
    .sort((a, b) => a - b);
  const listed = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return z.custom<T>((value) => typeof value === 'number' && values.includes(value), { message: `must be ${describe(listed)}` });
};

const oversampling = oneOf(OVERSAMPLING_CODES, (values) => `one of ${values} (0 skips the channel)`);

const limitPair = z.strictObject({
  warning: z.number().nullable().default(null),
  critical: z.number().nullable().default(null),
});

const quantityThresholds = z
  .strictObject({
    high: limitPair.prefault({}),
    low: limitPair.prefault({}),
    /** null: the default for the quantity and unit (1, or 0.5 for °C temperatures). */
    hysteresis: z.number().nonnegative().nullable().default(null),
  })
  .superRefine((t, ctx) => {
    const { high, low } = t;
    if (high.warning !== null && high.critical !== null && high.warning > high.critical) {
      ctx.addIssue({ code: 'custom', path: ['high', 'warning'], message: `high warning (${high.warning}) must not be above high critical (${high.critical})` });
    }
    if (low.warning !== null && low.critical !== null && low.warning < low.critical) {
      ctx.addIssue({ code: 'custom', path: ['low', 'warning'], message: `low warning (${low.warning}) must not be below low critical (${low.critical})` });
    }
    const highest = Math.min(...[high.warning, high.critical].filter((v): v is number => v !== null));
    const lowest = Math.max(...[low.warning, low.critical].filter((v): v is number => v !== null));
    if (highest <= lowest) {
      ctx.addIssue({ code: 'custom', path: ['low'], message: `low limits (${lowest}) must be below high limits (${highest})` });
    }
  });

const i2cAddress = z.number({ error: 'must be a 7-bit I²C address such as 0x76' }).int().min(0x03).max(0x77);

export const agentConfigSchema = z.strictObject({
  i2c: z
    .strictObject({
      // auto: the GPIO header's bus found by its controller (i2c/header-bus.ts); its number differs between Pi models.
      bus: z
        .union([z.literal('auto'), z.number().int().nonnegative()], {
          error: 'must be auto (the GPIO header bus, found through sysfs) or a bus number N of /dev/i2c-N',
        })
        .default('auto'),
    })
    .prefault({}),
  sensors: z
    .strictObject({
      bme280: z
        .strictObject({
          enabled: z.boolean().default(true),
          address: z.union([z.literal('auto'), i2cAddress], { error: 'must be auto (probe 0x76, then 0x77) or an I²C address such as 0x77' }).default('auto'),
          mode: z.enum(['forced', 'normal']).default('forced'),
          oversampling: z
            .strictObject({
              // Checked on the field, not the object, so it is reported together with any other mistake.
              temperature: oversampling
                .refine((value) => value !== 0, { message: 'cannot be 0: pressure and humidity are compensated with the temperature' })
                .default(1),
              pressure: oversampling.default(1),
              humidity: oversampling.default(1),
            })
            .prefault({}),
          filter: oneOf(FILTER_CODES, (values) => `${values} (0 = off)`).default(0),
        })
        .prefault({}),
      ltr559: z
        .strictObject({
          enabled: z.boolean().default(true),
          address: i2cAddress.default(0x23),
          gain: oneOf(ALS_GAIN_CODES, (values) => values).default(4),
          integrationTimeMs: oneOf(ALS_INTEGRATION_CODES, (values) => values).default(100),
          proximity: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  poll: z
    .strictObject({
      interval: duration('2s'),
      staleAfter: duration('10s'),
    })
    .prefault({})
    .refine((p) => p.staleAfter > p.interval, { message: 'must be longer than poll.interval', path: ['staleAfter'] }),
  cpuCorrection: z
    .strictObject({
      enabled: z.boolean().default(true),
      factor: z.number().positive().default(2.25),
      samples: z.number().int().min(1).max(100).default(5),
      path: z.string().min(1).default('/sys/class/thermal/thermal_zone0/temp'),
    })
    .prefault({}),
  units: z.strictObject({ temperature: z.enum(['fahrenheit', 'celsius']).default('fahrenheit') }).prefault({}),
  offsets: z
    .strictObject({
      temperature: z.number().default(0),
      humidity: z.number().default(0),
      pressure: z.number().default(0),
      light: z.number().default(0),
    })
    .prefault({}),
  thresholds: z
    .strictObject({
      temperature: quantityThresholds.optional(),
      humidity: quantityThresholds.optional(),
      pressure: quantityThresholds.optional(),
      light: quantityThresholds.optional(),
      proximity: quantityThresholds.optional(),
    })
    .prefault({}),
  snmp: snmpConfigSchema.prefault({}),
  log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
  display: displayConfigSchema.prefault({}),
  metrics: metricsConfigSchema.prefault({}),
  syslog: syslogConfigSchema.prefault({}),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
export type QuantityThresholdsConfig = z.output<typeof quantityThresholds>;
