/** MibView.merged (a kept sorted list plus a few current instances) walks exactly as a view sorted whole. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Varbind } from '../../../src/snmp/message/message.js';
import { MibView, sortByOid } from '../../../src/snmp/responder/request-handler.js';

const varbinds = fc.uniqueArray(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 6 }), {
  selector: (oid) => oid.join('.'),
  maxLength: 30,
});
const asVarbinds = (oids: number[][]): Varbind[] => oids.map((oid) => ({ oid, type: 'integer', value: oid.length }) as unknown as Varbind);

function walk(view: MibView): string[] {
  const seen: string[] = [];
  for (let at = view.next([0]); at; at = view.next(at.oid)) seen.push(at.oid.join('.'));
  return seen;
}

describe('MibView.merged', () => {
  it('answers the walk of a view of all instances sorted together', () => {
    fc.assert(
      fc.property(varbinds, fc.nat(30), (oids, split) => {
        const all = asVarbinds(oids);
        const [kept, current] = [all.slice(0, split), all.slice(split)];
        expect(walk(MibView.merged(sortByOid(kept), current, []))).toEqual(walk(new MibView(all, [])));
      }),
    );
  });
});
