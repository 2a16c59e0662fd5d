/**
 * The client side of `npm run bench:snmp`: a small UDP load generator (SNMPv2c GETs built with our
 * encoder, a fixed number of requests in flight) and wall-clock timing of Net-SNMP's snmpwalk.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { BerReader, Tag, encodeInteger, encodeNull, encodeOid, encodeString, sequence } from '../src/snmp/ber.js';
import { PduType, SnmpVersion } from '../src/snmp/message/message.js';
import type { Oid } from '../src/snmp/oid.js';

/** One v2c GET for `oid` with `requestId`, community public. */
export function getRequest(oid: Oid, requestId: number, community = 'public'): Buffer {
  const varbinds = sequence(Tag.Sequence, [sequence(Tag.Sequence, [encodeOid(oid), encodeNull()])]);
  const pdu = sequence(PduType.GetRequest, [encodeInteger(requestId), encodeInteger(0), encodeInteger(0), varbinds]);
  return sequence(Tag.Sequence, [encodeInteger(SnmpVersion.v2c), encodeString(community), pdu]);
}

/** request-id of a Response, or undefined for anything else. */
function responseId(packet: Buffer): number | undefined {
  try {
    const message = new BerReader(packet).readSequence();
    message.readInteger();
    message.read(Tag.OctetString);
    return message.readSequence(PduType.Response).readInteger();
  } catch {
    return undefined;
  }
}

export interface LoadOptions {
  readonly port: number;
  /** GET these in turn, one per request (several defeat a server's cache of the last answer). */
  readonly oids: readonly Oid[];
  /** Requests outstanding at any time: each response sends the next request. */
  readonly inFlight: number;
  /** Stop after this long … */
  readonly durationMs?: number;
  /** … or after this many responses, whichever comes first. */
  readonly responses?: number;
  /** A request unanswered this long is given up (counted as lost) and replaced. */
  readonly timeoutMs?: number;
}

export interface LoadResult {
  readonly responses: number;
  readonly lost: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** GETs with `inFlight` requests outstanding until the duration or response count is reached. */
export async function getLoad(options: LoadOptions): Promise<LoadResult> {
  const { port, oids, inFlight, durationMs = Infinity, responses: wanted = Infinity, timeoutMs = 1000 } = options;
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  /** request-id → time sent, for the requests in flight. */
  const pending = new Map<number, number>();
  let nextId = 1;
  let responses = 0;
  let lost = 0;
  let stopping = false;
  const started = performance.now();
  const send = () => {
    const id = nextId++ & 0x7fffffff;
    pending.set(id, performance.now());
    socket.send(getRequest(oids[id % oids.length]!, id), port, '127.0.0.1');
  };
  return new Promise<LoadResult>((resolve) => {
    const finish = () => {
      if (stopping) return;
      stopping = true;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sweep);
      clearTimeout(deadline);
      socket.close();
      resolve({ responses, lost, seconds, perSecond: responses / seconds });
    };
    socket.on('message', (packet) => {
      const id = responseId(packet);
      if (id === undefined || !pending.delete(id) || stopping) return;
      responses += 1;
      if (responses >= wanted) finish();
      else send();
    });
    const sweep = setInterval(
      () => {
        const now = performance.now();
        for (const [id, sentAt] of pending) {
          if (now - sentAt < timeoutMs) continue;
          pending.delete(id);
          lost += 1;
          send();
        }
      },
      Math.min(100, timeoutMs / 2),
    );
    const deadline = setTimeout(finish, Number.isFinite(durationMs) ? durationMs : 2 ** 31 - 1);
    for (let i = 0; i < inFlight; i++) send();
  });
}

const TOOL_ENV = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent', SNMPCONFPATH: '/nonexistent' };

/** Runs snmpwalk -v2c (no MIBs loaded), resolving with its output lines and wall time. */
export function snmpwalk(target: string, oid: string): Promise<{ lines: string[]; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      'snmpwalk',
      ['-m', '', '-M', '/nonexistent', '-v2c', '-c', 'public', '-t', '5', '-r', '0', target, oid],
      { env: TOOL_ENV, timeout: 30_000 },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error) reject(new Error(`snmpwalk ${target} ${oid} failed: ${String(stderr).trim() || error.message}`));
        else resolve({ lines: String(stdout).split('\n').filter(Boolean), ms });
      },
    );
  });
}

/** Median wall time of `runs` walks; the walk's lines are returned once for a sanity check. */
export async function medianWalk(target: string, oid: string, runs: number): Promise<{ medianMs: number; lines: string[] }> {
  const times: number[] = [];
  let lines: string[] = [];
  for (let i = 0; i < runs; i++) {
    const walk = await snmpwalk(target, oid);
    times.push(walk.ms);
    lines = walk.lines;
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, lines };
}

/**
 * The median of several `getLoad` runs, with the lost requests summed over all: one burst of
 * another process's work then moves the figure less.
 */
export function medianOfRuns(runs: readonly LoadResult[]): LoadResult {
  const median = [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
  return { ...median, lost: runs.reduce((total, run) => total + run.lost, 0) };
}
