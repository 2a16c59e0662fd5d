/**
 * The analyzer as shipped for one test at a time (vitest hooks; kept apart from analyzer-process.ts,
 * which the benches import outside vitest): start it with some rules, send it UDP syslog, and see
 * that it still raises alerts.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterEach } from 'vitest';
import { analyzerSetup, cli, startAnalyzer, stopAnalyzer, waitFor, type RunningAnalyzer } from './analyzer-process.js';

/** An event rule that raises one alert per `canary N` message: a later canary's alert shows the daemon still works. */
export const CANARY_RULE = '  - { id: canary, kind: event, match: { regex: "^canary (?<n>\\\\d+)" }, key: "${n}" }';

/** The syslog line the canary rule alerts on. */
export const canaryLine = (n: number) => `<13>1 - h canary - - - canary ${n}`;

/**
 * `envirowatch analyzer` with these rules for each test of the calling describe, stopped after it,
 * and a UDP sender to its syslog port.
 */
export function analyzerPerTest(): { start(ruleLines: string[]): Promise<{ analyzer: RunningAnalyzer; config: string; send(line: string): Promise<void> }> } {
  let running: { analyzer: RunningAnalyzer; socket: UdpSocket } | undefined;
  afterEach(async () => {
    if (!running) return;
    running.socket.close();
    await stopAnalyzer(running.analyzer);
    running = undefined;
  });
  return {
    async start(ruleLines) {
      const { config, udp } = await analyzerSetup(ruleLines);
      const analyzer = await startAnalyzer(config);
      const socket = createSocket('udp4');
      running = { analyzer, socket };
      const send = (line: string) =>
        new Promise<void>((resolve, reject) => socket.send(line, udp, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
      return { analyzer, config, send };
    },
  };
}

/** The output of `alerts list` once it includes `text`. */
export function alertListed(config: string, text: string): Promise<string> {
  return waitFor(async () => {
    const { stdout } = await cli(['alerts', 'list', '--config', config]);
    return stdout.includes(text) ? stdout : undefined;
  }, `an alert with "${text}"`);
}
