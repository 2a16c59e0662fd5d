#!/usr/bin/env -S node --max-semi-space-size=1 --max-old-space-size=13 --single-threaded
// The `envirowatch` command. Its node flags are the agent's: the agent runs for months on a Pi that
// may have 512 MB. --max-semi-space-size=1 keeps each request's garbage small (V8's default grows
// the young generation to 16 MB semi-spaces); --single-threaded drops V8's helper threads, which a
// heap this small does not need; --max-old-space-size=13 makes V8 collect the old generation
// before garbage piles up there: the agent's live heap was ~10 MB (11 MB drawing the LCD; ~8 and
// 9 since zod's unused locales left the bundle), and without a cap the LCD agent passed 66 MB
// within a minute; with 13 it stayed at 59 MB, with 14 at 60-62. 12 spent ~59 µs per poll
// collecting, 13 ~49, 14 ~46 (bench/rss-probe.ts, which loads the unbundled modules). The
// optimising compiler stays on: --lite-mode or --no-opt save memory but double the CPU per poll or
// halve the SNMP GET rate with one request in flight.
// The analyzer wants the opposite (throughput; about 20 % faster with node's defaults), and flags
// can only be given when node starts: the analyzer's commands and those reading a user's file of
// any size (launch.ts) run in a process of their own started from envirowatch-analyzer.mjs with
// node's defaults. The agent, read, display and demo run here, so the agent never loads the
// analyzer's code and starts no second process.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_FLAGS, DEFAULT_HEAP_COMMANDS, LAUNCHER_ENV } from './launch.js';

const command = process.argv[2];
if (command !== undefined && DEFAULT_HEAP_COMMANDS.has(command)) process.exitCode = await runWithDefaultFlags(process.argv.slice(2));
else await import('./main.js');

/**
 * This command line again in envirowatch-analyzer.mjs with node's default flags (the daemon's
 * own, launch.ts DAEMON_NODE_FLAGS, for `analyzer`); resolves to its
 * exit code. This process waits and passes SIGTERM and SIGHUP on; SIGINT from a terminal reaches
 * both (one process group), so it is not passed again. The IPC channel lets the child notice
 * when this process is killed, and end too.
 */
function runWithDefaultFlags(args: string[]): Promise<number> {
  const entry = fileURLToPath(new URL('envirowatch-analyzer.mjs', import.meta.url));
  const child = spawn(process.execPath, [...(args[0] === 'analyzer' ? DAEMON_NODE_FLAGS : []), entry, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [LAUNCHER_ENV]: String(process.pid) },
  });
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`envirowatch: cannot start ${entry}: ${error.message}\n`);
      resolve(1);
    });
    // A child killed by a signal: 128 + its number, as a shell reports it.
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
