/**
 * Sample screens for `envirowatch display --png` and the golden-image tests: fixed rooms whose
 * statuses are decided by the real threshold model with the configured limits, as on the device.
 */
import type { AgentSnapshot, QuantityState } from '../agent.js';
import type { ResolvedAgentConfig } from '../config/resolve.js';
import type { Quantity } from '../readings/quantities.js';
import { evaluateLevel } from '../readings/thresholds.js';
import { readingsScreen, type ScreenModel } from './screen-model.js';

export const SAMPLE_NAMES = ['normal', 'temperature-critical', 'humidity-low', 'sensor-error', 'splash'] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];

/** A fixed moment, so sample pictures do not change with the time they are made. */
const SAMPLE_TIME = new Date(2026, 10, 23, 14, 5, 9);

/** Rooms in stored units (°C, %RH, lux). */
const ROOMS: Record<Exclude<SampleName, 'splash'>, { temperature: number; humidity: number; light: number; bme280Error?: string }> = {
  normal: { temperature: 22.5, humidity: 41, light: 320 },
  'temperature-critical': { temperature: 28.4, humidity: 38, light: 315 },
  'humidity-low': { temperature: 22.1, humidity: 8, light: 300 },
  'sensor-error': { temperature: 22.5, humidity: 41, light: 320, bme280Error: 'I2C read of 0x76 failed: EIO' },
};

function sampleSnapshot(room: (typeof ROOMS)[keyof typeof ROOMS], config: ResolvedAgentConfig): AgentSnapshot {
  const timestamp = SAMPLE_TIME.getTime();
  const state = (quantity: Quantity, value: number): QuantityState => {
    const sensor = quantity === 'light' ? 'ltr559' : 'bme280';
    const thresholds = config.thresholds[quantity];
    const level = thresholds ? evaluateLevel(value, thresholds, 'ok') : 'ok';
    const failed = sensor === 'bme280' && room.bme280Error !== undefined;
    return {
      quantity,
      sensor,
      reading: { quantity, value, raw: value, timestamp },
      level,
      status: failed ? 'error' : level,
      reason: failed ? room.bme280Error : undefined,
    };
  };
  return {
    timestamp,
    quantities: [state('temperature', room.temperature), state('humidity', room.humidity), state('light', room.light)],
    sensors: [
      { name: 'bme280', ok: room.bme280Error === undefined, error: room.bme280Error, failedPolls: room.bme280Error ? 1 : 0 },
      { name: 'ltr559', ok: true, failedPolls: 0 },
    ],
  };
}

export function sampleScreen(name: SampleName, config: ResolvedAgentConfig): ScreenModel {
  if (name === 'splash') return { kind: 'splash', hostname: 'envirowatch-3f2a', addresses: ['192.168.1.47'] };
  return readingsScreen(sampleSnapshot(ROOMS[name], config), { units: config.units, now: SAMPLE_TIME, blinkOn: true });
}
