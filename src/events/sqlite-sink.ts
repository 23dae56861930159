/**
 * Events in a local SQLite file: the embedded default, readable back by the admin API, the
 * console and `botgate report`. The file's schema, writes and queries are SqliteArchive
 * (sqlite-archive.ts); this sink runs it in a worker thread of its own.
 *
 * Why a thread: better-sqlite3 is synchronous. A batch of 1 000 events costs tens of milliseconds
 * (bench/report.ts, the indexes the report needs included) and a week's report on a million events
 * a couple of seconds; on the gateway's thread either would stall every request in flight. Here a
 * write costs the gateway the copy of the batch into the thread, and a slow query delays only the
 * console. Calls are answered in order; the thread keeps the process alive only while a call is
 * pending, so an idle sink never holds up exit (the recorder's close() flushes first).
 *
 * If the thread dies (a crash in the native module, an out-of-memory in the thread, a fault
 * injected by a test), the calls in flight fail with an error naming the file, and the next
 * call starts a new thread on the same file: the recorder keeps the failed batch in its
 * bounded backlog and retries it with back-off, so events written meanwhile are not lost
 * (test/events/sqlite-thread-death.test.ts). A batch the dead thread had committed but
 * not acknowledged is written again, which the archive ignores (ids are unique).
 *
 * The file is opened once on the calling thread at construction, so a bad path, a file that is not
 * a database or one written by a newer botgate fails there with one clear error, and migrations
 * have run before the first write. An in-memory database (`:memory:`) is not supported: the check
 * and the thread would each see their own.
 */
import { Worker } from 'node:worker_threads';
import type { DecisionEvent } from './event.js';
import type {
  AccountCounts,
  DecisionCount,
  EventArchive,
  EventCriteria,
  EventSink,
  SeriesPoint,
  SourceCount,
  SourceKey,
  TimeRange,
} from './sink.js';
import { SqliteArchive } from './sqlite-archive.js';
import type { ArchiveAnswer, ArchiveOp } from './sqlite-thread.js';

export { rangeEdges, SQLITE_SCHEMA_VERSION, TRANSITION_LOOKBACK_MS } from './sqlite-archive.js';

const THREAD = new URL('./sqlite-thread.mjs', import.meta.url);

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class SqliteEventSink implements EventSink, EventArchive {
  readonly name = 'sqlite';
  readonly path: string;
  /** The thread, or null after it died (it is started again by the next call). */
  private worker: Worker | null;
  private threadsRestarted = 0;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped: Error | null = null;
  private closing: Promise<void> | null = null;

  /** Opens or creates the file and brings its schema up to date; throws one clear error if it cannot. */
  constructor(path: string) {
    this.path = path;
    new SqliteArchive(path).close();
    this.worker = this.startThread();
  }

  /** Threads started after one died (each death also failed the calls it had in flight). */
  get restarts(): number {
    return this.threadsRestarted;
  }

  /** The whole batch in one transaction: all rows are stored or none. */
  async write(batch: readonly DecisionEvent[]): Promise<void> {
    await this.call('write', batch);
  }

  get(id: string): Promise<DecisionEvent | undefined> {
    return this.call('get', id) as Promise<DecisionEvent | undefined>;
  }

  recent(limit: number): Promise<DecisionEvent[]> {
    return this.call('recent', limit) as Promise<DecisionEvent[]>;
  }

  search(criteria: EventCriteria): Promise<DecisionEvent[]> {
    return this.call('search', criteria) as Promise<DecisionEvent[]>;
  }

  decisionCounts(range: TimeRange): Promise<DecisionCount[]> {
    return this.call('decisionCounts', range) as Promise<DecisionCount[]>;
  }

  accountCounts(range: TimeRange): Promise<AccountCounts> {
    return this.call('accountCounts', range) as Promise<AccountCounts>;
  }

  series(range: TimeRange, bucketMs: number): Promise<SeriesPoint[]> {
    return this.call('series', range, bucketMs) as Promise<SeriesPoint[]>;
  }

  topSources(
    range: TimeRange,
    key: SourceKey,
    limit: number,
    order: 'requests' | 'attacks' = 'requests',
  ): Promise<SourceCount[]> {
    return this.call('topSources', range, key, limit, order) as Promise<SourceCount[]>;
  }

  attackModeTransitions(range: TimeRange): Promise<DecisionEvent[]> {
    return this.call('attackModeTransitions', range) as Promise<DecisionEvent[]>;
  }

  /**
   * Closes the file (after the calls already made), then ends the thread. The thread is
   * terminated rather than left to drain: tsx's loader keeps a worker's event loop alive.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stopped !== null) return;
      const worker = this.worker;
      if (worker !== null) await this.call('close').catch(() => {});
      this.stopped = new Error(`The SQLite event sink is closed (file "${this.path}")`);
      this.worker = null;
      await worker?.terminate();
    })();
    return this.closing;
  }

  private call(op: ArchiveOp, ...args: unknown[]): Promise<unknown> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    if (this.worker === null) {
      this.threadsRestarted++;
      this.worker = this.startThread();
    }
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  }

  private startThread(): Worker {
    const worker = new Worker(THREAD, { workerData: { path: this.path } });
    worker.unref();
    worker.on('message', (answer: ArchiveAnswer) => {
      const call = this.pending.get(answer.id);
      if (call === undefined) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in answer) call.reject(new Error(answer.error));
      else call.resolve(answer.value);
    });
    worker.on('error', (error) =>
      this.threadDied(worker, new Error(`The SQLite event thread failed: ${error.message} (file "${this.path}")`)),
    );
    worker.on('exit', () =>
      this.threadDied(worker, new Error(`The SQLite event thread stopped (file "${this.path}")`)),
    );
    return worker;
  }

  /** Fails the calls in flight; the next call starts a new thread (none after close). */
  private threadDied(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
