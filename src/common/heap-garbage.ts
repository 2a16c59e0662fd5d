/**
 * A full garbage collection once a thread's JS heap has grown by a given number of bytes over the
 * least it was seen in use since the last one: for the analyzer's receiving and writer threads,
 * whose garbage V8 otherwise left for tens of seconds.
 *
 * Why: during a flood V8 lets the old generation grow to up to 4 times what was live at the last
 * collection (its heap-growing factor, heap-controller.cc; 4.0 in --trace-gc-verbose), and the
 * one-second write batches (256 KB strings, which only a full collection frees) and what each
 * second's state kept until written make most of that garbage. Once the flood ends, V8's memory
 * reducer waits for a low allocation rate, which it measures only at collections; with none
 * happening, the daemon still held 211-288 MB 30 s after a 1M-line flood in some runs (137-139
 * in others), where ~30-50 MB was live (src/analyzer/README.md, session 28).
 *
 * Asked where it is cheap (once a second, after a commit): `v8.getHeapStatistics()`. The
 * collection is V8's `gc()`, which node gives only with --expose-gc: set here at run time (as the
 * analyzer's rules/regex.ts sets its flags) and taken from a new context, so no global `gc`
 * appears. It uses nothing but `load`, so it also runs from its source text in a worker
 * (common/source-worker.ts).
 */
export function heapGarbageCollector(load: NodeJS.Require): (limitBytes: number) => boolean {
  const v8 = load('node:v8') as typeof import('node:v8');
  let gc: () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = (load('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  } catch {
    // A node that no longer gives it this way: V8 collects on its own, as it did before.
    return () => false;
  }
  let least = Infinity;
  /** Collects if the heap grew by `limitBytes` since its least; true when it did. */
  return (limitBytes) => {
    const used = v8.getHeapStatistics().used_heap_size;
    least = Math.min(least, used);
    if (used - least < limitBytes) return false;
    gc();
    least = v8.getHeapStatistics().used_heap_size;
    return true;
  };
}
