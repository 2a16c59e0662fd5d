#!/usr/bin/env node
// The analyzer's entry, envirowatch-analyzer.mjs: the same commands as `envirowatch`, with node's
// default heap flags, which suit the analyzer's throughput (see launcher.ts). The `envirowatch`
// command starts it for the analyzer's commands (launch.ts); the analyzer's systemd unit starts it
// directly.
import { stopWithLauncher } from './launch.js';

stopWithLauncher();
await import('./main.js');
