import { describe, expect, it } from 'vitest';
import { channelRatio, computeLux, isAlsSaturated, luxBranch, luxToCounts } from '../../../../src/agent/sensors/ltr559/lux.js';

describe('computeLux (datasheet Appendix A, as pimoroni/ltr559-python computes it)', () => {
  it('branch 0 (ratio < 45): ch0·17743 + ch1·11059', () => {
    // ratio = 200·100 / 1200 = 16.67 → branch 0
    // (1000·17743 − 200·(−11059)) = 17 743 000 + 2 211 800 = 19 954 800; / (100/100) / 1 / 10000 = 1995.48
    expect(luxBranch(channelRatio(1000, 200))).toBe(0);
    expect(computeLux({ ch0: 1000, ch1: 200, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(1995.48, 9);
  });

  it('branch 1 (45 ≤ ratio < 64): ch0·42785 − ch1·19548', () => {
    // ratio = 1000·100 / 2000 = 50 → branch 1; 42 785 000 − 19 548 000 = 23 237 000 / 10000 = 2323.7
    expect(computeLux({ ch0: 1000, ch1: 1000, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(2323.7, 9);
  });

  it('branch 2 (64 ≤ ratio < 85): ch0·5926 + ch1·1185', () => {
    // ratio = 3000·100 / 4000 = 75 → branch 2; 5 926 000 + 3 555 000 = 9 481 000 / 10000 = 948.1
    expect(computeLux({ ch0: 1000, ch1: 3000, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(948.1, 9);
  });

  it('branch 3 (ratio ≥ 85, IR-dominated) gives 0', () => {
    // ratio = 9000·100 / 10000 = 90
    expect(computeLux({ ch0: 1000, ch1: 9000, gain: 1, integrationTimeMs: 100 })).toBe(0);
  });

  it('a dark sensor (ch0 = ch1 = 0) gives 0 without dividing by zero', () => {
    expect(channelRatio(0, 0)).toBe(101);
    expect(computeLux({ ch0: 0, ch1: 0, gain: 96, integrationTimeMs: 400 })).toBe(0);
  });

  it('takes the boundaries 45 / 64 / 85 into the upper branch', () => {
    // ratio exactly 45 (45·100/100): branch 1: 55·42785 − 45·19548 = 2 353 175 − 879 660 = 1 473 515 → 147.3515
    // (branch 0 would give 975 865 + 497 655 = 1 473 520 → 147.352, so the digits tell them apart)
    expect(computeLux({ ch0: 55, ch1: 45, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(147.3515, 9);
    // ratio exactly 64: branch 2: 36·5926 + 64·1185 = 213 336 + 75 840 = 289 176 → 28.9176 (branch 1: 28.9188)
    expect(computeLux({ ch0: 36, ch1: 64, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(28.9176, 9);
    // ratio exactly 85 falls off the cliff to 0; just below it (84.9) branch 2 still applies:
    // 151·5926 + 849·1185 = 894 826 + 1 006 065 = 1 900 891 → 190.0891
    expect(computeLux({ ch0: 15, ch1: 85, gain: 1, integrationTimeMs: 100 })).toBe(0);
    expect(computeLux({ ch0: 151, ch1: 849, gain: 1, integrationTimeMs: 100 })).toBeCloseTo(190.0891, 9);
  });

  it('divides by gain and by integration time / 100 ms', () => {
    // 1995.48 / (200/100) / 4 = 249.435
    expect(computeLux({ ch0: 1000, ch1: 200, gain: 4, integrationTimeMs: 200 })).toBeCloseTo(249.435, 9);
    // 1995.48 / (50/100) / 96 = 1995.48 / 48 = 41.5725
    expect(computeLux({ ch0: 1000, ch1: 200, gain: 96, integrationTimeMs: 50 })).toBeCloseTo(41.5725, 9);
    // 2323.7 / (400/100) / 8 = 72.615625
    expect(computeLux({ ch0: 1000, ch1: 1000, gain: 8, integrationTimeMs: 400 })).toBeCloseTo(72.615625, 9);
  });

  it("matches pimoroni's own test vector (tests/test_features.py::test_get_lux → int(lux) == 76141)", () => {
    // tests/conftest.py fills 0x88..0x8B with 0xFF (ch0 = ch1 = 65535) and the library runs with
    // gain 4 and 50 ms. ratio 50 → branch 1: 65535·(42785 − 19548) = 1 522 836 795
    // / 0.5 = 3 045 673 590; / 4 = 761 418 397.5; / 10000 = 76 141.83975
    const lux = computeLux({ ch0: 0xffff, ch1: 0xffff, gain: 4, integrationTimeMs: 50 });
    expect(Math.trunc(lux)).toBe(76141);
    expect(lux).toBeCloseTo(76141.83975, 6);
  });

  it("agrees with Zephyr's fixed-point implementation (ltr55x.c) across a grid", () => {
    // Independent re-computation: coefficients ×100, integer ratio ×10⁶, lux ×10⁶, BigInt arithmetic.
    const zephyr = (ch0: number, ch1: number, gain: number, timeMs: number): number | undefined => {
      const c0 = BigInt(ch0);
      const c1 = BigInt(ch1);
      if (c0 + c1 === 0n) return undefined; // Zephyr rejects; covered above
      const ratio = (c1 * 1000000n) / (c0 + c1);
      let lux: bigint;
      if (ratio < 450000n) lux = 1774300n * c0 + 1105900n * c1;
      else if (ratio < 640000n) lux = 4278500n * c0 - 1954800n * c1;
      else if (ratio < 850000n) lux = 592600n * c0 + 118500n * c1;
      else return undefined; // Zephyr rejects; pimoroni says 0, covered above
      return Number((lux * 10n) / (BigInt(gain) * BigInt(timeMs / 10))) / 1e6;
    };
    const counts = [0, 1, 7, 100, 999, 12345, 40000, 65535];
    let compared = 0;
    for (const ch0 of counts) {
      for (const ch1 of counts) {
        for (const gain of [1, 2, 4, 8, 48, 96]) {
          for (const timeMs of [50, 100, 150, 200, 250, 300, 350, 400]) {
            const expected = zephyr(ch0, ch1, gain, timeMs);
            if (expected === undefined) continue;
            // Zephyr truncates to whole micro-lux, hence the 2·10⁻⁶ allowance.
            expect(Math.abs(computeLux({ ch0, ch1, gain, integrationTimeMs: timeMs }) - expected)).toBeLessThan(2e-6);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});

describe('saturation and the inverse used by the emulator', () => {
  it('flags either channel at 0xFFFF', () => {
    expect(isAlsSaturated(0xffff, 10)).toBe(true);
    expect(isAlsSaturated(10, 0xffff)).toBe(true);
    expect(isAlsSaturated(0xfffe, 0xfffe)).toBe(false);
  });

  it('luxToCounts gives whole counts that compute back to the lux within half a count per channel', () => {
    for (const [lux, ratio, gain, timeMs] of [
      [350, 0.3, 4, 100],
      [350, 0.5, 96, 400],
      [12.5, 0.2, 48, 200],
      [900, 0.7, 1, 50],
      [0, 0.3, 4, 100],
    ] as const) {
      const { ch0, ch1 } = luxToCounts({ lux, ch1Ratio: ratio, gain, integrationTimeMs: timeMs });
      expect(Number.isInteger(ch0) && Number.isInteger(ch1)).toBe(true);
      const scale = (timeMs / 100) * gain * 10000;
      const halfCount = (0.5 * (42785 + 19548)) / scale; // worst branch's |C0| + |C1|
      expect(Math.abs(computeLux({ ch0, ch1, gain, integrationTimeMs: timeMs }) - lux)).toBeLessThanOrEqual(halfCount);
    }
  });

  it('350 lux at ratio 0.3, 4x, 100 ms → ch0 623, ch1 267', () => {
    // k = 0.3/0.7 = 0.428571; 350·40000 / (17743 + 0.428571·11059) = 14 000 000 / 22 482.571 = 622.70 → 623
    // ch1 = 622.70·0.428571 = 266.87 → 267
    expect(luxToCounts({ lux: 350, ch1Ratio: 0.3, gain: 4, integrationTimeMs: 100 })).toEqual({ ch0: 623, ch1: 267 });
  });

  it('clips at full scale and rejects ratios the formula cannot invert', () => {
    // 50 000 lux: ch0 = 50 000·40000 / 22 482.571 = 88 958 → 65535; ch1 = 38 125 stays
    expect(luxToCounts({ lux: 50000, ch1Ratio: 0.3, gain: 4, integrationTimeMs: 100 })).toEqual({ ch0: 65535, ch1: 38125 });
    expect(() => luxToCounts({ lux: 10, ch1Ratio: 0.85, gain: 1, integrationTimeMs: 100 })).toThrow(RangeError);
    expect(() => luxToCounts({ lux: -1, ch1Ratio: 0.3, gain: 1, integrationTimeMs: 100 })).toThrow(RangeError);
  });
});
