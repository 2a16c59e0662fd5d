#!/usr/bin/env -S node --max-semi-space-size=8
// The analyzer's entry, envirowatch-analyzer.mjs: the same commands as `envirowatch`, with node's
// default heap flags, which suit the analyzer's throughput (see launcher.ts), but for the daemon's
// smaller semi-spaces on the first line (launch.ts DAEMON_NODE_FLAGS says why; the systemd unit
// runs this file for the daemon; the launcher gives the flags for `analyzer` only). The `envirowatch`
// command starts it for the analyzer's commands (launch.ts); the analyzer's systemd unit starts it
// directly.
import { stopWithLauncher } from './launch.js';

stopWithLauncher();
await import('./main.js');
