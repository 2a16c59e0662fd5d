/**
 * The sd_notify protocol for Type=notify units: readiness, watchdog pings, stopping. Node cannot
 * send AF_UNIX datagrams, so each message goes through `systemd-notify` (which waits, with
 * BARRIER=1, until systemd has read it, so the message is never attributed to a process that is
 * already gone); the units say NotifyAccess=all for that. Without $NOTIFY_SOCKET (not started by
 * systemd) every call does nothing.
 */
import { spawn } from 'node:child_process';
import type { Logger } from './logger.js';

export interface ServiceManager {
  /** The service is up (READY=1), with a status line for `systemctl status`. */
  ready(status: string): void;
  /** Called from the main loop at every turn: sends WATCHDOG=1 when one is due. */
  alive(): void;
  /** STOPPING=1. */
  stopping(): void;
}

/** Sends one notification; resolves with an error message, or undefined when sent. */
export type NotifySender = (assignments: readonly string[]) => Promise<string | undefined>;

const systemdNotify: NotifySender = (assignments) =>
  new Promise((resolve) => {
    const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...assignments], { stdio: 'ignore' });
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => resolve(code === 0 ? undefined : `systemd-notify exited with ${code}`));
  });

export function serviceManager(options: {
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
  readonly send?: NotifySender;
}): ServiceManager {
  const env = options.env ?? process.env;
  if (!env['NOTIFY_SOCKET']) return { ready: () => {}, alive: () => {}, stopping: () => {} };
  const send = options.send ?? systemdNotify;
  const now = options.now ?? (() => performance.now());
  const watchdogUsec = Number(env['WATCHDOG_USEC']);
  const forUs = !env['WATCHDOG_PID'] || Number(env['WATCHDOG_PID']) === process.pid;
  // Pinged four times per watchdog period, so one slow systemd-notify does not cost a restart.
  const pingEveryMs = forUs && watchdogUsec > 0 ? watchdogUsec / 1000 / 4 : undefined;
  let lastPing = -Infinity;
  let pinging = false;
  let failed = false;
  const notify = async (assignments: readonly string[]) => {
    const error = await send(assignments);
    if (error && !failed) {
      failed = true; // once: a missing systemd-notify would otherwise log every few seconds
      options.logger.warn('cannot notify systemd', { message: assignments[0], error });
    }
  };
  return {
    ready: (status) => void notify(['--ready', `--status=${status}`]),
    alive: () => {
      if (pingEveryMs === undefined || pinging || now() - lastPing < pingEveryMs) return;
      lastPing = now();
      pinging = true;
      void notify(['WATCHDOG=1']).finally(() => (pinging = false));
    },
    stopping: () => void notify(['STOPPING=1']),
  };
}
