/** How the `envirowatch` command (launcher.ts) and the analyzer's own entry (analyzer-main.ts) meet. */

/**
 * Commands run with node's default flags: the analyzer's (the daemon and the replay want
 * throughput, the clients read the analyzer's store), and the ones that read a file a user wrote,
 * whose size is the user's: check-config and firstboot. The agent's 13 MB old generation is for the
 * agent's own steady heap; check-config on a file with 40,000 keys ran out of it.
 */
export const DEFAULT_HEAP_COMMANDS: ReadonlySet<string> = new Set([
  'analyzer',
  'analyze',
  'parse',
  'alerts',
  'counters',
  'hash-password',
  'check-config',
  'firstboot',
]);

/**
 * The analyzer daemon's node flags (`envirowatch analyzer`; envirowatch-analyzer.mjs's first line,
 * which its systemd unit runs, has the same). Semi-spaces of 8 MB instead of node's 16: a flood
 * grows the young generation to its largest, and only V8's memory reducer shrinks it again, so
 * that is 16 MB of RSS kept after a flood. Three alternated rounds of `bench:analyzer --only
 * tcp,rss` (session 28): a second after the 1M-line flood 169.2-170.8 MB against 187.0-196.1,
 * after 30 s idle 136.2-137.3 against 139.1-154.7; TCP in eight rounds 158,518-186,168 msg/s
 * against 160,570-181,874, no cost above the noise. The other commands keep node's defaults.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** Set by the launcher for the process it starts and waits for: its own pid. */
export const LAUNCHER_ENV = 'ENVIROWATCH_LAUNCHER_PID';

/**
 * In a process the launcher started: once the launcher is gone (its IPC channel closes, which
 * happens even when it is killed with SIGKILL), end the same way, at once, so no analyzer is left
 * holding its ports and `kill -9` means what it says. The launcher itself only exits after this
 * process, so a closed channel means it was killed. The variable is removed so processes this one
 * starts do not inherit it.
 */
export function stopWithLauncher(): void {
  if (process.env[LAUNCHER_ENV] === undefined || !process.channel) return;
  delete process.env[LAUNCHER_ENV];
  // The channel must not keep this process alive once its work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}
