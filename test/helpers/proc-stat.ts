/**
 * A process's or thread's `stat` file (proc(5): /proc/PID/stat, /proc/PID/task/TID/stat), read by
 * the benches for CPU times and by the tests for nice values. The command name, field 2, is in
 * parentheses and may hold spaces and ')': the fields are counted after its last ')'.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The stat file at `path`, by proc(5)'s field numbers (14 utime, 15 stime, 16 cutime, 17 cstime in clock ticks; 19 nice). */
export function procStat(path: string): (field: number) => number {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (field) => Number(fields[field - 3]);
}

/** Each thread of process `pid` (`self`: this one) by thread id, with its nice value. */
export function threadNices(pid: number | 'self' = 'self'): Map<string, number> {
  return new Map(readdirSync(`/proc/${pid}/task`).map((tid) => [tid, procStat(`/proc/${pid}/task/${tid}/stat`)(19)]));
}
