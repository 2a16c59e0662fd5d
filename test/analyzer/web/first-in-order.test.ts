/** firstInOrder against what it replaces: sorting everything and taking the first. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInOrder } from '../../../src/analyzer/web/first-in-order.js';

describe('firstInOrder', () => {
  it('gives what sort then slice gives, equal items in their order', () => {
    const order = (a: { rank: number }, b: { rank: number }) => a.rank - b.rank;
    fc.assert(
      fc.property(fc.array(fc.record({ rank: fc.integer({ min: 0, max: 5 }), id: fc.nat() })), fc.integer({ min: 0, max: 30 }), (items, count) => {
        expect(firstInOrder(items, count, order)).toEqual([...items].sort(order).slice(0, count));
      }),
      { numRuns: 500 },
    );
  });
});
