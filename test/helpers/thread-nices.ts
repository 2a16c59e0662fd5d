/** Threads' nice values as Linux reports them (proc(5): field 19 of a thread's `stat`). */
import { readdirSync, readFileSync } from 'node:fs';

/** The nice value in the `stat` file at `path` (fields counted after the command name, which may hold spaces). */
export function niceIn(path: string): number {
  const stat = readFileSync(path, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19 - 3]);
}

/** Each thread of process `pid` (`self`: this one) by thread id, with its nice value. */
export function threadNices(pid: number | 'self' = 'self'): Map<string, number> {
  return new Map(readdirSync(`/proc/${pid}/task`).map((tid) => [tid, niceIn(`/proc/${pid}/task/${tid}/stat`)]));
}
