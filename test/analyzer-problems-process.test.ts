/**
 * Problems in `envirowatch analyzer` as users run it, across kill -9: an EPS problem (a sensor
 * gone quiet) and an event problem (a STATUS to critical) open, stay open through the kill and
 * the restart, and resolve when their condition clears after it; `alerts list` shows them open
 * with readable times, then only in the full history with their duration.
 */
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { statusChangeMessage } from '../src/agent/syslog/messages.js';
import type { Status } from '../src/agent/readings/thresholds.js';
import { ENTERS_CRITICAL_REGEX, LEAVES_CRITICAL_REGEX } from '../src/common/sensor-messages.js';
import { formatRfc5424 } from '../src/common/syslog/format.js';
import { analyzerSetup, cli, startAnalyzer, waitFor, type RunningAnalyzer } from './helpers/analyzer-process.js';

interface ListedProblem {
  id: string;
  ruleId: string;
  key: string;
  time: string;
  problem?: { state: string; openedAt: string; resolvedAt: string | null; duration: string };
}

describe('problems in the analyzer process', () => {
  it('an open problem stays open across kill -9 and resolves when its condition clears after the restart', async () => {
    const { config, udp } = await analyzerSetup([
      '  - { id: quiet, kind: eps, match: { app: ^envirowatch$, host: ^sensor-q$ }, interval: 2s, below: 1 }',
      `  - { id: sensor-critical, kind: event, match: { app: ^envirowatch$, severity: crit, regex: ${JSON.stringify(ENTERS_CRITICAL_REGEX)} }, resolve: { app: ^envirowatch$, regex: ${JSON.stringify(LEAVES_CRITICAL_REGEX)} }, key: "\${host}/\${quantity}" }`,
    ]);
    const socket = createSocket('udp4');
    const send = (line: string) => new Promise((resolve) => socket.send(line, udp, '127.0.0.1', resolve));
    const heartbeat = () =>
      send(
        formatRfc5424({
          facility: 'local0',
          severity: 'info',
          hostname: 'sensor-q',
          appName: 'envirowatch',
          msgId: 'HEARTBEAT',
          message: 'heartbeat',
          timestamp: Date.now(),
        }),
      );
    const status = (from: Status, to: Status) =>
      send(
        formatRfc5424({
          facility: 'local0',
          hostname: 'sensor-7',
          appName: 'envirowatch',
          ...statusChangeMessage(
            { quantity: 'temperature', from, to, value: 31, limit: { side: 'high', limit: 30 }, timestamp: Date.now() },
            { temperature: 'celsius' },
          ),
        }),
      );
    const listed = async (all: boolean): Promise<ListedProblem[]> =>
      (await cli(['alerts', 'list', ...(all ? ['--all'] : []), '--json', '--config', config])).stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ListedProblem);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let analyzer: RunningAnalyzer = await startAnalyzer(config);
    try {
      await status('warning', 'critical');
      // sensor-q sends for two windows (its first is not judged), then stops: below 1 in a whole window.
      const sendingUntil = Date.now() + 4_500;
      while (Date.now() < sendingUntil) {
        await heartbeat();
        await sleep(300);
      }
      const open = await waitFor(
        async () => {
          const problems = await listed(false);
          return problems.length === 2 ? problems : undefined;
        },
        'both problems to open',
        15_000,
      );
      expect(open.map((p) => [p.ruleId, p.key, p.problem?.state, p.problem?.resolvedAt]).sort()).toEqual([
        ['quiet', 'sensor-q', 'open', null],
        ['sensor-critical', 'sensor-7/Temperature', 'open', null],
      ]);
      expect(open[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const text = (await cli(['alerts', 'list', '--config', config])).stdout;
      expect(text).toMatch(/^[0-9a-f]{16} \d{4}-\d\d-\d\dT\S+Z warning OPEN for \S+ quiet: sensor-q below 1 /m);
      // The EPS state goes in a one-second flush, committed by the writer thread with the counters
      // (their last rows): wait for counters stamped after the problems opened, not a fixed time.
      const openedBy = Date.now();
      await waitFor(
        async () => {
          const { stdout } = await cli(['counters', '--config', config, '--json']);
          return stdout && (JSON.parse(stdout) as { at: number }).at > openedBy ? true : undefined;
        },
        'a flush after the problems opened',
        15_000,
      );

      analyzer.child.kill('SIGKILL');
      await new Promise((resolve) => analyzer.child.once('exit', resolve));
      const killedAt = Date.now();
      analyzer = await startAnalyzer(config);
      expect((await listed(false)).map((p) => p.id).sort()).toEqual(open.map((p) => p.id).sort());

      await status('critical', 'warning');
      const resolved = await waitFor(
        async () => {
          await heartbeat();
          await sleep(300);
          return (await listed(false)).length === 0 ? await listed(true) : undefined;
        },
        'both problems to resolve',
        15_000,
      );
      expect(resolved.map((p) => [p.ruleId, p.problem?.state]).sort()).toEqual([
        ['quiet', 'resolved'],
        ['sensor-critical', 'resolved'],
      ]);
      for (const problem of resolved) {
        expect(Date.parse(problem.problem!.resolvedAt!)).toBeGreaterThan(killedAt);
        expect(problem.problem!.duration).toMatch(/^(\d+m)?\d+s$/);
      }
      expect(analyzer.log()).toMatch(/sensor-critical: sensor-7 envirowatch: Temperature critical -> warning \(31 °C, limit high 30 °C\); resolved after/);
    } finally {
      socket.close();
      analyzer.child.kill('SIGKILL');
    }
  }, 60_000);
});
