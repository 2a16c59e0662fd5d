/** How the `envirowatch` command (launcher.ts) and the analyzer's own entry (analyzer-main.ts) meet. */

/** Commands that want throughput more than a small heap: run with node's default flags. */
export const THROUGHPUT_COMMANDS: ReadonlySet<string> = new Set(['analyzer', 'analyze']);

/** Set by the launcher for the process it starts and waits for: its own pid. */
export const LAUNCHER_ENV = 'ENVIROWATCH_LAUNCHER_PID';

/**
 * In a process the launcher started: once the launcher is gone (its IPC channel closes, which
 * happens even when it is killed with SIGKILL), stop as on SIGTERM, so no analyzer is left
 * holding its ports. The variable is removed so processes this one starts do not inherit it.
 */
export function stopWithLauncher(): void {
  if (process.env[LAUNCHER_ENV] === undefined || !process.channel) return;
  delete process.env[LAUNCHER_ENV];
  // The channel must not keep this process alive once its work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
