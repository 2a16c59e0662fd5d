/**
 * Part of `npm run bench:state`: N hosts heard once each, then all silent, into `envirowatch
 * analyzer` (its own process) with an eps rule (30 s windows, below 1): the N `below` alerts it
 * stores, how long after the silent window's end the last was stored, and the longest the daemon
 * kept a request to its web page (the stylesheet, every 50 ms) waiting meanwhile: its event loop's
 * longest stall.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { octetCounted } from '../src/common/syslog/format.js';
import { openDatabase } from '../src/analyzer/store/database.js';
import { ANALYZER_CLI, analyzerSetup, startAnalyzer, stopAnalyzer } from '../test/helpers/analyzer-process.js';

// Long enough to judge 200,000 keys 5,000 a second (the EPS rule judges faster only to finish within the window).
const WINDOW_MS = 30_000;

const get = (url: string) =>
  new Promise<void>((resolve, reject) => {
    request(url, (response) => response.resume().once('end', resolve))
      .once('error', reject)
      .end();
  });

/** `cli`: the command to start (a wrapper adding node flags such as `--cpu-prof`). */
export async function epsSilent(
  n: number,
  cli = ANALYZER_CLI,
): Promise<{ stored: number; lastStoredAfterMs: number; longestStallMs: number; longestStallAtMs: number }> {
  const { config, tcp, dir } = await analyzerSetup([`  - { id: silent, kind: eps, match: { app: "^beat$" }, key: "\${host}", interval: 30s, below: 1 }`]);
  const analyzer = await startAnalyzer(config, cli);
  try {
    // Send in a window watched whole from its start, so the next one, silent, is judged.
    const windowStart = (Math.floor(Date.now() / WINDOW_MS) + 1) * WINDOW_MS;
    await new Promise((resolve) => setTimeout(resolve, windowStart - Date.now() + 200));
    const socket = connect(tcp, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const frames = Array.from({ length: n }, (_, i) => octetCounted(`<14>1 - host-${i} beat - - - alive`));
    await new Promise<void>((resolve) => socket.end(Buffer.concat(frames), resolve));
    const silentEnd = windowStart + 2 * WINDOW_MS;
    const db = openDatabase(join(dir, 'data'), { readonly: true });
    const count = db.prepare("SELECT COUNT(*) AS n FROM alerts WHERE rule_id = 'silent'").pluck();
    let longestStallMs = 0;
    /** When the longest stall began, from the silent window's end (negative: during the sending or the silent window). */
    let longestStallAtMs = NaN;
    let stored = 0;
    let lastStoredAfterMs = NaN;
    const giveUp = silentEnd + 600_000;
    while (Date.now() < giveUp) {
      const asked = performance.now();
      await get(`${analyzer.webUrl!.replace(/\/$/, '')}/style.css`);
      const stall = performance.now() - asked;
      if (stall > longestStallMs) [longestStallMs, longestStallAtMs] = [stall, Date.now() - stall - silentEnd];
      stored = count.get() as number;
      if (stored >= n) {
        lastStoredAfterMs = Date.now() - silentEnd;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    db.close();
    return { stored, lastStoredAfterMs, longestStallMs, longestStallAtMs };
  } finally {
    await stopAnalyzer(analyzer);
    rmSync(dir, { recursive: true, force: true });
  }
}
