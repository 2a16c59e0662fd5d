/**
 * snmptrapd receivers for one test at a time (vitest hooks; kept apart from snmptrapd.ts so that
 * it stays usable outside vitest): each receiver started, and each cleanup registered, during a
 * test is stopped or run after it.
 */
import { afterEach } from 'vitest';
import { startSnmptrapd, type RunningSnmptrapd, type SnmptrapdOptions } from './snmptrapd.js';

export function snmptrapdPerTest(): { trapd(options: SnmptrapdOptions): Promise<RunningSnmptrapd>; readonly cleanups: (() => Promise<void> | void)[] } {
  const started: RunningSnmptrapd[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const trapd of started.splice(0)) await trapd.stop();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return {
    /** No skip when snmptrapd is missing: startSnmptrapd throws naming the Debian package. */
    async trapd(options) {
      const running = await startSnmptrapd(options);
      started.push(running);
      return running;
    },
    cleanups,
  };
}
