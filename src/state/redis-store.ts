/**
 * The shared store: the `Store` contract on Redis, so every gateway node sees the same counters
 * and an attack spread over all nodes looks like one attack.
 *
 * - At most one round trip per batch: `exec` is one EVALSHA of the batch script (redis-batch.ts),
 *   every key under the hash tag `{prefix}` so the batch's keys share a Cluster slot. Batches
 *   of requests decided in the same turn of the event loop share one call (and one socket write
 *   and one reply): under load that saves Redis's per-call cost and the node's syscalls, and at
 *   low load it waits for nothing (setImmediate, right after the poll phase).
 * - `write` (learning after the upstream answered) is buffered and coalesced across requests:
 *   one script call every `flushMs` (default 5 ms) or every `flushOps` operations (default 512),
 *   whichever comes first. It never blocks or fails the caller; a write is visible to other
 *   batches within about `flushMs`, and lost (on Redis, not locally) if that flush fails.
 * - Never rejects for a Redis fault and never waits past the client's `timeoutMs`: a failed or
 *   timed-out call, or a call refused by the open circuit breaker, is answered from the local
 *   fallback, and `health().degraded` says so until a call succeeds again (see degraded-mode.ts
 *   for what `failMode` makes of it). The client reconnects by itself; on reconnection the store
 *   probes Redis and, on success, returns to it at once.
 * - The fallback is kept warm: every batch and write is also applied to the local MemoryStore,
 *   so when Redis fails the node already holds its own share of the recent counts (about a
 *   microsecond per operation; bench/redis-store.ts measures it). The fallback's answers are
 *   used only while degraded.
 *
 * `health().ok` stays true while degraded: the node still answers every request, and a readiness
 * probe that failed on a Redis outage would take every node out of the load balancer at once.
 * It is false once the store is closed.
 */
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { type Clock, systemClock } from './clock.js';
import { type FailMode, type FailModeAware, SILENT_OBSERVER, type StoreObserver } from './degraded-mode.js';
import type { MemoryStore } from './memory-store.js';
import {
  BATCH_SCRIPT,
  type BatchArgs,
  batchHeader,
  checkReply,
  encodeOps,
  encodeTime,
  valuesOf,
} from './redis-batch.js';
import type { RedisClient } from './redis-client.js';
import type { Store, StoreHealth, StoreOp, StoreValue } from './store.js';

export interface RedisStoreOptions {
  /** The store owns the client: it defines the batch command on it and closes it. */
  readonly client: RedisClient;
  /** Key prefix, also the Cluster hash tag: keys are `{prefix}:…`. No braces. */
  readonly prefix: string;
  /** Answers while Redis is unreachable; also kept warm with every batch and write. */
  readonly fallback: MemoryStore;
  /** Default `open`. */
  readonly failMode?: FailMode;
  /** Time for windows and expiry (the same clock as the fallback's). */
  readonly clock?: Clock;
  readonly observer?: StoreObserver;
  readonly breaker?: CircuitBreakerOptions;
  /** Longest a coalesced write waits before it is sent. Default 5 ms. */
  readonly flushMs?: number;
  /** Buffered write operations that trigger a flush at once. Default 512. */
  readonly flushOps?: number;
}

export const REDIS_STORE_DEFAULTS = { failMode: 'open', flushMs: 5, flushOps: 512 } as const;

const NAME = 'redis';
const COMMAND = 'botgateBatch';
const PREFIX_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Operations above which the batches of one event-loop turn are split over several script calls
 * (a single larger batch still goes alone). A script runs atomically: a huge call would stall
 * every other client of Redis and could overrun `timeoutMs` by itself. 256 operations (about 50
 * requests) cost Redis about 1.5 ms.
 */
export const MAX_OPS_PER_CALL = 256;

interface QueuedBatch {
  readonly ops: readonly StoreOp[];
  /** The fallback's answers, already computed: used if Redis does not answer. */
  readonly local: StoreValue[];
  readonly now: number;
  resolve(values: StoreValue[]): void;
  reject(error: unknown): void;
}

interface BatchCommand {
  botgateBatch(base: string, args: BatchArgs): Promise<unknown>;
}

export class RedisStore implements Store, FailModeAware {
  readonly name = NAME;
  readonly failMode: FailMode;
  /** `{prefix}:`: every key starts with it, and its hash tag puts them all in one Cluster slot. */
  readonly keyBase: string;
  private readonly client: RedisClient;
  private readonly batch: BatchCommand;
  private readonly fallback: MemoryStore;
  private readonly clock: Clock;
  private readonly observer: StoreObserver;
  private readonly breaker: CircuitBreaker;
  private readonly flushMs: number;
  private readonly flushOps: number;

  private queued: QueuedBatch[] = [];
  private pending: BatchArgs | null = null;
  private pendingNow = 0;
  private pendingOps = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushing = new Set<Promise<void>>();

  private degraded = true;
  /** What the observer was last told, so it hears transitions only (startup is not one). */
  private announced = false;
  private closed = false;
  /** True while the health detail already says the breaker is refusing calls. */
  private refusing = false;
  private lastError = 'connecting to Redis';
  private current: StoreHealth = { ok: true, degraded: true, detail: 'connecting to Redis' };
  private readyWaiters: ((ready: boolean) => void)[] = [];

  constructor(options: RedisStoreOptions) {
    if (!PREFIX_PATTERN.test(options.prefix)) {
      throw new RangeError(
        `Cannot use Redis key prefix: expected 1 to 64 letters, digits, ".", "_", ":" or "-" (received "${options.prefix}")`,
      );
    }
    this.client = options.client;
    this.keyBase = `{${options.prefix}}:`;
    this.fallback = options.fallback;
    this.failMode = options.failMode ?? REDIS_STORE_DEFAULTS.failMode;
    this.clock = options.clock ?? systemClock;
    this.observer = options.observer ?? SILENT_OBSERVER;
    this.breaker = new CircuitBreaker(options.breaker);
    this.flushMs = options.flushMs ?? REDIS_STORE_DEFAULTS.flushMs;
    this.flushOps = options.flushOps ?? REDIS_STORE_DEFAULTS.flushOps;

    this.client.defineCommand(COMMAND, { numberOfKeys: 1, lua: BATCH_SCRIPT });
    this.batch = this.client as unknown as BatchCommand;
    this.client.on('error', (error: unknown) => {
      this.lastError = describeError(error);
    });
    this.client.on('close', () => {
      if (this.closed) return;
      this.enterDegraded(`connection to Redis lost (${this.lastError})`);
      this.releaseWaiters(false);
    });
    this.client.on('ready', () => this.probe());
    if (this.client.status === 'ready') this.probe();
  }

  /**
   * Resolves true once Redis has answered; false if a connection attempt fails first (refused,
   * reset) or nothing is heard within `timeoutMs`. The store is usable either way, degraded
   * until Redis answers.
   */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (!this.degraded) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        // Silence is an outage too (a black-holed address): say so, so metrics and logs agree.
        if (this.degraded && !this.closed) this.enterDegraded(`no answer from Redis within ${timeoutMs} ms`);
        resolve(false);
      }, timeoutMs);
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        resolve(ready);
      };
      this.readyWaiters.push(done);
    });
  }

  exec(ops: readonly StoreOp[]): Promise<StoreValue[]> {
    let local: StoreValue[];
    try {
      // Also validates the batch: a malformed one rejects here, as on the memory store.
      local = this.fallback.execSync(ops);
    } catch (error) {
      return Promise.reject(error);
    }
    if (ops.length === 0 || this.closed) return Promise.resolve(local);
    const now = this.clock.now();
    return new Promise((resolve, reject) => {
      if (this.queued.length === 0) setImmediate(this.sendQueued);
      this.queued.push({ ops, local, now, resolve, reject });
    });
  }

  write(ops: readonly StoreOp[]): void {
    if (ops.length === 0) return;
    try {
      this.fallback.write(ops);
    } catch {
      return; // malformed: the memory store refused it, so would the script
    }
    if (this.closed) return;
    const now = this.clock.now();
    let args = this.pending;
    if (args === null) {
      args = this.pending = batchHeader(now, false);
      this.pendingNow = now;
      this.pendingOps = 0;
    } else if (now !== this.pendingNow) {
      encodeTime(now, args);
      this.pendingNow = now;
    }
    const mark = args.length;
    try {
      encodeOps(ops, args);
    } catch {
      args.length = mark; // keep the buffer well formed; this write stays local only
      return;
    }
    this.pendingOps += ops.length;
    if (this.pendingOps >= this.flushOps) this.flush();
    else if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
      this.flushTimer.unref();
    }
  }

  health(): StoreHealth {
    return this.current;
  }

  /** Sends buffered writes, waits for writes in flight (bounded by the call budget), closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.current = { ok: false, degraded: this.degraded, detail: 'closed' };
    await Promise.all(this.flushing);
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
    this.releaseWaiters(false);
  }

  /**
   * Sends the batches queued during this turn of the event loop, as few script calls as the
   * per-call cap allows (usually one). Runs from setImmediate, right after the poll phase that
   * parsed the requests, so it adds no waiting: it only shares a socket write, a script call
   * and a reply among requests that were ready at the same moment.
   */
  private readonly sendQueued = (): void => {
    // Learnt writes still buffered go first, on the same connection, so Redis applies them
    // before these batches read: a page view learnt 2 ms ago is seen by the login after it. It
    // is pipelined with the batch, not awaited, so a request still waits for one round trip.
    this.flush();
    const queue = this.queued;
    this.queued = [];
    let start = 0;
    while (start < queue.length) {
      let end = start + 1;
      let operations = queue[start]!.ops.length;
      while (end < queue.length && operations + queue[end]!.ops.length <= MAX_OPS_PER_CALL) {
        operations += queue[end]!.ops.length;
        end++;
      }
      this.send(start === 0 && end === queue.length ? queue : queue.slice(start, end));
      start = end;
    }
  };

  private send(group: QueuedBatch[]): void {
    if (!this.breaker.allow()) {
      this.breakerRefused();
      for (const batch of group) batch.resolve(batch.local);
      return;
    }
    let now = group[0]!.now;
    const args = batchHeader(now, true);
    const sent: QueuedBatch[] = [];
    for (const batch of group) {
      const mark = args.length;
      const before = now;
      try {
        if (batch.now !== now) {
          now = batch.now;
          encodeTime(now, args);
        }
        encodeOps(batch.ops, args);
        sent.push(batch);
      } catch (error) {
        args.length = mark; // keep the call well formed without this batch
        now = before;
        batch.reject(error);
      }
    }
    if (sent.length === 0) return;
    this.batch.botgateBatch(this.keyBase, args).then(
      (reply) => this.answer(sent, reply),
      (error: unknown) => {
        this.failed(error);
        for (const batch of sent) batch.resolve(batch.local);
      },
    );
  }

  private answer(group: readonly QueuedBatch[], reply: unknown): void {
    let operations = 0;
    for (const batch of group) operations += batch.ops.length;
    let values: unknown[];
    try {
      values = checkReply(reply, operations);
    } catch (error) {
      this.failed(error);
      for (const batch of group) batch.resolve(batch.local);
      return;
    }
    this.succeeded();
    let offset = 0;
    for (const batch of group) {
      batch.resolve(valuesOf(batch.ops, values, offset));
      offset += batch.ops.length;
    }
  }

  private flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const args = this.pending;
    if (args === null) return;
    this.pending = null;
    if (!this.breaker.allow()) {
      this.breakerRefused(); // dropped on Redis only: the fallback already holds these writes
      return;
    }
    const sent: Promise<void> = this.batch.botgateBatch(this.keyBase, args).then(
      () => {
        this.succeeded();
        this.flushing.delete(sent);
      },
      (error: unknown) => {
        this.failed(error);
        this.flushing.delete(sent);
      },
    );
    this.flushing.add(sent);
  }

  /** Checks Redis after a (re)connection and loads the script, so the next batch needs no EVAL. */
  private probe(): void {
    this.breaker.probeNow();
    this.client.script('LOAD', BATCH_SCRIPT).then(
      () => this.succeeded(),
      (error: unknown) => this.failed(error),
    );
  }

  private succeeded(): void {
    this.breaker.success();
    if (!this.degraded || this.closed) return;
    this.degraded = false;
    this.current = { ok: true, degraded: false, detail: 'answering from Redis' };
    if (this.announced) {
      this.announced = false;
      this.observer.degraded(NAME, false, 'Redis answers again; deciding on shared state');
    }
    this.releaseWaiters(true);
  }

  private releaseWaiters(ready: boolean): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter(ready);
  }

  private failed(error: unknown): void {
    this.breaker.failure();
    this.lastError = describeError(error);
    this.observer.error(NAME, error);
    if (!this.closed) this.enterDegraded(`Redis call failed (${this.lastError})`);
  }

  /** Called on every refused call while the breaker is open: no work once the health says so. */
  private breakerRefused(): void {
    if (this.degraded && this.refusing) return;
    this.enterDegraded(`circuit open after repeated Redis failures (last: ${this.lastError})`);
    this.refusing = true;
  }

  private enterDegraded(why: string): void {
    this.refusing = false;
    const detail = `${why}; deciding on this node's local state (failMode ${this.failMode})`;
    if (this.degraded && this.current.detail === detail) return;
    this.degraded = true;
    this.current = { ok: !this.closed, degraded: true, detail };
    if (!this.announced) {
      this.announced = true;
      this.observer.degraded(NAME, true, detail);
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
