/**
 * The memory and Redis stores agree on random operation sequences: the same batches, on the same
 * manual clock, give the same answers (distinct counts within a sketch's error, the rest exactly).
 * The shared contract (test/state/store-contract.ts) states the semantics case by case; this
 * looks for the cases nobody wrote down. Needs Redis at REDIS_URL or 127.0.0.1:6379; skipped,
 * and says so, without it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { createRedisClient } from '../../src/state/redis-client.js';
import { RedisStore } from '../../src/state/redis-store.js';
import type { StoreOp } from '../../src/state/store.js';
import { deletePrefix, randomPrefix, SHARED_REDIS_URL } from '../state/redis-process.js';

const START = Date.UTC(2026, 0, 1);
const WINDOWS = [1_000, 10_000, 60_000] as const;

let redisUp = false;
beforeAll(async () => {
  const probe = new RedisStore({
    client: createRedisClient({ url: SHARED_REDIS_URL, timeoutMs: 1_000 }),
    prefix: randomPrefix('probe'),
    fallback: new MemoryStore({ maxEntries: 100, clock: new ManualClock(START) }),
    clock: new ManualClock(START),
  });
  redisUp = await probe.waitUntilReady(2_000);
  await probe.close();
});

/** Keys by family, so a key is always used with one kind of operation and one window. */
const key = (family: string) =>
  fc.integer({ min: 0, max: 5 }).map((i) => ({ key: `${family}:${i}`, windowMs: WINDOWS[i % WINDOWS.length]! }));
const op: fc.Arbitrary<StoreOp> = fc.oneof(
  fc.tuple(key('c'), fc.integer({ min: 1, max: 3 })).map(([k, by]): StoreOp => ({ kind: 'hit', ...k, by })),
  key('c').map((k): StoreOp => ({ kind: 'peek', ...k })),
  fc
    .tuple(key('d'), fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }))
    .map(
      ([k, m]): StoreOp => (m === undefined ? { kind: 'distinct', ...k } : { kind: 'distinct', ...k, member: `m${m}` }),
    ),
  key('f').map((k): StoreOp => ({ kind: 'flagGet', key: k.key })),
  fc
    .tuple(key('f'), fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 20_000 }))
    .map(([k, value, ttlMs]): StoreOp => ({ kind: 'flagSet', key: k.key, value, ttlMs })),
  fc
    .tuple(key('n'), fc.integer({ min: 1, max: 20_000 }))
    .map(([k, ttlMs]): StoreOp => ({ kind: 'claim', key: k.key, ttlMs })),
);
/** A run: batches of operations, with the clock moved forward between them. */
const run = fc.array(fc.tuple(fc.array(op, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 15_000 })), {
  minLength: 1,
  maxLength: 25,
});

describe('memory and Redis stores', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const prefix of cleanup) await deletePrefix(SHARED_REDIS_URL, prefix).catch(() => {});
  });

  it('give the same answers to the same random operation sequences', async ({ skip }) => {
    if (!redisUp) skip(`no Redis at ${SHARED_REDIS_URL}`);
    await fc.assert(
      fc.asyncProperty(run, async (batches) => {
        const clock = new ManualClock(START);
        const memory = new MemoryStore({ maxEntries: 10_000, clock });
        const prefix = randomPrefix('agree');
        cleanup.push(prefix);
        const redis = new RedisStore({
          client: createRedisClient({ url: SHARED_REDIS_URL, timeoutMs: 1_000 }),
          prefix,
          fallback: new MemoryStore({ maxEntries: 10_000, clock }),
          clock,
        });
        try {
          expect(await redis.waitUntilReady(2_000)).toBe(true);
          for (const [ops, advance] of batches) {
            const [fromMemory, fromRedis] = await Promise.all([memory.exec(ops), redis.exec(ops)]);
            // A Redis store that fell back to its local copy would agree trivially.
            expect(redis.health().degraded).toBe(false);
            ops.forEach((o, i) => {
              const m = fromMemory[i];
              const r = fromRedis[i];
              if (o.kind === 'distinct') {
                expect(
                  Math.abs((m as number) - (r as number)),
                  `${JSON.stringify(o)}: memory ${m}, redis ${r}`,
                ).toBeLessThanOrEqual(Math.max(1, 0.1 * (r as number)));
              } else {
                expect(r, `${JSON.stringify(o)} at +${clock.now() - START} ms`).toEqual(m);
              }
            });
            clock.advance(advance);
          }
        } finally {
          await redis.close();
          await memory.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
