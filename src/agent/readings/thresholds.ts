/**
 * The one threshold model. Display colours, SNMP status columns and traps all ask this module
 * whether a value is ok, warning or critical; nothing else decides it.
 *
 * A level is entered as soon as the value crosses its limit (strictly above a high limit,
 * strictly below a low one, as the original "red above 80 °F" did) and left only once the
 * value is back inside the limit by the hysteresis, so a value hovering at a limit does not flap.
 */
export type Level = 'ok' | 'warning' | 'critical';
export type Status = Level | 'error' | 'stale';

export interface LimitPair {
  readonly warning?: number | undefined;
  readonly critical?: number | undefined;
}

/** Limits in the stored unit (°C, %RH, hPa, lux). */
export interface Thresholds {
  readonly high?: LimitPair | undefined;
  readonly low?: LimitPair | undefined;
  /** How far back inside a limit the value must come before the level drops. */
  readonly hysteresis: number;
}

const RANK: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };
const BY_RANK: readonly Level[] = ['ok', 'warning', 'critical'];

/** Level of `value` with every limit moved `shift` towards the safe side. */
function levelWithShift(value: number, thresholds: Thresholds, shift: number): Level {
  const { high, low } = thresholds;
  const above = (limit: number | undefined) => limit !== undefined && value > limit - shift;
  const below = (limit: number | undefined) => limit !== undefined && value < limit + shift;
  if (above(high?.critical) || below(low?.critical)) return 'critical';
  if (above(high?.warning) || below(low?.warning)) return 'warning';
  return 'ok';
}

/** Level for `value` given the level it had before (pass 'ok' when there is no history). */
export function evaluateLevel(value: number, thresholds: Thresholds, previous: Level): Level {
  const entered = levelWithShift(value, thresholds, 0);
  if (RANK[entered] >= RANK[previous]) return entered;
  // Falling: stay at the previous level while still within the hysteresis band of its limit.
  const held = levelWithShift(value, thresholds, thresholds.hysteresis);
  return BY_RANK[Math.max(RANK[entered], Math.min(RANK[previous], RANK[held]))]!;
}

/** The limit a value at `level` has crossed, for messages and traps ("above 80"). */
export function crossedLimit(value: number, thresholds: Thresholds, level: Level): { side: 'high' | 'low'; limit: number } | undefined {
  if (level === 'ok') return undefined;
  const { high, low } = thresholds;
  const highLimit = high?.[level];
  const lowLimit = low?.[level];
  if (highLimit !== undefined && (lowLimit === undefined || Math.abs(value - highLimit) <= Math.abs(value - lowLimit))) {
    return { side: 'high', limit: highLimit };
  }
  return lowLimit === undefined ? undefined : { side: 'low', limit: lowLimit };
}
