import * as z from 'zod';
import { durationSchema as duration } from '../../common/duration-schema.js';
import { MAX_FRAME_BYTES } from '../../common/syslog/framing.js';

const listener = (port: number) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(port),
    })
    .prefault({});

/**
 * `listen:` and `limits:` of analyzer.yaml. By hand the analyzer listens on 127.0.0.1:5514 (UDP
 * and TCP); the systemd unit's config uses 514 on all addresses.
 */
export const ingestConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      udp: listener(5514),
      tcp: listener(5514),
      /** RFC 5425 syslog over TLS; off unless enabled with a certificate and key. */
      tls: z
        .strictObject({
          enabled: z.boolean().default(false),
          address: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(6514),
          /** PEM files; both required when enabled. */
          cert: z.string().nullable().default(null),
          key: z.string().nullable().default(null),
        })
        .prefault({})
        .superRefine((tls, ctx) => {
          for (const file of ['cert', 'key'] as const)
            if (tls.enabled && !tls[file])
              ctx.addIssue({
                code: 'custom',
                path: [file],
                message: `listen.tls.enabled needs a ${file === 'cert' ? 'certificate' : 'private key'} file (PEM)`,
              });
        }),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Longest message kept; longer ones are counted and skipped. */
      maxMessageBytes: z
        .number()
        .int()
        .min(480)
        .max(MAX_FRAME_BYTES)
        .default(64 * 1024),
      /**
       * The UDP socket's receive buffer: what a burst may hold while the analyzer is busy. The
       * kernel caps it at net.core.rmem_max (often 208 KiB): the analyzer logs the size it got,
       * and counts what the kernel dropped (ingest.udpKernelDrops).
       */
      udpReceiveBuffer: z
        .number()
        .int()
        .min(4096)
        .max(1 << 30)
        .default(4 * 1024 * 1024),
      /**
       * UDP datagrams are read by a thread of their own and handed to the receiving thread; while
       * that one is busy they wait in memory up to this many bytes (each counted with 64 bytes
       * more); beyond it datagrams are dropped and counted (ingest.udpQueueDrops). 64 MiB hold
       * about 2 s of 100,000 messages a second of 250 bytes.
       */
      udpQueueBytes: z
        .number()
        .int()
        .min(1 << 20)
        .max(1 << 30)
        .default(64 * 1024 * 1024),
      /**
       * The nice value of the thread that reads UDP (-20 .. 19; null: the process's): it needs
       * little CPU but at once, or the receive buffer fills while the machine is busy. Below 0
       * needs CAP_SYS_NICE or an RLIMIT_NICE allowing it (the systemd unit's LimitNICE=-10);
       * without, the analyzer logs that and reads at the normal priority.
       */
      udpReaderNice: z.number().int().min(-20).max(19).nullable().default(-10),
      /**
       * TCP and TLS connections at once. At the limit a new connection from a source with
       * fewer connections than the heaviest source closes that source's least recently active
       * one; otherwise it is refused (counted either way).
       */
      maxConnections: z.number().int().min(1).max(100_000).default(1000),
      /**
       * Connections at once from one address (loopback included); more are refused (counted).
       * A syslog sender needs one or a few; 50 leaves room for a relay or NAT in front of many.
       */
      maxConnectionsPerSource: z.number().int().min(1).max(100_000).default(50),
      /**
       * A connection that sends nothing for this long is closed (counted). Longer than a
       * sensor's heartbeat (60 s) with room to spare; rsyslog and the agent's forwarder notice
       * the close and reconnect before their next message.
       */
      idleTimeout: duration('5m', { ms: 86_400_000, label: '24h' }),
      /**
       * A message begun (a length announced, a line started) but not complete within this
       * long closes the connection (counted): a real sender writes a message at once.
       */
      frameTimeout: duration('30s', { ms: 3_600_000, label: '1h' }),
    })
    .prefault({}),
});

export type IngestConfig = z.output<typeof ingestConfigSchema>;
