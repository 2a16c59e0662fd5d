/**
 * `npm run fuzz` (#14): hostile input over loopback into the daemons as shipped, each in its own
 * process (`envirowatch analyzer` with a temp config and rules of every kind; `envirowatch agent
 * --simulate` with SNMP on a free port), FUZZ_INPUTS (default 100,000) inputs per protocol:
 *   - syslog over UDP, and over TCP on several connections, octet-counted and LF-framed, cut at random points;
 *   - HTTP requests to the web page on raw keep-alive sockets, so odd targets go out verbatim;
 *   - SNMP v1/v2c GET/GETNEXT/GETBULK (and v3) to the agent: well-formed with hostile contents, truncated, bit-flipped.
 * Inputs are fast-check samples (test/helpers/hostile-inputs.ts) from FUZZ_SEED, printed so that a
 * run can be replayed (FUZZ_PROTOCOLS=tcp,snmp runs only those). Measured: crashes (the daemon exited: its log tail is printed, it is restarted
 * and the run goes on; the script then exits 1), the longest event-loop stall seen from outside by a
 * probe in a worker thread (every 20 ms a GET /style.css on its own keep-alive connection, or an
 * SNMP GET of sysUpTime.0), VmRSS before and after, and what the daemon counted. After each
 * protocol a canary checks the daemon still works end to end. Figures are printed, not asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { Agent as HttpAgent, get as httpGet } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { parseOid } from '../src/snmp/oid.js';
import { ANALYZER_CLI, CLI, analyzerSetup, cli, waitFor } from '../test/helpers/analyzer-process.js';
import {
  HOSTILE_HOSTS,
  HOSTILE_URL_TARGETS,
  JS_SPECIAL_NAMES,
  backtrackingRuns,
  hostileName,
  hostileRfc3164,
  hostileRfc5424,
  hostileSnmpV2Message,
  hostileSnmpV3Message,
  mutatedPackets,
} from '../test/helpers/hostile-inputs.js';
import { freeUdpPort } from '../test/helpers/ports.js';
import { runTool } from '../test/helpers/snmp-tools.js';
import { getRequest } from './snmp-load.js';
import { rssMb } from './snmp-servers.js';

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 100_000);
/** Comma-separated parts of protocol names to run (`udp,snmp`); all by default. */
const ONLY = process.env.FUZZ_PROTOCOLS?.toLowerCase().split(',');
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const PROBE_EVERY_MS = 20;
/** UDP is sent at this rate: a flood past what the daemon reads would measure the socket buffer, not the daemon. */
const UDP_PER_SECOND = 10_000;
const TCP_CONNECTIONS = 8;
const HTTP_CONNECTIONS = 4;
/** An HTTP fuzz request unanswered this long is given up (its connection closed and replaced). */
const HTTP_TIMEOUT_MS = 10_000;
/** Past this many crashes in one protocol the rest of its inputs are skipped: each restart costs seconds. */
const MAX_CRASHES_PER_PROTOCOL = 5;
const COMMUNITY = 'public';
const SYS_UPTIME = parseOid('1.3.6.1.2.1.1.3.0');
const SENSOR_VALUE_1 = '1.3.6.1.4.1.21600.1.5.1.1.1.3.1';
/** The agent's snmpEngineID and a v3 user, so that SNMPv3 packets reach its USM. */
const ENGINE_ID = '800054600512345678';
const V3_USER = '{ name: fuzz-user, authProtocol: SHA-256, authPassword: fuzz-auth-pass, privPassword: fuzz-priv-pass }';

// --- the probe, in a worker thread: its timings do not depend on the fuzzer's own event loop --------

type ProbeTarget = { readonly kind: 'http' | 'snmp'; readonly port: number };
interface ProbeReport {
  /** Longest time from a probe request to its answer, ms. */
  readonly maxStallMs: number;
  readonly probes: number;
  /** Probes never answered (a UDP probe lost in a full socket buffer, or the daemon down). */
  readonly unanswered: number;
}
type ProbeCommand = { readonly type: 'report' } | { readonly type: 'retarget'; readonly target: ProbeTarget };

/** One cheap request to the daemon; resolves true when it was answered. */
function probeSender(target: ProbeTarget): () => Promise<boolean> {
  if (target.kind === 'http') {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    return () =>
      new Promise((resolve) => {
        httpGet({ host: '127.0.0.1', port: target.port, path: '/style.css', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode === 200));
        }).on('error', () => resolve(false));
      });
  }
  const socket = createSocket('udp4');
  let requestId = 0;
  return () =>
    new Promise((resolve) => {
      const id = ++requestId;
      const timer = setTimeout(() => finish(false), 2000);
      const finish = (answered: boolean) => {
        clearTimeout(timer);
        socket.off('message', onReply);
        resolve(answered);
      };
      // Any reply to this socket is to the one request in flight.
      const onReply = () => finish(true);
      socket.on('message', onReply);
      socket.send(getRequest(SYS_UPTIME, id, COMMUNITY), target.port, '127.0.0.1');
    });
}

function runProbe(initial: ProbeTarget): void {
  let send = probeSender(initial);
  let report: ProbeReport = { maxStallMs: 0, probes: 0, unanswered: 0 };
  let inFlight = false;
  setInterval(() => {
    if (inFlight) return; // a stalled daemon: the probe in flight measures it when answered
    inFlight = true;
    const sentAt = performance.now();
    const sender = send;
    void sender().then((answered) => {
      inFlight = false;
      if (sender !== send) return; // sent to the previous process
      const ms = performance.now() - sentAt;
      report = answered
        ? { ...report, probes: report.probes + 1, maxStallMs: Math.max(report.maxStallMs, ms) }
        : { ...report, probes: report.probes + 1, unanswered: report.unanswered + 1 };
    });
  }, PROBE_EVERY_MS);
  parentPort!.on('message', (command: ProbeCommand) => {
    if (command.type === 'retarget') send = probeSender(command.target);
    else {
      parentPort!.postMessage(report);
      report = { maxStallMs: 0, probes: 0, unanswered: 0 };
    }
  });
}

class Probe {
  private constructor(private readonly worker: Worker) {}

  static start(target: ProbeTarget): Probe {
    return new Probe(new Worker(new URL(import.meta.url), { workerData: target }));
  }

  retarget(target: ProbeTarget): void {
    this.worker.postMessage({ type: 'retarget', target } satisfies ProbeCommand);
  }

  /** The figures since the last report. */
  report(): Promise<ProbeReport> {
    const reply = new Promise<ProbeReport>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage({ type: 'report' } satisfies ProbeCommand);
    return reply;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

// --- the daemons, restarted when they exit ------------------------------------------------------------

/**
 * A daemon whose output goes to a file, not a pipe: Node writes to pipes synchronously, so a pipe
 * the fuzzer's busy event loop is slow to drain would stall the daemon and the figures with it.
 */
interface DaemonProcess {
  readonly child: ChildProcess;
  /** Its output from byte `from` of the log file (by default, since it started). */
  log(from?: number): string;
  /** The log file's size now, as a `from` for log(). */
  logSize(): number;
}

/** `envirowatch COMMAND ...ARGS` (the analyzer from envirowatch-analyzer), its output appended to `logFile`, resolved once it logs `COMMAND started`. */
async function startDaemon(command: 'analyzer' | 'agent', args: readonly string[], logFile: string): Promise<DaemonProcess> {
  const logSize = () => (existsSync(logFile) ? statSync(logFile).size : 0);
  const start = logSize();
  const log = (from = start) => readFileSync(logFile).subarray(from).toString();
  const out = openSync(logFile, 'a');
  // The analyzer as its unit starts it (envirowatch-analyzer): the pid, its RSS and its exit are the daemon's, not the launcher's.
  const child = spawn(command === 'analyzer' ? ANALYZER_CLI : CLI, [command, ...args], { stdio: ['ignore', out, out] });
  closeSync(out);
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`envirowatch ${command} exited with ${child.exitCode}:\n${log()}`);
    return log().includes(`${command} started`) ? true : undefined;
  }, `envirowatch ${command} to start`);
  return { child, log, logSize };
}

/** A daemon that is started again (its log tail printed) whenever it exits without being asked to. */
class Supervised {
  crashes = 0;
  private process!: DaemonProcess;
  private restarting: Promise<void> | undefined;
  private stopping = false;

  private constructor(
    readonly name: string,
    private readonly launch: () => Promise<DaemonProcess>,
  ) {}

  static async start(name: string, launch: () => Promise<DaemonProcess>): Promise<Supervised> {
    const daemon = new Supervised(name, launch);
    await daemon.run();
    return daemon;
  }

  get current(): DaemonProcess {
    return this.process;
  }

  get pid(): number {
    return this.process.child.pid!;
  }

  /** Resolves once the daemon runs (again, after a crash). */
  async ready(): Promise<void> {
    while (this.restarting) await this.restarting;
  }

  async stop(): Promise<void> {
    await this.ready();
    this.stopping = true;
    const { child } = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  private async run(): Promise<void> {
    this.process = await this.launch();
    this.process.child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.crashes += 1;
      process.stdout.write(
        `\n!! ${this.name} (pid ${this.process.child.pid}) exited: code ${code}, signal ${signal}. Its log tail:\n${this.process.log(Math.max(0, this.process.logSize() - 3000))}\n!! restarting it\n`,
      );
      this.restarting = this.run().finally(() => (this.restarting = undefined));
    });
  }
}

// --- inputs -----------------------------------------------------------------------------------------

/** Lines that reach each rule below, with special names in the fields its named groups capture. */
const ruleLine = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      hostileName(),
      fc.constantFrom('openvpn', 'fuzz', 'fuzzd', ...JS_SPECIAL_NAMES),
      hostileName(),
      fc.constantFrom('anomaly', 'logon', 'logoff', 'event'),
    )
    .map(([host, app, name, rule]) => {
      const body = {
        anomaly: `openvpn server 'ovpns1' user '${name}' address '${name}:1194' - connected`,
        logon: `LOGON ${name}`,
        logoff: `LOGOFF ${name}`,
        event: `ALERT ${name}`,
      }[rule];
      return `<13>Dec  4 10:00:00 ${host} ${app}[1]: ${body}`;
    });

/** One syslog message: well-formed with special names, rule hits, backtracking runs, any text or bytes. */
const syslogMessage = (): fc.Arbitrary<Buffer> =>
  fc.oneof(
    hostileRfc5424().map(({ line }) => Buffer.from(line)),
    hostileRfc3164().map((line) => Buffer.from(line)),
    ruleLine().map((line) => Buffer.from(line)),
    fc.constantFrom(...backtrackingRuns(2000)).map((run) => Buffer.from(`<13>Dec  4 10:00:00 host app: ALERT ${run}`)),
    fc.string({ maxLength: 300 }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  );

/** RFC 6587 octet counting: `LEN SP MSG`. */
const octetFrame = (message: Buffer) => Buffer.concat([Buffer.from(`${message.length} `), message]);

/**
 * A TCP frame: octet-counted, or LF-terminated when the message can be (no LF in it, not starting
 * like an octet count or a separator), and where to cut it between two writes (or not). Not empty:
 * RFC 6587's MSG-LEN starts with a non-zero digit, so `0 ` would begin an LF-framed line.
 */
const tcpFrame = (): fc.Arbitrary<{ frame: Buffer; cut: number | undefined }> =>
  fc
    .tuple(
      syslogMessage().filter((message) => message.length > 0),
      fc.boolean(),
      fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    )
    .map(([message, lineFramed, cut]) => {
      const canLineFrame = !message.includes(0x0a) && !/^[0-9\r\0 ]/.test(message.toString('latin1'));
      const frame = lineFramed && canLineFrame ? Buffer.concat([message, Buffer.from('\n')]) : octetFrame(message);
      return { frame, cut: cut === null ? undefined : Math.floor(cut * frame.length) };
    });

/**
 * Raw HTTP request parts; the Host `good` is the daemon's own address, filled in when sent. Two in
 * three requests have it, half have a page's own target: enough get past the first checks.
 */
const httpRequest = () =>
  fc.record({
    method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'OPTIONS', '__proto__', 'get'),
    target: fc.oneof(
      fc.constantFrom(...HOSTILE_URL_TARGETS),
      fc.constantFrom('/', '/history', '/rates', '/sensors', '/rules', '/alert?id=1', '/login', '/ack', '/logout', '/style.css'),
    ),
    host: fc.oneof({ weight: 2, arbitrary: fc.constant<string | undefined>('good') }, fc.constantFrom(...HOSTILE_HOSTS)),
    cookie: fc.option(
      fc.constantFrom(
        '__proto__=x',
        'constructor=1; toString=2',
        'ew_session=__proto__',
        'ew_session=constructor',
        'ew_session=%zz',
        'a=b; a=c; __proto__=',
        `ew_session=${'x'.repeat(3000)}`,
      ),
    ),
    origin: fc.option(fc.constantFrom('http://evil.example', 'null', '__proto__')),
    body: fc.constantFrom(
      '',
      '__proto__[x]=1',
      'csrf=__proto__&id=constructor',
      'id=toString&csrf=',
      'constructor[prototype][x]=1',
      '%zz=%',
      `csrf=${'a'.repeat(5000)}`,
      'a=1&'.repeat(2000),
    ),
  });
type HttpRequestParts = ReturnType<typeof httpRequest> extends fc.Arbitrary<infer T> ? T : never;

function formatHttp(parts: HttpRequestParts, port: number): Buffer {
  const headers = [`${parts.method} ${parts.target} HTTP/1.1`];
  if (parts.host !== undefined) headers.push(`Host: ${parts.host === 'good' ? `127.0.0.1:${port}` : parts.host}`);
  if (parts.cookie !== null) headers.push(`Cookie: ${parts.cookie}`);
  if (parts.origin !== null) headers.push(`Origin: ${parts.origin}`);
  const body = parts.method === 'POST' ? Buffer.from(parts.body) : Buffer.alloc(0);
  if (parts.method === 'POST') headers.push('Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** SNMP packets for the agent: v1/v2c with hostile and with the configured community, v3; as built, truncated, bit-flipped. */
const snmpPacket = () =>
  mutatedPackets(fc.oneof(hostileSnmpV2Message(), hostileSnmpV2Message([COMMUNITY]), hostileSnmpV3Message([Buffer.from(ENGINE_ID, 'hex')]))).filter(
    (packet) => packet.length > 0,
  );

/** FUZZ_INPUTS samples of `arbitrary` from FUZZ_SEED plus a per-protocol offset, so each protocol can be replayed alone. */
function sample<T>(arbitrary: fc.Arbitrary<T>, offset: number): T[] {
  return fc.sample(arbitrary, { numRuns: INPUTS, seed: SEED + offset });
}

// --- senders ------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the protocol should stop: its daemon crashed too often. */
const gaveUp = (daemon: Supervised, crashesBefore: number) => daemon.crashes - crashesBefore >= MAX_CRASHES_PER_PROTOCOL;

/** Datagrams at UDP_PER_SECOND; replies counted. Returns how many were sent. */
async function sendDatagrams(packets: readonly Buffer[], port: number, daemon: Supervised): Promise<{ sent: number; replies: number }> {
  const socket = createSocket('udp4');
  let replies = 0;
  socket.on('message', () => (replies += 1));
  socket.on('error', () => {}); // ICMP unreachable while the daemon restarts
  const crashesBefore = daemon.crashes;
  const perTick = UDP_PER_SECOND / 100;
  let sent = 0;
  const started = performance.now();
  while (sent < packets.length && !gaveUp(daemon, crashesBefore)) {
    await daemon.ready();
    const due = Math.min(packets.length, Math.floor(((performance.now() - started) / 1000) * UDP_PER_SECOND) + perTick);
    while (sent < due) socket.send(packets[sent++]!, port, '127.0.0.1');
    await sleep(10);
  }
  await sleep(500); // the last replies
  socket.close();
  return { sent, replies };
}

/** Writes `chunk`, waiting for the socket to drain; false if the connection failed. */
function write(socket: Socket, chunk: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(false);
    const onClose = () => resolve(false);
    socket.once('close', onClose);
    socket.write(chunk, (error) => {
      socket.off('close', onClose);
      resolve(!error);
    });
  });
}

function open(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

/** One TCP sender: its frames in order, cut where they say; reconnects when the analyzer closes the connection. */
async function sendFrames(
  frames: readonly { frame: Buffer; cut: number | undefined }[],
  port: number,
  daemon: Supervised,
  crashesBefore: number,
): Promise<{ sent: number; reconnects: number }> {
  let socket: Socket | undefined;
  let reconnects = -1;
  let sent = 0;
  for (const { frame, cut } of frames) {
    if (gaveUp(daemon, crashesBefore)) break;
    while (!socket || socket.destroyed) {
      await daemon.ready();
      socket = await open(port);
      reconnects += 1;
      socket?.on('error', () => {});
      socket?.resume(); // nothing comes back; keep the socket flowing
    }
    const pieces = cut === undefined ? [frame] : [frame.subarray(0, cut), frame.subarray(cut)];
    for (const piece of pieces) {
      if (!(await write(socket, piece))) break;
      // A cut frame arrives in two reads: its second piece waits for the next turn of the loop.
      if (cut !== undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    sent += 1;
  }
  socket?.end();
  return { sent, reconnects };
}

/**
 * Reads one HTTP/1.1 response off a keep-alive connection: status line and headers, then a body by
 * Content-Length or chunked (none for HEAD). Resolves the status code, 'closed' or 'timeout'.
 */
class HttpConnection {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<HttpConnection | undefined> {
    const socket = await open(port);
    return socket && new HttpConnection(socket);
  }

  close(): void {
    this.socket.destroy();
  }

  async exchange(request: Buffer, head: boolean): Promise<number | 'closed' | 'timeout'> {
    this.socket.write(request);
    const deadline = performance.now() + HTTP_TIMEOUT_MS;
    for (;;) {
      const status = this.takeResponse(head);
      if (status !== undefined) return status;
      if (this.closed) return 'closed';
      if (performance.now() > deadline) {
        this.close();
        return 'timeout';
      }
      // Until more data, the close, or a look at the deadline.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The status of a complete response at the front of the buffer (removed), or undefined. */
  private takeResponse(head: boolean): number | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const header = (name: string) =>
      lines
        .find((line) => line.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    let bodyEnd: number | undefined = end + 4;
    if (!head && status !== 204 && status !== 304) {
      if (header('transfer-encoding')?.toLowerCase() === 'chunked') bodyEnd = this.chunkedEnd(bodyEnd);
      else bodyEnd += Number(header('content-length') ?? 0);
    }
    if (bodyEnd === undefined || bodyEnd > this.buffer.length) return undefined;
    this.buffer = this.buffer.subarray(bodyEnd);
    return status;
  }

  /** Where a chunked body starting at `offset` ends, or undefined if it has not all arrived. */
  private chunkedEnd(offset: number): number | undefined {
    for (;;) {
      const lineEnd = this.buffer.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(this.buffer.subarray(offset, lineEnd).toString('latin1'), 16);
      offset = lineEnd + 2 + size + 2;
      if (size === 0) return offset;
      if (offset > this.buffer.length) return undefined;
    }
  }
}

/** HTTP_CONNECTIONS keep-alive connections taking requests in turn; a closed one is replaced. */
async function sendHttp(
  requests: readonly HttpRequestParts[],
  daemon: Supervised,
  webPort: () => number,
): Promise<{ sent: number; statuses: Map<string, number> }> {
  const statuses = new Map<string, number>();
  const crashesBefore = daemon.crashes;
  let next = 0;
  const worker = async () => {
    let connection: HttpConnection | undefined;
    while (next < requests.length && !gaveUp(daemon, crashesBefore)) {
      if (!connection || connection.closed) {
        await daemon.ready();
        connection = await HttpConnection.open(webPort());
        if (!connection) continue;
      }
      // Another worker may have taken the last request while this one was opening its connection.
      if (next >= requests.length) break;
      const parts = requests[next++]!;
      const outcome = await connection.exchange(formatHttp(parts, webPort()), parts.method === 'HEAD');
      const key = typeof outcome === 'number' ? String(outcome) : outcome;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    connection?.close();
  };
  await Promise.all(Array.from({ length: HTTP_CONNECTIONS }, worker));
  return { sent: next, statuses };
}

// --- the analyzer's own counts and the canaries -------------------------------------------------------

/** The analyzer's counters (`envirowatch counters --json`), flattened to `ingest.received.udp` → n. */
async function analyzerCounters(config: string): Promise<Map<string, number>> {
  const { stdout } = await cli(['counters', '--json', '--config', config]);
  const flat = new Map<string, number>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') flat.set(path, value);
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
  };
  try {
    walk((JSON.parse(stdout) as { counters: unknown }).counters, '');
  } catch {
    // no counters yet (a restarted analyzer writes them within a second)
  }
  return flat;
}

/**
 * The counters once the analyzer has caught up: they are written every second, and it may still be
 * working through what its sockets hold when the fuzzer is done sending.
 */
async function settledAnalyzerCounters(config: string): Promise<Map<string, number>> {
  let previous = await analyzerCounters(config);
  for (let attempt = 0; attempt < 60; attempt++) {
    await sleep(1100);
    const now = await analyzerCounters(config);
    if (now.get('engine.events') === previous.get('engine.events')) return now;
    previous = now;
  }
  return previous;
}

/** The ingest, engine and web counters that moved between two readings (they restart from 0 with the process). */
function countersMoved(before: Map<string, number>, after: Map<string, number>): string {
  const moved: string[] = [];
  for (const [key, value] of after) {
    if (!/^(ingest|engine|web)\./.test(key) || /^engine\.(pending|keys)/.test(key)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) moved.push(`${key.replace(/^ingest\./, '')} ${delta.toLocaleString('en-US')}`);
  }
  return moved.join(', ') || 'nothing';
}

/** A syslog message over TCP that the canary rule turns into an alert, which the analyzer logs. */
async function analyzerCanary(daemon: Supervised, tcpPort: number): Promise<boolean> {
  await daemon.ready();
  const nonce = `c${Date.now().toString(36)}`;
  const from = daemon.current.logSize();
  const socket = await open(tcpPort);
  if (!socket) return false;
  socket.end(octetFrame(Buffer.from(`<13>Dec  4 10:00:00 fuzz-canary canary: FUZZ-CANARY ${nonce}`)));
  return waitFor(async () => (daemon.current.log(from).includes(nonce) ? true : undefined), 'the canary alert').catch(() => false);
}

/** `snmpget` of the sensor table's first value answers. */
async function agentCanary(port: number): Promise<boolean> {
  const { code, stdout } = await runTool('snmpget', ['-v2c', '-c', COMMUNITY, '-t', '2', '-r', '2', `127.0.0.1:${port}`, SENSOR_VALUE_1]);
  return code === 0 && /INTEGER: -?\d+/.test(stdout);
}

// --- the run ------------------------------------------------------------------------------------------

interface Row {
  readonly protocol: string;
  readonly sent: number;
  readonly crashes: number;
  readonly probe: ProbeReport;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly canary: boolean;
  readonly counts: string;
}

interface Protocol {
  readonly name: string;
  readonly daemon: Supervised;
  /** Sends the inputs; what the fuzzer saw back, for the counts column. */
  fuzz(): Promise<{ sent: number; seen: string }>;
  /** What the daemon itself counted over the run of `fuzz`, given a reading from before. */
  counts: { before(): Promise<unknown>; after(before: unknown): Promise<string> };
  canary(): Promise<boolean>;
}

async function runProtocol(protocol: Protocol, probe: Probe): Promise<Row> {
  const { daemon } = protocol;
  const crashesBefore = daemon.crashes;
  await daemon.ready();
  const rssBefore = rssMb(daemon.pid);
  const countsBefore = await protocol.counts.before();
  await probe.report(); // start the stall figure here
  const started = performance.now();
  process.stdout.write(`${protocol.name}: sending ${INPUTS.toLocaleString('en-US')} inputs ... `);
  const { sent, seen } = await protocol.fuzz();
  const seconds = (performance.now() - started) / 1000;
  const stall = await probe.report();
  const counts = `${await protocol.counts.after(countsBefore)}; seen by the fuzzer: ${seen}`;
  const canary = await protocol.canary();
  await daemon.ready();
  const rssAfter = rssMb(daemon.pid);
  process.stdout.write(`${sent.toLocaleString('en-US')} in ${seconds.toFixed(1)} s; canary ${canary ? 'ok' : 'FAILED'}\n`);
  return { protocol: protocol.name, sent, crashes: daemon.crashes - crashesBefore, probe: stall, rssBefore, rssAfter, canary, counts };
}

function printTable(rows: readonly Row[]): void {
  const header = ['protocol', 'inputs sent', 'crashes', 'max stall ms', 'probes (unanswered)', 'RSS MB before → after', 'canary', "daemon's counts"];
  const cells = rows.map((row) => [
    row.protocol,
    row.sent.toLocaleString('en-US'),
    String(row.crashes),
    row.probe.maxStallMs.toFixed(1),
    `${row.probe.probes} (${row.probe.unanswered})`,
    `${row.rssBefore.toFixed(1)} → ${row.rssAfter.toFixed(1)}${row.crashes > 0 ? ' (restarted)' : ''}`,
    row.canary ? 'ok' : 'FAILED',
    row.counts,
  ]);
  const widths = header.slice(0, -1).map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const line = (cell: readonly string[]) => cell.map((text, i) => (i < widths.length ? text.padEnd(widths[i]!) : text)).join(' | ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-+-')}-+-${'-'.repeat(15)}\n${cells.map(line).join('\n')}\n`);
}

/** Rules of every kind with `${host}` and named-group templates, and the canary's. */
const RULE_LINES = [
  `  - { id: fuzz-anomaly, kind: anomaly, match: { app: "^openvpn$", regex: "user '(?<user>[^']+)' address '(?<ip>[^':]+):\\\\d+' - connected" }, key: "\${user}", value: "\${ip}", learning: 1s }`,
  '  - { id: fuzz-timer, kind: timer, start: { regex: "^LOGON (?<id>\\\\S+)" }, end: { regex: "^LOGOFF (?<id>\\\\S+)" }, key: "${host}/${id}", timeout: 2s }',
  '  - { id: fuzz-eps, kind: eps, match: { app: "^fuzz" }, key: "${host}", interval: 1m, below: 1, above: 1000 }',
  '  - { id: fuzz-event, kind: event, match: { regex: "^ALERT (?<what>\\\\S+)" }, key: "${host}/${what}", suppress: 1s }',
  '  - { id: fuzz-canary, kind: event, match: { regex: "^FUZZ-CANARY (?<nonce>\\\\w+)$" }, key: "${nonce}" }',
];

async function main(): Promise<number> {
  process.stdout.write(`npm run fuzz: FUZZ_SEED=${SEED} FUZZ_INPUTS=${INPUTS} (node ${process.version})\n`);
  const { config, udp, tcp, dir } = await analyzerSetup(RULE_LINES);
  const snmpPort = await freeUdpPort();
  const agentConfig = join(dir, 'agent.yaml');
  await writeFile(
    agentConfig,
    [
      'snmp:',
      '  addresses: [127.0.0.1]',
      `  port: ${snmpPort}`,
      `  communities: [{ name: ${COMMUNITY} }]`,
      `  engineId: "${ENGINE_ID}"`,
      `  v3Users: [${V3_USER}]`,
      '',
    ].join('\n'),
  );

  const rows: Row[] = [];
  /** Stopped however the run ends, so that no daemon outlives it. */
  const running: { stop(): Promise<unknown> }[] = [];
  try {
    // The web page listens on port 0: a restarted analyzer gets a new port, which the probe follows.
    let webPort = 0;
    let retargetWebProbe: (port: number) => void = () => {};
    const analyzer = await Supervised.start('envirowatch analyzer', async () => {
      const started = await startDaemon('analyzer', ['--config', config], join(dir, 'analyzer.log'));
      webPort = Number(/msg="web page" url=http:\/\/127\.0\.0\.1:(\d+)/.exec(started.log())![1]);
      retargetWebProbe(webPort);
      return started;
    });
    const webProbe = Probe.start({ kind: 'http', port: webPort });
    running.push(analyzer, webProbe);
    retargetWebProbe = (port) => webProbe.retarget({ kind: 'http', port });
    const agent = await Supervised.start('envirowatch agent', () => startDaemon('agent', ['--simulate', '--config', agentConfig], join(dir, 'agent.log')));
    const agentProbe = Probe.start({ kind: 'snmp', port: snmpPort });
    running.push(agent, agentProbe);

    const analyzerCounts = {
      // Settled before too: the previous protocol's canary must not count for this one.
      before: () => settledAnalyzerCounters(config),
      after: async (before: unknown) => countersMoved(before as Map<string, number>, await settledAnalyzerCounters(config)),
    };
    const noCounts = (what: () => string) => ({ before: async () => undefined, after: async () => what() });
    const protocols: (Protocol & { probe: Probe })[] = [
      {
        name: 'syslog UDP',
        daemon: analyzer,
        probe: webProbe,
        fuzz: async () => {
          const { sent } = await sendDatagrams(sample(syslogMessage(), 1), udp, analyzer);
          return { sent, seen: 'nothing comes back over UDP' };
        },
        counts: analyzerCounts,
        canary: () => analyzerCanary(analyzer, tcp),
      },
      {
        name: 'syslog TCP',
        daemon: analyzer,
        probe: webProbe,
        fuzz: async () => {
          const frames = sample(tcpFrame(), 2);
          const crashesBefore = analyzer.crashes;
          const share = Math.ceil(frames.length / TCP_CONNECTIONS);
          const results = await Promise.all(
            Array.from({ length: TCP_CONNECTIONS }, (_, i) => sendFrames(frames.slice(i * share, (i + 1) * share), tcp, analyzer, crashesBefore)),
          );
          const sent = results.reduce((sum, r) => sum + r.sent, 0);
          const lineFramed = frames.filter(({ frame }) => frame.at(-1) === 0x0a).length;
          const cut = frames.filter(({ cut }) => cut !== undefined).length;
          const reconnects = results.reduce((sum, r) => sum + r.reconnects, 0);
          return {
            sent,
            seen: `${TCP_CONNECTIONS} connections, ${lineFramed.toLocaleString('en-US')} LF-framed, ${cut.toLocaleString('en-US')} cut, ${reconnects} reconnects`,
          };
        },
        counts: analyzerCounts,
        canary: () => analyzerCanary(analyzer, tcp),
      },
      {
        name: 'HTTP (web page)',
        daemon: analyzer,
        probe: webProbe,
        fuzz: async () => {
          const { sent, statuses } = await sendHttp(sample(httpRequest(), 3), analyzer, () => webPort);
          return {
            sent,
            seen: [...statuses]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([status, n]) => `${status} ${n.toLocaleString('en-US')}`)
              .join(', '),
          };
        },
        counts: analyzerCounts,
        canary: () => analyzerCanary(analyzer, tcp),
      },
      {
        name: 'SNMP (agent)',
        daemon: agent,
        probe: agentProbe,
        fuzz: async () => {
          const { sent, replies } = await sendDatagrams(sample(snmpPacket(), 4), snmpPort, agent);
          return { sent, seen: `${replies.toLocaleString('en-US')} replies` };
        },
        counts: noCounts(() => `the agent's SNMP counters are not exported; "(bug)" lines in its log: ${agent.current.log().split('(bug)').length - 1}`),
        canary: () => agentCanary(snmpPort),
      },
    ];

    for (const protocol of protocols.filter(({ name }) => !ONLY || ONLY.some((part) => name.toLowerCase().includes(part))))
      rows.push(await runProtocol(protocol, protocol.probe));
  } finally {
    await Promise.all(running.map((daemonOrProbe) => daemonOrProbe.stop()));
    await rm(dir, { recursive: true, force: true });
  }
  printTable(rows);
  const failed = rows.filter((row) => row.crashes > 0 || !row.canary);
  process.stdout.write(
    `\nFUZZ_SEED=${SEED}: ${failed.length === 0 ? 'no crashes, every canary answered' : `FAILED: ${failed.map((row) => row.protocol).join(', ')}`}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

if (isMainThread) process.exitCode = await main();
else runProbe(workerData as ProbeTarget);
