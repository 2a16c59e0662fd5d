/**
 * KeySlots answer as a Map from keys to slots would: checked after every operation on a table
 * small enough that keys share places (runs of probes), keys removed from the middle of a run
 * (backward-shift deletion), and the table growing twice; and keys chosen to trip a hash or a
 * table up, each in a slot of its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySlots } from '../../../../src/analyzer/rules/anomaly/key-slots.js';

type Operation = { op: 'add' | 'find'; key: string } | { op: 'remove'; which: number };
const key = fc.oneof(
  fc.integer({ min: 0, max: 199 }).map((i) => `k${i}`),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', '__proto__', 'constructor', 'k1\u0000', '\uffff'),
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: key.map((k) => ({ op: 'add' as const, key: k })) },
  { weight: 2, arbitrary: key.map((k) => ({ op: 'find' as const, key: k })) },
  { weight: 3, arbitrary: fc.nat().map((which) => ({ op: 'remove' as const, which })) },
);

describe('KeySlots', () => {
  it('finds every kept key in its slot and no other key, and gives slots no higher than the most keys kept at once', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 100, maxLength: 500 }), (operations) => {
        const slots = new KeySlots();
        const model = new Map<string, number>();
        let most = 0;
        for (const operation of operations) {
          if (operation.op === 'remove') {
            if (model.size === 0) continue;
            const [removed, slot] = [...model][operation.which % model.size]!;
            expect(slots.remove(slot)).toBe(removed);
            model.delete(removed);
          } else if (operation.op === 'find') expect(slots.slotOf(operation.key)).toBe(model.get(operation.key) ?? -1);
          else if (!model.has(operation.key)) {
            // add's contract: a key not kept yet.
            const slot = slots.add(operation.key);
            most = Math.max(most, model.size + 1);
            expect(slot).toBeLessThan(most);
            expect([...model.values()]).not.toContain(slot);
            model.set(operation.key, slot);
          }
          expect(slots.size).toBe(model.size);
          expect(Array.from(model.keys(), (kept) => slots.slotOf(kept))).toEqual([...model.values()]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps keys that could trip it up apart: names of Object.prototype, the empty key, lone surrogates, long keys, keys differing in a high byte', () => {
    const keys = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      '',
      '\u0000',
      '\u0000\u0000',
      '\ud800',
      '\udc00',
      '\udc00\ud800',
      '\ud83d\ude00',
      '\ufffd',
      'x'.repeat(100_000),
      `${'x'.repeat(99_999)}y`,
      'x'.repeat(100_001),
      // 'a' and the 255 code units with its low byte and another high byte ('\u0161' among them), alone and in a whole word.
      ...Array.from({ length: 256 }, (_, high) => String.fromCharCode((high << 8) | 0x61)),
      ...Array.from({ length: 256 }, (_, high) => `b${String.fromCharCode((high << 8) | 0x61)}`),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    const slots = new KeySlots();
    const slotOf = new Map(keys.map((kept) => [kept, slots.add(kept)]));
    expect(new Set(slotOf.values()).size).toBe(keys.length);
    expect(slots.size).toBe(keys.length);
    for (const [kept, slot] of slotOf) expect(slots.slotOf(kept)).toBe(slot);
    for (const absent of ['a\u0000', 'b', 'x'.repeat(99_999), '\ud800\udc00', '__proto__\u0000', 'proto']) expect(slots.slotOf(absent)).toBe(-1);
    // Every other key removed, the rest still found where they were.
    keys.forEach((kept, i) => {
      if (i % 2 === 0) expect(slots.remove(slotOf.get(kept)!)).toBe(kept);
    });
    keys.forEach((kept, i) => expect(slots.slotOf(kept)).toBe(i % 2 === 0 ? -1 : slotOf.get(kept)));
  });
});
