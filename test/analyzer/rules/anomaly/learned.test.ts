/**
 * A key's learned values (packed in one string up to PACKED_VALUES, a Set above) behave exactly
 * like the ordered set they stand for: an array least recently seen first, checked after every
 * operation on any strings, packed and past the switch to a Set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LearnedKeys, PACKED_VALUES } from '../../../../src/analyzer/rules/anomaly/learned.js';

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
        const learned = new LearnedKeys();
        const slot = learned.add('k', 0);
        const model: string[] = [];
        for (const operation of operations) {
          if (operation.op === 'removeOldest') {
            if (model.length > 0) expect(learned.removeOldestValue(slot)).toBe(model.shift());
          } else if (operation.op === 'has') expect(learned.hasValue(slot, operation.value)).toBe(model.includes(operation.value));
          else if (operation.op === 'see') {
            const at = model.indexOf(operation.value);
            expect(learned.seeValue(slot, operation.value)).toBe(at >= 0);
            if (at >= 0) model.push(...model.splice(at, 1));
          } else if (!model.includes(operation.value)) {
            // addValue's contract: a value the key does not have.
            learned.addValue(slot, operation.value);
            model.push(operation.value);
          }
          expect(learned.valuesOf(slot)).toEqual(model);
          expect(learned.valueCount(slot)).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('up to PACKED_VALUES values are one string; one more and they are a Set', () => {
    const learned = new LearnedKeys();
    const slot = learned.add('k', 0);
    // The representation is private: read for this test only.
    const valuesIn = () => (learned as unknown as { values: unknown[] }).values[slot];
    for (let i = 0; i < PACKED_VALUES; i++) learned.addValue(slot, `10.0.0.${i}`);
    expect(typeof valuesIn()).toBe('string');
    learned.addValue(slot, '10.0.1.0');
    expect(valuesIn()).toBeInstanceOf(Set);
    expect(learned.valuesOf(slot)).toEqual([...Array.from({ length: PACKED_VALUES }, (_, i) => `10.0.0.${i}`), '10.0.1.0']);
  });
});

describe('LearnedKeys', () => {
  it('evicts the least recently seen key, as a list kept in order of use would, also across the recency queue dropping its stale entries and slots taken over', () => {
    // Few keys seen many times: the queue passes 2 × keys + 1024 entries and drops its stale ones.
    type KeyOperation = { op: 'add' | 'see'; key: string } | { op: 'evict' };
    const key = fc.constantFrom(...Array.from({ length: 30 }, (_, i) => `k${i}`), '__proto__', 'constructor');
    const keyOperation: fc.Arbitrary<KeyOperation> = fc.oneof(
      { weight: 8, arbitrary: key.map((k) => ({ op: 'add' as const, key: k })) },
      { weight: 60, arbitrary: key.map((k) => ({ op: 'see' as const, key: k })) },
      { weight: 3, arbitrary: fc.constant({ op: 'evict' as const }) }, // rare: each walks the queue's front past stale entries
    );
    fc.assert(
      fc.property(fc.array(keyOperation, { minLength: 1_500, maxLength: 3_000 }), (operations) => {
        const learned = new LearnedKeys();
        const model: string[] = []; // least recently seen first
        const firstSeen = new Map<string, number>(); // the kept keys' first times: each add its own
        for (const [step, operation] of operations.entries()) {
          if (operation.op === 'evict') {
            if (model.length === 0) continue;
            const evicted = model.shift()!;
            expect(learned.evictOldest()).toBe(evicted);
            expect(learned.slotOf(evicted)).toBe(-1);
            firstSeen.delete(evicted);
          } else if (model.includes(operation.key)) {
            learned.seen(learned.slotOf(operation.key));
            model.splice(model.indexOf(operation.key), 1);
            model.push(operation.key);
          } else if (operation.op === 'add') {
            learned.add(operation.key, step);
            firstSeen.set(operation.key, step);
            model.push(operation.key);
          }
          expect(learned.size).toBe(model.length);
          expect(Array.from(firstSeen.keys(), (key) => learned.firstSeen(learned.slotOf(key)))).toEqual([...firstSeen.values()]);
        }
        while (model.length > 0) expect(learned.evictOldest()).toBe(model.shift());
      }),
      { numRuns: 50 },
    );
  });

  it("a new key in an evicted key's slot has its own first time and none of the evicted key's values", () => {
    const learned = new LearnedKeys();
    const old = learned.add('old', 1);
    learned.addValue(old, '10.0.0.1');
    expect(learned.evictOldest()).toBe('old');
    const slot = learned.add('new', 2);
    expect(slot).toBe(old);
    expect(learned.firstSeen(slot)).toBe(2);
    expect(learned.valuesOf(slot)).toEqual([]);
    expect(learned.slotOf('old')).toBe(-1);
  });

  it('keeps the order when the recency queue drops its stale entries (2 × keys + 1024 of them)', () => {
    const learned = new LearnedKeys();
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    for (const key of keys) learned.add(key, 0);
    // The even keys seen 100 times each, in turn: thousands of stale entries, dropped on the way.
    for (let round = 0; round < 100; round++) for (const key of keys.filter((_, i) => i % 2 === 0)) learned.seen(learned.slotOf(key));
    const odd = keys.filter((_, i) => i % 2 === 1);
    const even = keys.filter((_, i) => i % 2 === 0);
    expect(Array.from(keys, () => learned.evictOldest())).toEqual([...odd, ...even]);
  });

  it('under churn (every key new, one evicted for each) the queue stays bounded and lets the evicted keys go', () => {
    // Before: compaction only counted the entries after the head, which churn never grows, so the
    // queue kept every key ever added (and its string) for the daemon's lifetime.
    const learned = new LearnedKeys();
    const live = 100;
    for (let i = 0; i < live; i++) learned.add(`old-${i}`, 0);
    for (let i = 0; i < 100_000; i++) {
      learned.add(`new-${i}`, 0);
      expect(learned.evictOldest()).toBe(i < live ? `old-${i}` : `new-${i - live}`);
      // live + 1 keys when the queue is touched: the new key is added before the oldest goes.
      expect(learned.queueEntries).toBeLessThanOrEqual(2 * (live + 1) + 1024 + 1);
    }
    expect(learned.size).toBe(live);
  });
});
