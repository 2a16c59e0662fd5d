/**
 * MibView with live instances (values read when a request reaches them): a view built once walks
 * exactly as one built from the same values, and a live value read twice is read twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Varbind } from '../../../src/snmp/message/message.js';
import { MibView, type LiveInstance } from '../../../src/snmp/responder/request-handler.js';

const oids = fc.uniqueArray(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 6 }), {
  selector: (oid) => oid.join('.'),
  maxLength: 30,
});
const asVarbinds = (list: number[][]): Varbind[] => list.map((oid, i) => ({ oid, value: { type: 'integer', value: i } }));

function walk(view: MibView): Varbind[] {
  const seen: Varbind[] = [];
  for (let at = view.next([0]); at; at = view.next(at.oid)) seen.push(at);
  return seen;
}

describe('MibView with live instances', () => {
  it('walks and gets, values included, exactly as a view of the same values', () => {
    fc.assert(
      fc.property(oids, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (list, live) => {
        const all = asVarbinds(list);
        const mixed = all.map((varbind, i): Varbind | LiveInstance => (live[i] ? { oid: varbind.oid, read: () => varbind.value } : varbind));
        const [plain, withLive] = [new MibView(all, []), new MibView(mixed, [])];
        expect(walk(withLive)).toEqual(walk(plain));
        for (const { oid } of all) expect(withLive.get(oid)).toEqual(plain.get(oid));
      }),
    );
  });

  it('reads a live value at every get and next, not when the view is built', () => {
    let packets = 0;
    const inPkts: LiveInstance = { oid: [1, 3, 6, 1, 2, 1, 11, 1, 0], read: () => ({ type: 'counter32', value: packets }) };
    const view = new MibView([{ oid: [1, 3, 6, 1, 2, 1, 1, 3, 0], value: { type: 'timeticks', value: 5 } }, inPkts], []);
    packets = 7;
    expect(view.get(inPkts.oid).value).toEqual({ type: 'counter32', value: 7 });
    packets = 8;
    expect(view.next([1, 3, 6, 1, 2, 1, 1, 3, 0])).toEqual({ oid: inPkts.oid, value: { type: 'counter32', value: 8 } });
  });
});
