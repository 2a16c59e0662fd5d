/**
 * A key's learned values (packed in one string up to PACKED_VALUES, a Set above) behave exactly
 * like the ordered set they stand for: an array least recently seen first, checked after every
 * operation on any strings, packed and past the switch to a Set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addValue,
  hasValue,
  PACKED_VALUES,
  removeOldestValue,
  seeValue,
  valueCount,
  valuesOf,
  type KeyState,
} from '../../../../src/analyzer/rules/anomaly/learned.js';

/** Values that might confuse a length-prefixed list: empty, long (two- and three-character lengths), Latin-1 characters like length characters, non-Latin-1, and a small pool so values repeat. */
const value = fc.oneof(
  fc.constantFrom('', '10.0.0.1', '10.0.0.10', '10.0.0.1\u0000', '\u0088', '\u0080\u0001x', 'ü', '€'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer({ min: 100, max: 20_000 }).map((length) => 'v'.repeat(length)),
);

type Operation = { op: 'add' | 'see' | 'has'; value: string } | { op: 'removeOldest' };
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: value.map((v) => ({ op: 'add' as const, value: v })) },
  { weight: 2, arbitrary: value.map((v) => ({ op: 'see' as const, value: v })) },
  { weight: 1, arbitrary: value.map((v) => ({ op: 'has' as const, value: v })) },
  { weight: 1, arbitrary: fc.constant({ op: 'removeOldest' as const }) },
);

describe('learned values', () => {
  it('add, see, has and remove-oldest give what an ordered set gives, in the same order', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 3 * PACKED_VALUES }), (operations) => {
        const state: KeyState = { firstSeen: 0, touch: 0, values: undefined };
        const model: string[] = [];
        for (const operation of operations) {
          if (operation.op === 'removeOldest') {
            if (model.length > 0) expect(removeOldestValue(state)).toBe(model.shift());
          } else if (operation.op === 'has') expect(hasValue(state, operation.value)).toBe(model.includes(operation.value));
          else if (operation.op === 'see') {
            const at = model.indexOf(operation.value);
            expect(seeValue(state, operation.value)).toBe(at >= 0);
            if (at >= 0) model.push(...model.splice(at, 1));
          } else if (!model.includes(operation.value)) {
            // addValue's contract: a value the key does not have.
            addValue(state, operation.value);
            model.push(operation.value);
          }
          expect(valuesOf(state)).toEqual(model);
          expect(valueCount(state)).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('up to PACKED_VALUES values are one string; one more and they are a Set', () => {
    const state: KeyState = { firstSeen: 0, touch: 0, values: undefined };
    for (let i = 0; i < PACKED_VALUES; i++) addValue(state, `10.0.0.${i}`);
    expect(typeof state.values).toBe('string');
    addValue(state, '10.0.1.0');
    expect(state.values).toBeInstanceOf(Set);
    expect(valuesOf(state)).toEqual([...Array.from({ length: PACKED_VALUES }, (_, i) => `10.0.0.${i}`), '10.0.1.0']);
  });
});
