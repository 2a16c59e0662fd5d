/**
 * Answers the master's Get/GetNext/GetBulk (RFC 2741 §7.2.3) from a MibView, the same kind of view
 * a standalone agent serves. Pure and bounded: every GetNext step moves strictly forward in a
 * finite view, so a GetBulk ends after at most (view size + 1) rounds whatever max-repetitions says.
 */
import type { Varbind } from '../message/message.js';
import { compareOids } from '../oid.js';
import type { SearchRange } from './pdu.js';
import type { MibView } from '../responder/request-handler.js';

const isException = (varbind: Varbind) => ['noSuchObject', 'noSuchInstance', 'endOfMibView'].includes(varbind.value.type);

/** §7.2.3.1 Get: the instance, or noSuchInstance/noSuchObject. */
export function answerGet(view: MibView, ranges: readonly SearchRange[]): Varbind[] {
  return ranges.map((range) => view.get(range.start));
}

/** §7.2.3.2: the first instance in [start, end) (or (start, end) without include), else endOfMibView named start. */
function nextInRange(view: MibView, range: SearchRange): Varbind {
  let found: Varbind | undefined;
  if (range.include) {
    const exact = view.get(range.start);
    if (!isException(exact)) found = exact;
  }
  found ??= view.next(range.start);
  if (!found || (range.end.length > 0 && compareOids(found.oid, range.end) >= 0)) return { oid: range.start, value: { type: 'endOfMibView' } };
  return found;
}

export function answerGetNext(view: MibView, ranges: readonly SearchRange[]): Varbind[] {
  return ranges.map((range) => nextInRange(view, range));
}

/** §7.2.3.3 GetBulk: non-repeaters once, then rounds over the rest until all are endOfMibView. */
export function answerGetBulk(view: MibView, request: { nonRepeaters: number; maxRepetitions: number; ranges: readonly SearchRange[] }): Varbind[] {
  const nonRepeaters = Math.min(request.nonRepeaters, request.ranges.length);
  const varbinds = request.ranges.slice(0, nonRepeaters).map((range) => nextInRange(view, range));
  const cursors = request.ranges.slice(nonRepeaters).map((range) => ({ ...range }));
  for (let round = 0; round < request.maxRepetitions && cursors.length > 0; round++) {
    let anyLeft = false;
    for (const [i, cursor] of cursors.entries()) {
      const result = nextInRange(view, cursor);
      varbinds.push(result);
      if (result.value.type !== 'endOfMibView') {
        cursors[i] = { start: result.oid, include: false, end: cursor.end };
        anyLeft = true;
      }
    }
    if (!anyLeft) break;
  }
  return varbinds;
}
