/**
 * A worker thread run from a function's source text (`eval`), so it needs no file of its own beside
 * the bundle's chunks or the tests' TypeScript. `thread` may use nothing but its own locals and
 * `load`, the worker's `require` (a parameter, as the bundler renames a free `require`); it reads
 * its options from `workerData`.
 */
import { Worker } from 'node:worker_threads';

export function startSourceWorker(thread: (load: NodeJS.Require) => void, workerData: unknown): Worker {
  return new Worker(`(${thread.toString()})(require)`, { eval: true, workerData });
}
