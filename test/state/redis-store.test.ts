/**
 * The Redis store against real Redis: the shared contract (same suite as the memory store, on a
 * ManualClock), one round trip per batch and coalesced writes (counted by a private redis-server's
 * INFO commandstats), and failover (a private redis-server killed, paused and restarted).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import type { StoreObserver } from '../../src/state/degraded-mode.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { createRedisClient } from '../../src/state/redis-client.js';
import { RedisStore, type RedisStoreOptions } from '../../src/state/redis-store.js';
import type { Store, StoreOp } from '../../src/state/store.js';
import {
  deletePrefix,
  freePort,
  type RedisProcess,
  randomPrefix,
  SHARED_REDIS_URL,
  startRedis,
} from './redis-process.js';
import { describeStoreContract } from './store-contract.js';

const START = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

type Options = Partial<Omit<RedisStoreOptions, 'client' | 'fallback' | 'prefix' | 'clock'>> & { timeoutMs?: number };

/** A RedisStore on its own prefix; `close()` also deletes the prefix's keys. */
async function openStore(
  url: string,
  clock: ManualClock,
  options: Options = {},
): Promise<{ store: RedisStore; prefix: string; close(): Promise<void> }> {
  const prefix = randomPrefix();
  const { timeoutMs = 50, ...rest } = options;
  const store = new RedisStore({
    client: createRedisClient({ url, timeoutMs }),
    prefix,
    fallback: new MemoryStore({ maxEntries: 10_000, clock }),
    clock,
    ...rest,
  });
  await store.waitUntilReady(2_000);
  return {
    store,
    prefix,
    async close() {
      await store.close();
      await deletePrefix(url, prefix).catch(() => {});
    },
  };
}

/** Deletes the store's keys when the contract suite closes it. */
function cleaningUp(opened: { store: RedisStore; close(): Promise<void> }): Store {
  const { store } = opened;
  return {
    name: store.name,
    exec: (ops) => store.exec(ops),
    write: (ops) => store.write(ops),
    health: () => store.health(),
    close: () => opened.close(),
  };
}

// A generous budget: the contract checks semantics, and a timed-out call (on a busy 2-core
// machine) would be answered by the local fallback, whose sketches are coarser.
describeStoreContract('redis', async (clock) => {
  const opened = await openStore(SHARED_REDIS_URL, clock, { timeoutMs: 2_000 });
  if (opened.store.health().degraded) {
    await opened.close();
    throw new Error(
      `Cannot run the Redis store tests: no Redis answers at ${SHARED_REDIS_URL} (start redis-server or set REDIS_URL)`,
    );
  }
  return cleaningUp(opened);
});

/** A typical request batch: counters for the IP and its /24, users per IP, the deny flag, a nonce. */
function requestBatch(i: number): StoreOp[] {
  const ip = `203.0.113.${i % 200}`;
  return [
    { kind: 'hit', key: `ip:${ip}`, windowMs: MINUTE },
    { kind: 'hit', key: 'net:203.0.113', windowMs: MINUTE },
    { kind: 'distinct', key: `users:${ip}`, windowMs: 10 * MINUTE, member: `u${i % 7}` },
    { kind: 'flagGet', key: `deny:${ip}` },
    { kind: 'claim', key: `nonce:${i}`, ttlMs: MINUTE },
  ];
}

function recordingObserver(): StoreObserver & { errors: number; transitions: boolean[]; details: string[] } {
  const seen = {
    errors: 0,
    transitions: [] as boolean[],
    details: [] as string[],
    error() {
      seen.errors++;
    },
    degraded(_store: string, degraded: boolean, detail: string) {
      seen.transitions.push(degraded);
      seen.details.push(detail);
    },
  };
  return seen;
}

describe('RedisStore on a private redis-server', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.kill();
  });

  describe('round trips', () => {
    let clock: ManualClock;
    let opened: Awaited<ReturnType<typeof openStore>>;
    beforeAll(async () => {
      clock = new ManualClock(START);
      // A generous budget: MONITOR slows Redis down, and these tests count calls, not time.
      opened = await openStore(redis.url, clock, { flushMs: 20, timeoutMs: 1_000 });
    });
    afterAll(async () => {
      await opened.close();
    });

    it('sends each exec as one script call, and the execs of one event-loop turn as one together', async () => {
      const { store } = opened;
      await store.exec(requestBatch(0)); // loads the script on this connection if the probe has not
      const monitor = await redis.monitor();
      for (let i = 1; i <= 100; i++) {
        const values = await store.exec(requestBatch(i));
        expect(values).toHaveLength(5);
      }
      await vi.waitFor(() => expect(monitor.commands).toHaveLength(100));
      // Requests decided in the same turn share one call; each still gets its own values.
      const together = await Promise.all(Array.from({ length: 50 }, (_, i) => store.exec(requestBatch(101 + i))));
      expect(together.map((values) => values[4])).toEqual(Array.from({ length: 50 }, () => true)); // fresh nonces
      expect(together[0]![1]).toBe(101 + 1); // the /24 counter: 101 hits before, then the first of the 50
      expect(together[49]![1]).toBe(101 + 50);
      await vi.waitFor(() => expect(monitor.commands).toHaveLength(101));
      // Past MAX_OPS_PER_CALL (256) operations a turn's batches are split: 60 × 5 = 51 + 9 batches.
      await Promise.all(Array.from({ length: 60 }, (_, i) => store.exec(requestBatch(200 + i))));
      await vi.waitFor(() => expect(monitor.commands).toHaveLength(103));
      monitor.stop();
      expect(new Set(monitor.commands)).toEqual(new Set(['evalsha']));
      expect(store.health().degraded).toBe(false);
    });

    it('answers from Redis, not from the local fallback', async () => {
      // A second store on the same prefix has its own fallback: only Redis can share the count.
      const other = new RedisStore({
        client: createRedisClient({ url: redis.url, timeoutMs: 50 }),
        prefix: opened.prefix,
        fallback: new MemoryStore({ maxEntries: 100, clock }),
        clock,
      });
      await other.waitUntilReady(2_000);
      await opened.store.exec([{ kind: 'hit', key: 'shared', windowMs: MINUTE, by: 5 }]);
      expect(await other.exec([{ kind: 'hit', key: 'shared', windowMs: MINUTE }])).toEqual([6]);
      expect(await other.exec([{ kind: 'claim', key: 'shared-nonce', ttlMs: MINUTE }])).toEqual([true]);
      expect(await opened.store.exec([{ kind: 'claim', key: 'shared-nonce', ttlMs: MINUTE }])).toEqual([false]);
      await other.close();
    });

    it('coalesces writes from many requests into one script call', async () => {
      const { store } = opened;
      const monitor = await redis.monitor();
      for (let i = 0; i < 200; i++) store.write([{ kind: 'hit', key: 'learned', windowMs: MINUTE }]);
      await vi.waitFor(() => expect(monitor.commands).toEqual(['evalsha']));
      expect(await store.exec([{ kind: 'peek', key: 'learned', windowMs: MINUTE }])).toEqual([200]);
      await vi.waitFor(() => expect(monitor.commands).toEqual(['evalsha', 'evalsha']));
      monitor.stop();
    });

    it('flushes at once when the buffer holds flushOps operations', async () => {
      const { store } = opened;
      const monitor = await redis.monitor();
      // 1 200 operations: two full buffers of 512 sent at once, the remaining 176 on the timer.
      for (let i = 0; i < 600; i++) {
        store.write([
          { kind: 'hit', key: 'bulk', windowMs: MINUTE },
          { kind: 'distinct', key: 'bulk-users', windowMs: MINUTE, member: `u${i}` },
        ]);
      }
      await vi.waitFor(() => expect(monitor.commands).toEqual(['evalsha', 'evalsha', 'evalsha']));
      monitor.stop();
      const [count, users] = await store.exec([
        { kind: 'peek', key: 'bulk', windowMs: MINUTE },
        { kind: 'distinct', key: 'bulk-users', windowMs: MINUTE },
      ]);
      expect(count).toBe(600);
      expect(Math.abs((users as number) - 600)).toBeLessThanOrEqual(15);
    });

    it('applies each coalesced write at the time it was made', async () => {
      const { store } = opened;
      store.write([{ kind: 'hit', key: 'timed', windowMs: MINUTE, by: 7 }]);
      clock.advance(MINUTE + 15_000); // the next window, 25 % in
      store.write([{ kind: 'hit', key: 'timed', windowMs: MINUTE }]);
      // Both writes travel in one flush; the first still counts in the previous window.
      await vi.waitFor(async () => {
        expect(await store.exec([{ kind: 'peek', key: 'timed', windowMs: MINUTE }])).toEqual([1 + 5]);
      });
    });

    it('rejects a malformed batch without calling Redis or degrading', async () => {
      const { store } = opened;
      const monitor = await redis.monitor();
      await expect(store.exec([{ kind: 'incr', key: 'a' } as unknown as StoreOp])).rejects.toThrow(/unknown kind/);
      await expect(store.exec([{ kind: 'hit', key: 'a', windowMs: 0 }])).rejects.toThrow(RangeError);
      store.write([{ kind: 'hit', key: 'a', windowMs: -1 }]); // never throws
      await store.exec([{ kind: 'peek', key: 'a', windowMs: MINUTE }]); // a marker: the only call
      await vi.waitFor(() => expect(monitor.commands).toEqual(['evalsha']));
      monitor.stop();
      expect(store.health().degraded).toBe(false);
    });
  });

  describe('failover', () => {
    afterEach(async () => {
      redis.resume();
      if (!redis.isRunning()) await redis.restart();
    });

    it('answers from local state while Redis is down, stops calling it, and returns when it is back', async () => {
      const clock = new ManualClock(START);
      const observer = recordingObserver();
      // A long cool-down: only the reconnection (not the timer) may close the breaker here.
      const opened = await openStore(redis.url, clock, {
        observer,
        breaker: { failureThreshold: 3, coolDownMs: 600_000 },
      });
      const { store } = opened;
      const hit = () => store.exec([{ kind: 'hit', key: 'k', windowMs: MINUTE }]);
      expect(await hit()).toEqual([1]);
      expect(await hit()).toEqual([2]);

      await redis.kill();
      // Never rejects: the local fallback, kept warm, goes on counting from where Redis was.
      const whileDown: unknown[] = [];
      for (let i = 0; i < 10; i++) whileDown.push(...(await hit()));
      expect(whileDown).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(store.health()).toMatchObject({ ok: true, degraded: true });
      expect(store.health().detail).toMatch(/failMode open/);
      expect(observer.transitions).toEqual([true]);
      // The breaker opened after 3 failures: later calls were answered without trying Redis.
      expect(observer.errors).toBeGreaterThanOrEqual(1);
      expect(observer.errors).toBeLessThanOrEqual(3);
      const errorsWhenOpen = observer.errors;
      for (let i = 0; i < 20; i++) await hit();
      store.write([{ kind: 'hit', key: 'k', windowMs: MINUTE }]);
      expect(observer.errors).toBe(errorsWhenOpen);

      await redis.restart(); // empty: the counts made before the outage are gone from Redis
      await vi.waitFor(() => expect(store.health().degraded).toBe(false), { timeout: 5_000 });
      expect(observer.transitions).toEqual([true, false]);
      expect(await hit()).toEqual([1]); // Redis's answer: the local count is past 30
      await opened.close();
    });

    it('stops waiting on a Redis that accepts connections but does not answer', async () => {
      const clock = new ManualClock(START);
      const observer = recordingObserver();
      const opened = await openStore(redis.url, clock, {
        observer,
        timeoutMs: 30,
        breaker: { failureThreshold: 2, coolDownMs: 100 },
      });
      const { store } = opened;
      expect(await store.exec([{ kind: 'hit', key: 'slow', windowMs: MINUTE }])).toEqual([1]);

      redis.pause();
      const answers: unknown[] = [];
      for (let i = 0; i < 5; i++) answers.push(...(await store.exec([{ kind: 'hit', key: 'slow', windowMs: MINUTE }])));
      expect(answers).toEqual([2, 3, 4, 5, 6]);
      expect(store.health().degraded).toBe(true);
      expect(store.health().detail).toMatch(/timed out|circuit open/);
      expect(observer.errors).toBeGreaterThanOrEqual(2);

      redis.resume();
      // The half-open trial after the cool-down finds Redis again; no reconnection is involved.
      await vi.waitFor(
        async () => {
          await store.exec([{ kind: 'peek', key: 'slow', windowMs: MINUTE }]);
          expect(store.health().degraded).toBe(false);
        },
        { timeout: 5_000, interval: 50 },
      );
      expect(observer.transitions).toEqual([true, false]);
      await opened.close();
    });
  });
  it('reports a Redis that accepts connections but never answers at start, and recovers', async () => {
    redis.pause();
    const clock = new ManualClock(START);
    const observer = recordingObserver();
    const store = new RedisStore({
      client: createRedisClient({ url: redis.url, timeoutMs: 50 }),
      prefix: randomPrefix(),
      fallback: new MemoryStore({ maxEntries: 100, clock }),
      clock,
      observer,
    });
    expect(await store.waitUntilReady(300)).toBe(false);
    expect(store.health().detail).toMatch(/no answer from Redis within 300 ms/);
    expect(observer.transitions).toEqual([true]);
    expect(await store.exec([{ kind: 'hit', key: 'h', windowMs: MINUTE }])).toEqual([1]);
    redis.resume();
    await vi.waitFor(() => expect(observer.transitions).toEqual([true, false]), { timeout: 5_000 });
    expect(store.health().degraded).toBe(false);
    await store.close();
  });
});

describe('RedisStore with no Redis at all', () => {
  it('starts degraded, answers every batch locally and never rejects', async () => {
    const port = await freePort(); // nothing listens here
    const clock = new ManualClock(START);
    const observer = recordingObserver();
    const store = new RedisStore({
      client: createRedisClient({ url: `redis://127.0.0.1:${port}`, timeoutMs: 50 }),
      prefix: randomPrefix(),
      fallback: new MemoryStore({ maxEntries: 100, clock }),
      failMode: 'closed',
      clock,
      observer,
    });
    expect(await store.waitUntilReady(300)).toBe(false);
    expect(store.failMode).toBe('closed');
    const batch: StoreOp[] = [
      { kind: 'hit', key: 'a', windowMs: MINUTE },
      { kind: 'claim', key: 'n', ttlMs: MINUTE },
      { kind: 'flagSet', key: 'f', value: 'v', ttlMs: MINUTE },
      { kind: 'flagGet', key: 'f' },
    ];
    expect(await store.exec(batch)).toEqual([1, true, null, 'v']);
    expect(await store.exec(batch)).toEqual([2, false, null, 'v']);
    store.write(batch);
    expect(store.health()).toMatchObject({ ok: true, degraded: true });
    expect(store.health().detail).toMatch(/failMode closed/);
    expect(observer.transitions).toEqual([true]);
    await store.close();
    expect(store.health().ok).toBe(false);
  });
});
