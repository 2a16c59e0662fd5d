import { ALS_FULL_SCALE } from './registers.js';

/**
 * Lux from the two ALS channels, as the datasheet's Appendix A gives it and as
 * pimoroni/ltr559-python implements it (ltr559/__init__.py v0.1.1, `LTR559.update_sensor`):
 *
 *   ratio = ch1·100 / (ch0 + ch1)          (101 when both are 0, i.e. the zero branch)
 *   branch: ratio < 45 → 0, < 64 → 1, < 85 → 2, else 3
 *   lux = (ch0·C0[b] − ch1·C1[b]) / (integrationTime / 100 ms) / gain / 10000
 *
 * The same coefficients appear scaled ×100 in Zephyr's ltr55x.c (1774300, 1105900, …).
 * Zephyr's integer ratio test (⌊ch1·10⁶/(ch0+ch1)⌋ < 450000) selects the same branches.
 */
export const LUX_CH0_COEFFICIENTS = [17743, 42785, 5926, 0] as const;
export const LUX_CH1_COEFFICIENTS = [-11059, 19548, -1185, 0] as const;

export interface LuxInput {
  /** Channel 0 counts: visible + IR. */
  ch0: number;
  /** Channel 1 counts: IR. */
  ch1: number;
  /** Gain the counts were measured with (1, 2, 4, 8, 48 or 96). */
  gain: number;
  integrationTimeMs: number;
}

/** ch1 share in percent, as the branch selection uses it; 101 for a dark sensor (pimoroni). */
export function channelRatio(ch0: number, ch1: number): number {
  return ch0 + ch1 > 0 ? (ch1 * 100) / (ch1 + ch0) : 101;
}

/** Index into the coefficient tables for a `channelRatio` value. */
export function luxBranch(ratio: number): 0 | 1 | 2 | 3 {
  if (ratio < 45) return 0;
  if (ratio < 64) return 1;
  if (ratio < 85) return 2;
  return 3;
}

/**
 * Illuminance in lux. Branch 3 (IR-dominated light, ratio ≥ 85) yields 0 as in the reference:
 * the formula has no valid fit there. Pure; no rounding.
 */
export function computeLux({ ch0, ch1, gain, integrationTimeMs }: LuxInput): number {
  const branch = luxBranch(channelRatio(ch0, ch1));
  const weighted = ch0 * LUX_CH0_COEFFICIENTS[branch] - ch1 * LUX_CH1_COEFFICIENTS[branch];
  return weighted / (integrationTimeMs / 100) / gain / 10000;
}

/** A channel at full scale was clipped, so the lux computed from it is only a lower bound. */
export function isAlsSaturated(ch0: number, ch1: number): boolean {
  return ch0 >= ALS_FULL_SCALE || ch1 >= ALS_FULL_SCALE;
}

export interface LuxToCountsInput {
  lux: number;
  /** Spectral ratio ch1 / (ch0 + ch1), 0 ≤ r < 0.85 (above, the formula maps everything to 0 lux). */
  ch1Ratio: number;
  gain: number;
  integrationTimeMs: number;
}

/**
 * The inverse, for the emulator: the counts a chip would report for `lux` under light of the
 * given spectral ratio. With ch1 = k·ch0 (k = r / (1 − r)) the formula becomes
 * lux·scale = ch0·(C0 − k·C1), scale = (t/100)·gain·10000. Counts are rounded to whole
 * numbers and clipped at full scale, like the ADC. Keep r away from 0.45/0.64/0.85: rounding
 * could move the result across a branch boundary.
 */
export function luxToCounts({ lux, ch1Ratio, gain, integrationTimeMs }: LuxToCountsInput): { ch0: number; ch1: number } {
  if (!(lux >= 0) || !Number.isFinite(lux)) throw new RangeError(`lux must be a finite number ≥ 0, got ${lux}`);
  if (!(ch1Ratio >= 0 && ch1Ratio < 0.85)) throw new RangeError(`ch1Ratio must be in [0, 0.85), got ${ch1Ratio}`);
  const branch = luxBranch(ch1Ratio * 100);
  const k = ch1Ratio / (1 - ch1Ratio);
  const scale = (integrationTimeMs / 100) * gain * 10000;
  const ch0 = (lux * scale) / (LUX_CH0_COEFFICIENTS[branch] - k * LUX_CH1_COEFFICIENTS[branch]);
  const clip = (counts: number) => Math.min(ALS_FULL_SCALE, Math.round(counts));
  return { ch0: clip(ch0), ch1: clip(ch0 * k) };
}
