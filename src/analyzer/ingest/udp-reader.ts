/**
 * The UDP socket read on a thread of its own, so that datagrams keep being taken from the kernel
 * while the receiving thread is busy (garbage collection, a one-second write, a burst of alerts):
 * the kernel's receive buffer is capped by net.core.rmem_max (208 KiB by default, a few ms at
 * 100,000 msg/s), and at that rate pauses of the main thread longer than that lost datagrams.
 *
 * The worker only reads: it copies datagrams into a batch (one transferred buffer with their
 * bytes, one of offsets, the senders once per batch) and posts it every millisecond or when
 * full; the main thread decodes, parses and counts them as before. What is posted and not yet
 * handled is bounded (`queueBytes`, each datagram counted with OVERHEAD_BYTES more): beyond it the
 * worker drops datagrams and counts them (`queueDrops`), as the kernel would with a full buffer.
 * Oversize datagrams are not copied, only announced (their length), so the main thread counts and
 * logs them as before.
 *
 * The thread runs at a higher priority than the rest of the daemon (`nice`, -10 by default): it needs
 * little CPU (about 4 µs a datagram, most of it node's own receiving), but it needs it at once. With
 * every thread at the same priority, a machine whose cores were all busy (the receiving thread
 * catching up, garbage collection, the sender) left it waiting long enough for the kernel's buffer
 * to fill: `npm run bench:analyzer`'s 100,000 datagrams a second on 2 cores lost some in 8 of 40
 * runs, with the socket's queue up to 7.1 MB; at nice -10, none in 20, the queue at most 3.7 MB
 * (src/analyzer/README.md). rsyslog's imudp offers the same for its input threads (SchedulingPriority).
 */
import { isAscii } from 'node:buffer';
import type { Worker } from 'node:worker_threads';
import { startSourceWorker } from '../../common/source-worker.js';

/** One batch: datagram i is `data[meta[3i] .. +meta[3i+1]]` (a negative length: oversize, not copied), from sender `meta[3i+2]`. */
export interface UdpBatch {
  readonly type: 'batch';
  readonly data: ArrayBuffer;
  readonly meta: Int32Array;
  readonly count: number;
  /** Per sender: `address:port` (`[address]:port` for IPv6) and the address alone. */
  readonly sources: readonly string[];
  readonly hosts: readonly string[];
  /** Bytes this batch counts against the queue's bound, given back once it is handled. */
  readonly queued: number;
}

type ReaderMessage =
  | UdpBatch
  | { readonly type: 'listening'; readonly port: number; readonly recvBufferSize: number; readonly niceError: string | undefined }
  | { readonly type: 'bindError'; readonly code: string | undefined; readonly message: string }
  | { readonly type: 'socketError'; readonly message: string }
  | { readonly type: 'closed' };

export interface UdpReaderOptions {
  readonly address: string;
  readonly port: number;
  readonly recvBufferSize: number;
  readonly maxMessageBytes: number;
  readonly queueBytes: number;
  /** The reading thread's nice value (-20 .. 19); null: the process's. */
  readonly nice: number | null;
}

/** The worker's code, run from its source text (common/source-worker.ts says what it may use). */
function udpReaderThread(load: NodeJS.Require): void {
  /** What each datagram counts against the queue's bound beyond its bytes: its offsets and sender in the batch, and the main thread's event for it while it waits. */
  const OVERHEAD_BYTES = 64;
  /** A batch is posted when it holds this many datagrams or bytes, else a millisecond after its first datagram. */
  const BATCH_DATAGRAMS = 1024;
  const BATCH_BYTES = 256 * 1024;
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const { createSocket } = load('node:dgram') as typeof import('node:dgram');
  const { isIPv6 } = load('node:net') as typeof import('node:net');
  const options = workerData.options as UdpReaderOptions;
  /** Why the thread's priority could not be set (EACCES: neither CAP_SYS_NICE nor an RLIMIT_NICE allowing it). */
  let niceError: string | undefined;
  if (options.nice !== null)
    try {
      // Process 0 is the calling thread: Linux keeps a nice value per thread, and setpriority's
      // PRIO_PROCESS with who 0 sets `current`'s (kernel/sys.c; setpriority(2), NOTES).
      (load('node:os') as typeof import('node:os')).setPriority(0, options.nice);
    } catch (error) {
      // A SystemError: the errno's name is in `info` (`code` is ERR_SYSTEM_ERROR).
      niceError = (error as { info?: { code?: string } }).info?.code ?? String(error);
    }
  /** [bytes handled by the main thread, datagrams dropped here]: shared, so a busy main thread need not answer. */
  const shared = workerData.shared as BigInt64Array;
  const port = parentPort!;
  const ipv6 = isIPv6(options.address);
  const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', ipv6Only: ipv6, recvBufferSize: options.recvBufferSize });
  let queuedTotal = 0;
  let dropped = 0;
  const data = new Uint8Array(BATCH_BYTES);
  let used = 0;
  const meta = new Int32Array(3 * BATCH_DATAGRAMS);
  let count = 0;
  let queued = 0;
  let senders = new Map<string, Map<number, number>>();
  let sources: string[] = [];
  let hosts: string[] = [];
  let timer: NodeJS.Timeout | undefined;

  const post = () => {
    clearTimeout(timer);
    timer = undefined;
    if (count === 0) return;
    // Copies of what the batch used are transferred; the scratch buffers stay here for the next
    // batch (rather than a new 256 KiB buffer per batch, mostly unused).
    const batch: UdpBatch = { type: 'batch', data: data.slice(0, used).buffer, meta: meta.slice(0, 3 * count), count, sources, hosts, queued };
    port.postMessage(batch, [batch.data, batch.meta.buffer as ArrayBuffer]);
    [used, count, queued] = [0, 0, 0];
    [senders, sources, hosts] = [new Map(), [], []];
  };

  const senderIndex = (address: string, remotePort: number, family: string) => {
    let ports = senders.get(address);
    if (!ports) senders.set(address, (ports = new Map()));
    let index = ports.get(remotePort);
    if (index === undefined) {
      index = sources.push(`${family === 'IPv6' ? `[${address}]` : address}:${remotePort}`) - 1;
      hosts.push(address);
      ports.set(remotePort, index);
    }
    return index;
  };

  socket.on('message', (message, remote) => {
    const oversize = message.length > options.maxMessageBytes;
    const cost = (oversize ? 0 : message.length) + OVERHEAD_BYTES;
    if (queuedTotal + cost - Number(Atomics.load(shared, 0)) > options.queueBytes) {
      Atomics.store(shared, 1, BigInt(++dropped));
      return;
    }
    // A datagram (at most 65,535 bytes) always fits an empty batch.
    if (!oversize && used + message.length > data.length) post();
    const at = 3 * count++;
    meta[at] = used;
    meta[at + 1] = oversize ? -message.length : message.length;
    meta[at + 2] = senderIndex(remote.address, remote.port, remote.family);
    if (!oversize) {
      data.set(message, used);
      used += message.length;
    }
    queued += cost;
    queuedTotal += cost;
    if (count === BATCH_DATAGRAMS) post();
    else timer ??= setTimeout(post, 1);
  });
  socket.once('error', (error: NodeJS.ErrnoException) => port.postMessage({ type: 'bindError', code: error.code, message: error.message }));
  socket.bind(options.port, options.address, () => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => port.postMessage({ type: 'socketError', message: String(error) }));
    port.postMessage({ type: 'listening', port: socket.address().port, recvBufferSize: socket.getRecvBufferSize(), niceError });
  });
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    socket.close(() => {
      post();
      port.postMessage({ type: 'closed' });
      port.close();
    });
  });
}

/**
 * The main thread's side: starts the worker, hands each datagram of each batch to `onDatagram`
 * (the batch's bytes and where the datagram starts, or undefined for an oversize one, with its
 * length; whether the whole batch is ASCII, checked once), and gives the queue room back.
 */
export class UdpReader {
  private readonly shared = new BigInt64Array(new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT));
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;
  /** The port bound (the one asked for, or the one port 0 got): a restarted worker binds it again. */
  private boundPort: number;

  constructor(
    private readonly options: UdpReaderOptions,
    private readonly handlers: {
      readonly onDatagram: (bytes: Buffer | undefined, start: number, length: number, ascii: boolean, source: string, host: string) => void;
      /** The socket failed after binding, or the worker died (a bug; a new one is started). */
      readonly onError: (message: string) => void;
    },
  ) {
    this.boundPort = options.port;
  }

  /** Binds; resolves with the port, the receive buffer the kernel granted (as getRecvBufferSize says) and why the thread's nice could not be set, if it could not. */
  start(): Promise<{ port: number; recvBufferSize: number; niceError: string | undefined }> {
    return new Promise((resolve, reject) => {
      const worker = startSourceWorker(udpReaderThread, { options: { ...this.options, port: this.boundPort }, shared: this.shared });
      this.worker = worker;
      let listening = false;
      worker.on('message', (message: ReaderMessage) => {
        switch (message.type) {
          case 'batch':
            return this.handle(message);
          case 'listening':
            listening = true;
            this.boundPort = message.port;
            return resolve(message);
          case 'bindError':
            void worker.terminate();
            return reject(Object.assign(new Error(message.message), { code: message.code }));
          case 'socketError':
            return this.handlers.onError(message.message);
        }
      });
      worker.on('error', (error) => (listening ? this.handlers.onError(`the UDP reader thread failed: ${String(error)}`) : reject(error)));
      worker.on('exit', () => {
        if (!listening || this.closing) return;
        // A bug in the worker: a new one reads on (the port is free again once the old thread is gone).
        this.handlers.onError('the UDP reading thread stopped; a new one started');
        this.start().catch((error: unknown) => this.handlers.onError(`the UDP reader thread could not be restarted: ${String(error)}`));
      });
    });
  }

  /** Datagrams dropped because the main thread had `queueBytes` waiting. */
  get queueDrops(): number {
    return Number(Atomics.load(this.shared, 1));
  }

  /** Closes the socket; resolves once every datagram read before has been handed over. Idempotent. */
  close(): Promise<void> {
    const worker = this.worker;
    this.closing ??= !worker
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          worker.on('message', (message: ReaderMessage) => message.type === 'closed' && resolve());
          worker.once('exit', () => resolve());
          worker.postMessage({ type: 'close' });
        });
    return this.closing;
  }

  private handle(batch: UdpBatch): void {
    const { meta, sources, hosts } = batch;
    // One view of the batch, checked for ASCII once: no Buffer and no check per datagram.
    const data = Buffer.from(batch.data);
    const ascii = isAscii(data);
    try {
      for (let i = 0; i < batch.count; i++) {
        const length = meta[3 * i + 1]!;
        const sender = meta[3 * i + 2]!;
        this.handlers.onDatagram(length < 0 ? undefined : data, meta[3 * i]!, Math.abs(length), ascii, sources[sender]!, hosts[sender]!);
      }
    } finally {
      Atomics.add(this.shared, 0, BigInt(batch.queued));
    }
  }
}
