/**
 * The one-second writes (the rules' learned state, readings and rates, counters) committed by a
 * worker thread, so the receiving thread never waits for SQLite or its fsync: 40,000 new baseline
 * rows a second took the main thread 100-200 ms a second, and a flood of TCP stalled while they
 * were written.
 *
 * The stores keep their code: they are handed a `Db` whose statements record their arguments
 * instead of running them (`writes`), as bytes (write-batch.ts says why). `flush()` sends what
 * was recorded since the last call to the worker, which runs it in one transaction, in order;
 * reads and `exec` go to the real connection (the stores read only at start). Durability is as before: a kill -9 loses at most
 * the last second plus the commit under way. A batch that fails (disk full, locked) stays in the
 * worker and is retried with the next one, in the same transaction; if the worker dies, the
 * batches it has not reported committed go to a new one, which skips those the database already
 * has: each commit stores its last batch's number (`status` row `writer`, with this writer's run
 * id), since some writes add (`count = count + ?`) and would count twice.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { heapGarbageCollector } from '../../common/heap-garbage.js';
import { startSourceWorker } from '../../common/source-worker.js';
import type { Db } from './database.js';
import { forEachWrite, WriteBatchEncoder, type WriteBatchChunks } from './write-batch.js';

/**
 * The writer's heap after a flood (common/heap-garbage.ts): collected after a commit once it grew by
 * GARBAGE_BYTES (about a second of a flood's batches), and a young generation of
 * YOUNG_GENERATION_MB instead of the process's (two semi-spaces of 16 MB by node's default, 8 with
 * the daemon's flag, launch.ts; grown to in a flood): the rows it decodes live for one statement,
 * so a small one keeps up. With both and the receiving thread's
 * collections (daemon.ts), the daemon's RSS a second after the bench's 1M-line flood was
 * 176.9-203.6 MB against 251.4-305.9 before (src/analyzer/README.md, session 28).
 */
const GARBAGE_BYTES = 16 * 1024 * 1024;
const YOUNG_GENERATION_MB = 4;

/** A flush's writes, encoded by WriteBatchEncoder. */
interface WriteBatch {
  readonly seq: number;
  readonly chunks: WriteBatchChunks;
}

type WorkerReport = { readonly type: 'written'; readonly seq: number } | { readonly type: 'failed'; readonly seq: number; readonly error: string };

/** The worker's code, run from its source text (common/source-worker.ts says what it may use). */
function writerThread(
  load: NodeJS.Require,
  {
    forEachWrite,
    heapGarbageCollector,
  }: { forEachWrite: typeof import('./write-batch.js').forEachWrite; heapGarbageCollector: typeof import('../../common/heap-garbage.js').heapGarbageCollector },
): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const Database = load(workerData.driver as string) as typeof import('better-sqlite3');
  const db = new Database(workerData.file as string);
  // A batch's strings are garbage once committed, and only a full collection frees strings this large.
  const collectGarbage = heapGarbageCollector(load);
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const statements: import('better-sqlite3').Statement[] = [];
  /** Batches received and not yet committed (a failed write is retried with the next). */
  let pending: { seq: number; chunks: string[] }[] = [];
  /** Statements sent and not yet prepared, in order (prepared once, also when a write is retried). */
  const unprepared: string[] = [];
  // The last batch committed, stored with it: a worker replacing a dead one is sent the batches the dead one had not reported.
  const run = workerData.run as string;
  const saved = db.prepare("SELECT value FROM status WHERE name = 'writer'").pluck().get() as string | undefined;
  const [savedRun, savedSeq] = saved?.split(' ') ?? [];
  let committedSeq = savedRun === run ? Number(savedSeq) : 0;
  const saveSeq = db.prepare(
    "INSERT INTO status (name, value, updated) VALUES ('writer', ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated = excluded.updated",
  );
  const runWrite = (statement: number, args: unknown[]) => statements[statement]!.run(...args);
  const commit = db.transaction((batches: { seq: number; chunks: string[] }[]) => {
    for (const { chunks } of batches) forEachWrite(chunks, runWrite);
    saveSeq.run(`${run} ${batches.at(-1)!.seq}`, Date.now());
  });
  parentPort!.on('message', (message: { type: 'write'; seq: number; sqls: string[]; chunks: string[] } | { type: 'close' }) => {
    if (message.type === 'close') {
      db.close();
      parentPort!.close();
      return;
    }
    unprepared.push(...message.sqls);
    if (message.seq <= committedSeq) {
      parentPort!.postMessage({ type: 'written', seq: message.seq });
      return;
    }
    pending.push(message);
    try {
      for (; unprepared.length > 0; unprepared.shift()) statements.push(db.prepare(unprepared[0]!));
      // IMMEDIATE: the daemon's thread writes alerts on its own connection; see daemon.ts raise().
      commit.immediate(pending);
      committedSeq = message.seq;
      pending = [];
      parentPort!.postMessage({ type: 'written', seq: message.seq });
      collectGarbage(workerData.garbageBytes as number);
    } catch (error) {
      parentPort!.postMessage({ type: 'failed', seq: message.seq, error: String(error) });
    }
  });
}

export class BackgroundWriter {
  /** Give this to the stores whose writes go to the worker (SqliteRuleState, SensorData, saveCounters). */
  readonly writes: Db;
  private readonly sqls: string[] = [];
  private readonly statementIndex = new Map<string, number>();
  /** How many of `sqls` the current worker has been sent (it prepares them in order). */
  private sqlsSent = 0;
  private readonly recorded = new WriteBatchEncoder();
  private seq = 0;
  /** Sent and not yet committed: sent again to a new worker if this one dies. */
  private unconfirmed: WriteBatch[] = [];
  private worker: Worker;
  /** Tells this writer's commits from another's (a restarted daemon's numbers start again at 1). */
  private readonly run = randomUUID();
  private closing: Promise<void> | undefined;
  /** Called once nothing sent is left uncommitted (idle()). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: {
      readonly db: Db;
      /** Called when a batch could not be written (it is retried with the next). */
      readonly onFailure: (error: string) => void;
    },
  ) {
    this.writes = this.recordingDb();
    this.worker = this.startWorker();
  }

  /** Sends what the stores wrote since the last call to the worker; nothing when they wrote nothing. */
  flush(): void {
    if (this.recorded.isEmpty) return;
    const batch: WriteBatch = { seq: ++this.seq, chunks: this.recorded.take() };
    this.unconfirmed.push(batch);
    this.send(batch);
  }

  /** A batch to the worker (kept here until committed), with the statements it has not been sent yet. */
  private send(batch: WriteBatch): void {
    this.worker.postMessage({ type: 'write', seq: batch.seq, sqls: this.sqls.slice(this.sqlsSent), chunks: batch.chunks });
    this.sqlsSent = this.sqls.length;
  }

  /** Batches sent and not yet committed (for the counters and the tests). */
  get backlog(): number {
    return this.unconfirmed.length;
  }

  /** Resolves once every batch sent has been committed, or after `timeoutMs` (a failing write is retried, not waited for). */
  idle(timeoutMs: number): Promise<void> {
    if (this.unconfirmed.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends what is left and waits until the worker has committed it and closed its connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.flush();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ type: 'close' });
    });
    return this.closing;
  }

  private startWorker(): Worker {
    const worker = startSourceWorker(
      writerThread,
      { file: this.options.db.name, run: this.run, driver: createRequire(import.meta.url).resolve('better-sqlite3'), garbageBytes: GARBAGE_BYTES },
      { forEachWrite, heapGarbageCollector },
      { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } },
    );
    worker.on('message', (report: WorkerReport) => {
      if (report.type === 'failed') this.options.onFailure(report.error);
      else {
        this.unconfirmed = this.unconfirmed.filter((batch) => batch.seq > report.seq);
        if (this.unconfirmed.length === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      }
    });
    worker.on('error', (error) => this.options.onFailure(`the writer thread failed: ${String(error)}`));
    worker.on('exit', () => {
      if (this.closing) return;
      // A new worker gets every statement and the batches not committed, in order.
      this.worker = this.startWorker();
      this.sqlsSent = 0;
      for (const batch of this.unconfirmed) this.send(batch);
    });
    return worker;
  }

  /** A Db whose statements' `run` records; everything else is the real connection's. */
  private recordingDb(): Db {
    const { db } = this.options;
    const record = (sql: string) => {
      let index = this.statementIndex.get(sql);
      if (index === undefined) {
        index = this.sqls.push(sql) - 1;
        this.statementIndex.set(sql, index);
      }
      return index;
    };
    const writes = {
      prepare: (sql: string) => {
        // Registered for the worker at its first run: statements only read (at start) never go there.
        let index: number | undefined;
        let reader: ReturnType<Db['prepare']> | undefined;
        const read = () => (reader ??= db.prepare(sql));
        return {
          run: (...args: unknown[]) => {
            index ??= record(sql);
            this.recorded.add(index, args);
          },
          all: (...args: unknown[]) => read().all(...args),
          get: (...args: unknown[]) => read().get(...args),
          iterate: (...args: unknown[]) => read().iterate(...args),
          raw: (toggle?: boolean) => read().raw(toggle),
        };
      },
      // The worker commits each flush in one transaction: a store's own transaction is just its function.
      transaction:
        <F extends (...args: never[]) => unknown>(fn: F) =>
        (...args: Parameters<F>) =>
          fn(...args),
      // A kind may create its tables when its store opens (rules/kind.ts).
      exec: (sql: string) => db.exec(sql),
    };
    // The stores use only the members above (test/analyzer/store/background-writer.test.ts runs every kind's store through it).
    return writes as unknown as Db;
  }
}
