import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';

/**
 * The `display:` section of agent.yaml. `type` defaults to `none` so that the agent's built-in
 * defaults run on any PC; the SD image's agent.yaml sets `st7735` for the Enviro's LCD, and
 * config/demo.yaml sets it so `npm start` drives the emulated LCD.
 */
const i2cAddress = z
  .number({ error: 'must be 0x3C or 0x3D' })
  .refine((value) => value === 0x3c || value === 0x3d, { message: 'must be 0x3C or 0x3D (0x3D when SA0 is high)' });
const gpioLine = z.number().int().min(0).max(511);

export const st7735ConfigSchema = z.strictObject({
  spiBus: z.number().int().nonnegative().default(0),
  /** Chip select: the Enviro's LCD is on CE1, /dev/spidev0.1. */
  spiDevice: z.number().int().nonnegative().default(1),
  /** Pimoroni's Enviro examples run it at 10 MHz; the ST7735S write cycle allows about 15 MHz. */
  speedHz: z.number().int().min(100_000).max(32_000_000).default(10_000_000),
  gpioChip: z.number().int().nonnegative().default(0),
  dcLine: gpioLine.default(9),
  backlightLine: gpioLine.nullable().default(12),
  rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)], { error: 'must be 0, 90, 180 or 270' }).default(270),
  invert: z.boolean().default(true),
  bgr: z.boolean().default(true),
  offsetLeft: z.number().int().min(0).max(52).default(26),
  offsetTop: z.number().int().min(0).max(2).default(1),
});

export const ssd1306ConfigSchema = z.strictObject({
  /** null: the sensors' bus (i2c.bus). */
  bus: z.number().int().nonnegative().nullable().default(null),
  address: i2cAddress.default(0x3c),
  rotation: z.union([z.literal(0), z.literal(180)], { error: 'must be 0 or 180' }).default(0),
  contrast: z.number().int().min(0).max(255).default(255),
});

export const displayConfigSchema = z.strictObject({
  type: z.enum(['none', 'st7735', 'ssd1306']).default('none'),
  refresh: z
    .strictObject({
      clock: duration('1s', { ms: 60_000, label: '60s' }),
      readings: duration('2s', { ms: 3_600_000, label: '1h' }),
    })
    .prefault({}),
  splash: duration('5s', { ms: 60_000, label: '60s' }),
  blink: duration('500ms', { ms: 10_000, label: '10s' }),
  st7735: st7735ConfigSchema.prefault({}),
  ssd1306: ssd1306ConfigSchema.prefault({}),
});

export type DisplayConfig = z.output<typeof displayConfigSchema>;
export type St7735Config = z.output<typeof st7735ConfigSchema>;
export type Ssd1306Config = z.output<typeof ssd1306ConfigSchema>;
