import type { Quantity } from './quantities.js';
import { BASE_UNIT } from './quantities.js';

export type TemperatureUnit = 'fahrenheit' | 'celsius';

/**
 * The one place that converts between stored values (°C, %RH, hPa, lux, counts) and the unit
 * people configured. Only temperature has a choice; everything else is shown as stored.
 */
export interface UnitSystem {
  readonly temperature: TemperatureUnit;
}

export function displayUnit(quantity: Quantity, units: UnitSystem): string {
  if (quantity === 'temperature') return units.temperature === 'fahrenheit' ? '°F' : '°C';
  return BASE_UNIT[quantity];
}

/** Stored value → configured unit. */
export function toDisplay(quantity: Quantity, value: number, units: UnitSystem): number {
  return quantity === 'temperature' && units.temperature === 'fahrenheit' ? value * 1.8 + 32 : value;
}

/** Configured unit → stored value (thresholds and absolute values in config). */
export function fromDisplay(quantity: Quantity, value: number, units: UnitSystem): number {
  return quantity === 'temperature' && units.temperature === 'fahrenheit' ? (value - 32) / 1.8 : value;
}

/** A difference in the configured unit → a difference in the stored unit (offsets, hysteresis). */
export function deltaFromDisplay(quantity: Quantity, delta: number, units: UnitSystem): number {
  return quantity === 'temperature' && units.temperature === 'fahrenheit' ? delta / 1.8 : delta;
}
