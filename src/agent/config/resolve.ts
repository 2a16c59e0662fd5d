import { QUANTITIES, type Quantity } from '../readings/quantities.js';
import type { Thresholds } from '../readings/thresholds.js';
import { deltaFromDisplay, fromDisplay, type UnitSystem } from '../readings/units.js';
import type { AgentConfig, QuantityThresholdsConfig } from './schema.js';

/**
 * Defaults from the original: the display turned red above 80 °F and below 10 %RH. Warning
 * levels sit a little inside those. Written per unit so the °C defaults are round numbers.
 */
const DEFAULT_THRESHOLDS: Record<UnitSystem['temperature'], Partial<Record<Quantity, QuantityThresholdsConfig>>> = {
  fahrenheit: {
    temperature: { high: { warning: 77, critical: 80 }, low: { warning: null, critical: null }, hysteresis: 1 },
    humidity: { high: { warning: null, critical: null }, low: { warning: 15, critical: 10 }, hysteresis: 1 },
  },
  celsius: {
    temperature: { high: { warning: 25, critical: 26.5 }, low: { warning: null, critical: null }, hysteresis: 0.5 },
    humidity: { high: { warning: null, critical: null }, low: { warning: 15, critical: 10 }, hysteresis: 1 },
  },
};

export interface ResolvedAgentConfig {
  readonly config: AgentConfig;
  readonly units: UnitSystem;
  /** Per quantity, in stored units (°C, %RH, hPa, lux). Quantities without limits are absent. */
  readonly thresholds: Partial<Record<Quantity, Thresholds>>;
  /** Calibration offsets in stored units, added after CPU-heat correction. */
  readonly offsets: Readonly<Record<'temperature' | 'humidity' | 'pressure' | 'light', number>>;
}

function toStored(quantity: Quantity, t: QuantityThresholdsConfig, units: UnitSystem): Thresholds {
  const limit = (value: number | null) => (value === null ? undefined : fromDisplay(quantity, value, units));
  const hysteresis = t.hysteresis ?? DEFAULT_THRESHOLDS[units.temperature][quantity]?.hysteresis ?? 1;
  return {
    high: { warning: limit(t.high.warning), critical: limit(t.high.critical) },
    low: { warning: limit(t.low.warning), critical: limit(t.low.critical) },
    hysteresis: deltaFromDisplay(quantity, hysteresis, units),
  };
}

/** Applies unit-dependent defaults and converts configured values to stored units, once. */
export function resolveAgentConfig(config: AgentConfig): ResolvedAgentConfig {
  const units: UnitSystem = { temperature: config.units.temperature };
  const defaults = DEFAULT_THRESHOLDS[units.temperature];
  const thresholds: Partial<Record<Quantity, Thresholds>> = {};
  for (const quantity of QUANTITIES) {
    const configured = config.thresholds[quantity] ?? defaults[quantity];
    if (configured) thresholds[quantity] = toStored(quantity, configured, units);
  }
  const { offsets } = config;
  return {
    config,
    units,
    thresholds,
    offsets: { ...offsets, temperature: deltaFromDisplay('temperature', offsets.temperature, units) },
  };
}
