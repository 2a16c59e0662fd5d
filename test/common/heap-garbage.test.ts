/**
 * heapGarbageCollector (common/heap-garbage.ts): a full collection once the heap grew by the limit
 * over its least, none below it; in this thread and, run from its source text, in a worker as the
 * analyzer's writer runs it. Heap sizes are V8's own counters (`v8.getHeapStatistics()`), with
 * margins of tens of MB over what this test allocates besides.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapGarbageCollector } from '../../src/common/heap-garbage.js';
import { startSourceWorker } from '../../src/common/source-worker.js';

const MB = 1024 * 1024;
const used = () => getHeapStatistics().used_heap_size;

/** About `mb` MB of arrays, all kept until made (so they reach the old generation). */
const arrays = (mb: number): number[][] => Array.from({ length: mb * 16 }, (_, i) => Array.from({ length: 8 * 1024 }, (_, j) => i + j + 0.5));

/** About `mb` MB of arrays made, then dropped. */
function garbage(mb: number): void {
  expect(arrays(mb).length).toBe(mb * 16);
}

describe('heapGarbageCollector', () => {
  it('collects once the heap grew by the limit over its least, and not below it; no global gc appears', () => {
    const hadGc = 'gc' in globalThis;
    const collect = heapGarbageCollector(createRequire(import.meta.url));
    expect('gc' in globalThis).toBe(hadGc);
    // More live than the limit: the limit is on the growth, not on the heap's size.
    const live = arrays(80);
    collect(0); // from a collected heap: what follows is measured from its least
    garbage(8);
    expect(collect(64 * MB)).toBe(false);
    garbage(96);
    const before = used();
    expect(collect(64 * MB)).toBe(true);
    expect(used()).toBeLessThan(before - 64 * MB);
    expect(used()).toBeGreaterThan(70 * MB); // what is live stays
    // Right after a collection its least is where it left the heap.
    expect(collect(64 * MB)).toBe(false);
    expect(live.length).toBe(80 * 16);
  });

  it('collects nothing, and throws nothing, where node gives no gc() this way', () => {
    const require = createRequire(import.meta.url);
    const noGc = ((id: string) =>
      id === 'node:vm'
        ? {
            runInNewContext: () => {
              throw new ReferenceError('gc is not defined');
            },
          }
        : require(id)) as NodeJS.Require;
    const collect = heapGarbageCollector(noGc);
    expect(collect(0)).toBe(false);
  });

  it('runs from its source text in a worker, as the writer thread runs it', async () => {
    const worker = startSourceWorker(
      (load, { heapGarbageCollector: collector }) => {
        const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
        const { getHeapStatistics: stats } = load('node:v8') as typeof import('node:v8');
        const collect = collector(load);
        collect(0);
        let arrays: number[][] = [];
        for (let i = 0; i < 80 * 16; i++) arrays.push(Array.from({ length: 8 * 1024 }, (_, j) => i + j + 0.5));
        const made = arrays.length;
        arrays = [];
        const before = stats().used_heap_size;
        const collected = collect(32 * 1024 * 1024);
        parentPort!.postMessage({ collected, before, after: stats().used_heap_size, made: made + arrays.length });
      },
      {},
      { heapGarbageCollector },
      { resourceLimits: { maxYoungGenerationSizeMb: 4 } },
    );
    const [report] = (await once(worker, 'message')) as [{ collected: boolean; before: number; after: number }];
    await once(worker, 'exit');
    expect(report.collected).toBe(true);
    expect(report.after).toBeLessThan(report.before - 32 * MB);
  });
});
