/**
 * An EPS key heard once, then kill -9, then silence: the restarted analyzer still raises its
 * `below` (#19: a key's first `ok` was never handed to the store, so after a crash the silent
 * hosts were forgotten); and the open window's count, written each second only when it changed,
 * survives kill -9 and goes on counting after the restart. `envirowatch analyzer` in its own
 * process, real syslog from `logger`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/analyzer/store/database.js';
import { analyzerSetup, cli, startAnalyzer, waitFor } from '../../../helpers/analyzer-process.js';

const run = promisify(execFile);

describe('eps across kill -9', () => {
  it('a key heard once before the crash is still judged silent after the restart', async () => {
    const { config, tcp } = await analyzerSetup(
      ['  - { id: silent, kind: eps, match: { app: "^beat$" }, key: "${host}", interval: 2s, below: 1 }'],
      ['web: { enabled: false }'],
    );
    const alerts = async () =>
      (await cli(['alerts', 'list', '--config', config, '--json'])).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { ruleId: string; state: string });
    let analyzer = await startAnalyzer(config);
    try {
      await run('logger', ['-T', '-n', '127.0.0.1', '-P', String(tcp), '--rfc5424', '-t', 'beat', 'alive']);
      // Stored within a second; killed before the next window (silent) can end.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      expect(await alerts()).toEqual([]);
      analyzer = await startAnalyzer(config);
      // The window it restarted in is not watched whole; the next one is, and is silent.
      const below = await waitFor(async () => (await alerts()).find((alert) => alert.ruleId === 'silent'), "the silent key's below", 15_000);
      expect(below.state).toBe('below');
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);

  it("the open window's count survives kill -9 (stored within a second) and goes on from there after the restart", async () => {
    // One window a year: the test does not cross into the next.
    const { config, tcp, dir } = await analyzerSetup(
      ['  - { id: rate, kind: eps, match: { app: "^beat$" }, key: "${host}", schedule: "0 0 1 1 *", timezone: UTC, above: 1000 }'],
      ['web: { enabled: false }'],
    );
    const send = async (times: number) => {
      for (let i = 0; i < times; i++) await run('logger', ['-T', '-n', '127.0.0.1', '-P', String(tcp), '--rfc5424', '-t', 'beat', 'alive']);
    };
    const killedAfterASecond = async (analyzer: Awaited<ReturnType<typeof startAnalyzer>>) => {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      const db = openDatabase(join(dir, 'data'), { readonly: true });
      const counts = db.prepare("SELECT count FROM eps_windows WHERE rule_id = 'rate'").pluck().all();
      db.close();
      return counts;
    };
    let analyzer = await startAnalyzer(config);
    try {
      await send(3);
      expect(await killedAfterASecond(analyzer)).toEqual([3]);
      analyzer = await startAnalyzer(config);
      await send(2);
      expect(await killedAfterASecond(analyzer)).toEqual([5]);
    } finally {
      analyzer.child.kill('SIGKILL');
    }
  }, 30_000);
});
