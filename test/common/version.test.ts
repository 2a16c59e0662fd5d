/** compareVersions against the precedence examples of Semantic Versioning 2.0.0 §11 (https://semver.org/#spec-item-11). */
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/common/version.js';

describe('compareVersions', () => {
  it("orders the spec's examples, each before the next", () => {
    // §11.2 and §11.4's two chains, joined (1.0.0-rc.1 < 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1).
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
      '10.0.0',
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++)
        expect([ordered[i], ordered[j], Math.sign(compareVersions(ordered[i]!, ordered[j]!))]).toEqual([ordered[i], ordered[j], Math.sign(i - j)]);
    }
  });

  it('ignores build metadata (§10) and puts text that is no version first', () => {
    expect(compareVersions('1.2.0+deb1', '1.2.0')).toBe(0);
    expect(compareVersions('garbage', '0.0.1')).toBeLessThan(0);
    expect(compareVersions('0.0.1', 'garbage')).toBeGreaterThan(0);
  });
});
