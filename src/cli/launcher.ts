#!/usr/bin/env -S node --max-semi-space-size=1 --single-threaded
// The `envirowatch` command. Its node flags are the agent's: the agent runs for months on a Pi that
// may have 512 MB, and with V8's defaults its young generation grows to 16 MB semi-spaces;
// --max-semi-space-size=1 keeps each request's garbage small and --single-threaded drops V8's
// helper threads, which a heap this small does not need. The optimising compiler stays on:
// --lite-mode saves memory but doubles the CPU per poll and halves the SNMP GET rate (npm run bench).
// The analyzer wants the opposite (throughput; about 20 % faster with node's defaults), and flags
// can only be given when node starts: `analyzer` and `analyze` run in a process of their own
// started from envirowatch-analyzer.mjs with node's defaults. Every other command (agent, read,
// display, the short analyzer clients such as alerts) runs here, so the agent never loads the
// analyzer's code and starts no second process.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { LAUNCHER_ENV, THROUGHPUT_COMMANDS } from './launch.js';

const command = process.argv[2];
if (command !== undefined && THROUGHPUT_COMMANDS.has(command)) process.exitCode = await runWithDefaultFlags(process.argv.slice(2));
else await import('./main.js');

/**
 * This command line again in envirowatch-analyzer.mjs with node's default flags; resolves to its
 * exit code. This process waits and passes SIGTERM and SIGHUP on; SIGINT from a terminal reaches
 * both (one process group), so it is not passed again. The IPC channel lets the child notice
 * when this process is gone, even killed, and stop.
 */
function runWithDefaultFlags(args: string[]): Promise<number> {
  const entry = new URL('envirowatch-analyzer.mjs', import.meta.url);
  const child = spawn(process.execPath, [entry.pathname, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, [LAUNCHER_ENV]: String(process.pid) } });
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`envirowatch: cannot start ${entry.pathname}: ${error.message}\n`);
      resolve(1);
    });
    // A child killed by a signal: 128 + its number, as a shell reports it.
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
