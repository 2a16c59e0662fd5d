/** The counters' summary line (store/status.ts). */
import { describe, expect, it } from 'vitest';
import { countersSummary, type AnalyzerCounters } from '../../../src/analyzer/store/status.js';

describe("the minute's counters line", () => {
  it('is a few totals: received over transports, events, lost messages, alerts over rules, the outbox', () => {
    const counters = {
      ingest: {
        received: { udp: 5, tcp: 7, tls: 1 },
        parsed: { rfc5424: 10, rfc3164: 2, raw: 0 },
        oversize: 1,
        invalidUtf8: 3,
        truncated: 0,
        connections: 2,
        refusedConnections: { perSource: 0, maxConnections: 0 },
        closedConnections: { idle: 0, partialFrame: 0, overlongFrame: 0, evicted: 0, handlerError: 0 },
        parseErrors: 0,
        sinkErrors: 0,
        tlsHandshakeFailures: 0,
        udpKernelDrops: 2,
        udpQueueDrops: 4,
      },
      engine: { events: 12, outOfOrder: 0 },
      rules: { a: { kind: 'eps', counters: { matched: 12, alerts: 2, windows: 4 } }, b: { kind: 'timer', counters: { starts: 1, alerts: 1 } } },
      notify: { outbox: 3, delivered: 0, retried: 1, gaveUp: 0 },
      memory: { collections: 1 },
    } satisfies AnalyzerCounters;
    expect(countersSummary(counters)).toEqual({ received: 13, events: 12, lost: 7, alerts: 3, outbox: 3, gaveUp: 0 });
  });
});
