/**
 * The first `count` of `items` in `order`, as `[...items].sort(order).slice(0, count)` gives them
 * (equal items keep their order), without sorting them all: the rates page shows 200 of what may
 * be 100,000 keys.
 */
export function firstInOrder<T>(items: Iterable<T>, count: number, order: (a: T, b: T) => number): T[] {
  const kept: T[] = [];
  if (count <= 0) return kept;
  for (const item of items) {
    if (kept.length === count && order(item, kept[count - 1]!) >= 0) continue;
    // After the last kept item that is not after it, so equal items stay in their order.
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(kept[middle]!, item) <= 0) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, item);
    if (kept.length > count) kept.pop();
  }
  return kept;
}
