/**
 * UDP loss the analyzer cannot see by counting what it reads: datagrams the kernel drops because
 * the socket's receive buffer is full. Counted from /proc/net/udp's "drops" column (Linux:
 * net/ipv4/udp.c udp4_format_sock), so `envirowatch counters` says what a burst cost. The burst
 * comes from another process while this one is blocked (spawnSync), as a busy analyzer would be.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/common/clock.js';
import { createLogger, silentLogger } from '../../../src/common/logger.js';
import { ingestConfigSchema } from '../../../src/analyzer/ingest/config.js';
import { SyslogReceiver } from '../../../src/analyzer/ingest/receiver.js';
import { waitFor } from '../../helpers/analyzer-process.js';

const SENT = 3000;

describe('UDP datagrams dropped by the kernel', () => {
  it('a burst into a 4 KiB buffer while the analyzer is blocked: every datagram is either received or counted as dropped', async () => {
    let received = 0;
    const receiver = new SyslogReceiver({
      config: ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { enabled: false } }, limits: { udpReceiveBuffer: 4096 } }),
      clock: systemClock,
      logger: silentLogger,
      onEvent: () => received++,
    });
    await receiver.start();
    try {
      const port = receiver.port('udp');
      const sender = `const s=require('dgram').createSocket('udp4');let n=0;const next=()=>{if(n===${SENT})return s.close();s.send('<13>1 - h app - - - burst '+(n++),${port},'127.0.0.1',next)};next();`;
      expect(spawnSync(process.execPath, ['-e', sender]).status).toBe(0);
      await waitFor(async () => {
        receiver.refreshUdpDrops();
        return received + receiver.counters.udpKernelDrops === SENT ? true : undefined;
      }, 'every datagram received or counted as dropped');
      expect(receiver.counters.udpKernelDrops).toBeGreaterThan(0);
      expect(receiver.counters.received.udp).toBe(received);
    } finally {
      await receiver.stop();
    }
  });

  it('a buffer larger than net.core.rmem_max allows is logged with the size granted', async () => {
    const lines: string[] = [];
    const receiver = new SyslogReceiver({
      config: ingestConfigSchema.parse({ listen: { udp: { port: 0 }, tcp: { enabled: false } }, limits: { udpReceiveBuffer: 1 << 30 } }),
      clock: systemClock,
      logger: createLogger({ sink: (_level, line) => lines.push(line) }),
      onEvent: () => {},
    });
    await receiver.start();
    await receiver.stop();
    expect(lines.join('\n')).toMatch(/UDP receive buffer smaller than limits\.udpReceiveBuffer.*wanted=1073741824 granted=\d+/);
  });
});
