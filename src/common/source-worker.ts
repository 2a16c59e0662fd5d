/**
 * A worker thread run from a function's source text (`eval`), so it needs no file of its own beside
 * the bundle's chunks or the tests' TypeScript. `thread` may use nothing but its own locals, `load`
 * (the worker's `require`, a parameter, as the bundler renames a free `require`) and `helpers`:
 * functions given by the caller, each also run from its source text, so bound by the same rule.
 * It reads its options from `workerData`.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

type Helpers = Record<string, (...args: never[]) => unknown>;

export function startSourceWorker<H extends Helpers = Record<never, never>>(
  thread: (load: NodeJS.Require, helpers: H) => void,
  workerData: unknown,
  helpers?: H,
  options: Pick<WorkerOptions, 'resourceLimits'> = {},
): Worker {
  const helperSources = Object.entries(helpers ?? {}).map(([name, helper]) => `${JSON.stringify(name)}: (${helper.toString()})`);
  return new Worker(`(${thread.toString()})(require, { ${helperSources.join(', ')} })`, { ...options, eval: true, workerData });
}
