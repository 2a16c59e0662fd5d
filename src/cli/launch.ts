/** How the `envirowatch` command (launcher.ts) and the analyzer's own entry (analyzer-main.ts) meet. */

/**
 * The analyzer's commands, run with node's default flags: the daemon and the replay want
 * throughput, and the clients (alerts, counters) read the analyzer's store, which may hold more
 * than the agent's 13 MB old generation.
 */
export const ANALYZER_COMMANDS: ReadonlySet<string> = new Set(['analyzer', 'analyze', 'parse', 'alerts', 'counters', 'hash-password']);

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
