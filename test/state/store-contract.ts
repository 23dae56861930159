/**
 * The conformance suite every `Store` backend passes (memory now, Redis next), so detectors can
 * rely on one set of semantics whatever the deployment. It talks to a store only through the
 * `Store` interface and moves a `ManualClock`: a backend must take every time decision (window
 * index, sliding weight, flag and claim expiry) from the injected clock, never from its own
 * wall clock (a Redis store passes `now` to its Lua scripts and uses Redis TTLs only to collect
 * garbage, with a margin).
 *
 * Usage, in a `*.test.ts` file:
 *   describeStoreContract('memory', (clock) => new MemoryStore({ maxEntries: 10_000, clock }));
 *
 * `makeStore` runs before every test and `close()` after it; a shared backend should give each
 * call its own key prefix. The clock starts at 2026-01-01T00:00:00Z, a multiple of every window
 * used here, so the window arithmetic below is exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import type { Store, StoreOp, StoreValue } from '../../src/state/store.js';

export interface StoreContractOptions {
  /**
   * Relative error tolerated on distinct-count estimates (never less than ±1). Default 0.3:
   * about three standard errors of the memory store's 128-register sketches; Redis's own
   * 16 384-register sketches are far inside it.
   */
  readonly distinctTolerance?: number;
}

const START = Date.UTC(2026, 0, 1);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** Ops per exec when loading many distinct members: few round trips on a networked backend. */
const LOAD_BATCH = 1_000;

export function describeStoreContract(
  name: string,
  makeStore: (clock: ManualClock) => Promise<Store> | Store,
  options: StoreContractOptions = {},
): void {
  const tolerance = options.distinctTolerance ?? 0.3;

  describe(`Store contract: ${name}`, () => {
    let clock: ManualClock;
    let store: Store;

    beforeEach(async () => {
      clock = new ManualClock(START);
      store = await makeStore(clock);
    });

    afterEach(async () => {
      await store.close();
    });

    const one = async (op: StoreOp): Promise<StoreValue> => {
      const results = await store.exec([op]);
      expect(results).toHaveLength(1);
      return results[0] as StoreValue;
    };
    const hit = (key: string, windowMs = MINUTE, by?: number) =>
      one(by === undefined ? { kind: 'hit', key, windowMs } : { kind: 'hit', key, windowMs, by });
    const peek = (key: string, windowMs = MINUTE) => one({ kind: 'peek', key, windowMs });
    const distinct = (key: string, member?: string, windowMs = MINUTE) =>
      one(member === undefined ? { kind: 'distinct', key, windowMs } : { kind: 'distinct', key, windowMs, member });
    const addMembers = async (key: string, members: readonly string[], windowMs = MINUTE): Promise<number> => {
      let estimate = 0;
      for (let i = 0; i < members.length; i += LOAD_BATCH) {
        const ops: StoreOp[] = members
          .slice(i, i + LOAD_BATCH)
          .map((member) => ({ kind: 'distinct', key, windowMs, member }));
        const results = await store.exec(ops);
        estimate = results[results.length - 1] as number;
      }
      return estimate;
    };
    const members = (prefix: string, count: number): string[] =>
      Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    const expectNear = (estimate: StoreValue, exact: number): void => {
      expect(typeof estimate).toBe('number');
      const allowed = Math.max(1, Math.round(exact * tolerance));
      expect(Math.abs((estimate as number) - exact), `estimate ${estimate} for ${exact}`).toBeLessThanOrEqual(allowed);
    };

    describe('health and batches', () => {
      it('is healthy and answers an empty batch with no values', async () => {
        expect(store.health().ok).toBe(true);
        expect(store.health().degraded).toBe(false);
        expect(typeof store.name).toBe('string');
        expect(await store.exec([])).toEqual([]);
      });

      it('answers a batch of mixed kinds in order, each op seeing the ones before it', async () => {
        const results = await store.exec([
          { kind: 'hit', key: 'mixed:a', windowMs: MINUTE },
          { kind: 'flagSet', key: 'mixed:f', value: 'blocked', ttlMs: MINUTE },
          { kind: 'flagGet', key: 'mixed:f' },
          { kind: 'claim', key: 'mixed:c', ttlMs: MINUTE },
          { kind: 'claim', key: 'mixed:c', ttlMs: MINUTE },
          { kind: 'distinct', key: 'mixed:d', windowMs: MINUTE, member: 'alice' },
          { kind: 'hit', key: 'mixed:a', windowMs: MINUTE, by: 4 },
          { kind: 'peek', key: 'mixed:a', windowMs: MINUTE },
          { kind: 'flagGet', key: 'mixed:absent' },
          { kind: 'peek', key: 'mixed:absent', windowMs: MINUTE },
        ]);
        expect(results).toEqual([1, null, 'blocked', true, false, 1, 5, 5, null, 0]);
      });

      it('applies writes, visible to a later batch', async () => {
        store.write([
          { kind: 'hit', key: 'write:a', windowMs: MINUTE },
          { kind: 'hit', key: 'write:a', windowMs: MINUTE, by: 2 },
          { kind: 'flagSet', key: 'write:f', value: 'x', ttlMs: MINUTE },
        ]);
        await vi.waitFor(async () => {
          expect(await peek('write:a')).toBe(3);
          expect(await one({ kind: 'flagGet', key: 'write:f' })).toBe('x');
        });
      });

      it('keeps kinds in separate key spaces', async () => {
        await hit('same');
        await one({ kind: 'flagSet', key: 'same', value: 'v', ttlMs: MINUTE });
        expect(await distinct('same')).toBe(0);
        expect(await one({ kind: 'claim', key: 'same', ttlMs: MINUTE })).toBe(true);
        expect(await peek('same')).toBe(1);
        expect(await one({ kind: 'flagGet', key: 'same' })).toBe('v');
      });
    });

    describe('hit and peek (sliding window)', () => {
      it('counts hits in the current window, including the hit itself, and `by`', async () => {
        expect(await hit('ip:a')).toBe(1);
        expect(await hit('ip:a')).toBe(2);
        expect(await hit('ip:a', MINUTE, 5)).toBe(7);
        clock.advance(59 * SECOND);
        expect(await hit('ip:a')).toBe(8);
        expect(await hit('ip:b')).toBe(1);
      });

      it('peeks without counting, and an unknown counter is 0 and stays absent', async () => {
        expect(await peek('ip:p')).toBe(0);
        expect(await peek('ip:p')).toBe(0);
        expect(await hit('ip:p')).toBe(1);
        expect(await peek('ip:p')).toBe(1);
        expect(await peek('ip:p')).toBe(1);
      });

      it('identifies a counter by key and window', async () => {
        await hit('ip:w', MINUTE, 3);
        expect(await hit('ip:w', SECOND)).toBe(1);
        expect(await peek('ip:w', MINUTE)).toBe(3);
        expect(await peek('ip:w', 10 * SECOND)).toBe(0);
      });

      it('weights the previous window by the part of it still inside the sliding window, rounding down', async () => {
        await hit('ip:s', MINUTE, 7);
        clock.advance(MINUTE + 15 * SECOND); // 25 % into the next window: 7 × 0.75 = 5.25
        expect(await peek('ip:s')).toBe(5);
        expect(await hit('ip:s')).toBe(6); // 1 + 5
        clock.advance(15 * SECOND); // 50 %: 1 + floor(3.5)
        expect(await peek('ip:s')).toBe(4);
        clock.advance(30 * SECOND - 1); // 1 ms before the end: 1 + floor(7 × 1/60000)
        expect(await peek('ip:s')).toBe(1);
      });

      it('rolls the current window into the previous one, then forgets both', async () => {
        await hit('ip:r', MINUTE, 10);
        clock.advance(MINUTE); // window 1 starts: all of window 0 still counts
        expect(await peek('ip:r')).toBe(10);
        expect(await hit('ip:r', MINUTE, 2)).toBe(12);
        clock.advance(MINUTE); // window 2: window 1 (2 hits) is the previous one, window 0 is gone
        expect(await peek('ip:r')).toBe(2);
        clock.advance(MINUTE); // window 3: nothing left
        expect(await peek('ip:r')).toBe(0);
        expect(await hit('ip:r')).toBe(1);
      });

      it('starts afresh after a gap of two windows or more', async () => {
        await hit('ip:g', SECOND, 50);
        clock.advance(2 * SECOND);
        expect(await hit('ip:g', SECOND)).toBe(1);
        clock.advance(10 * SECOND + 500);
        expect(await peek('ip:g', SECOND)).toBe(0);
        expect(await hit('ip:g', SECOND)).toBe(1);
      });

      it('keeps counters apart across many keys in one batch', async () => {
        const ops: StoreOp[] = [];
        for (let i = 0; i < 50; i++)
          for (let n = 0; n <= i % 5; n++) ops.push({ kind: 'hit', key: `many:${i}`, windowMs: MINUTE });
        await store.exec(ops);
        const peeks = await store.exec(
          Array.from({ length: 50 }, (_, i) => ({ kind: 'peek', key: `many:${i}`, windowMs: MINUTE }) as const),
        );
        expect(peeks).toEqual(Array.from({ length: 50 }, (_, i) => (i % 5) + 1));
      });
    });

    describe('distinct (HyperLogLog over one to two windows)', () => {
      it('returns 0 for an unknown sketch and 1 for one member, however often it is added', async () => {
        expect(await distinct('user:zero')).toBe(0);
        expect(await distinct('user:one', 'ip-1')).toBe(1);
        expect(await distinct('user:one', 'ip-1')).toBe(1);
        expect(await distinct('user:one')).toBe(1);
      });

      it.each([10, 1_000, 10_000])('estimates %i distinct members within tolerance', async (count) => {
        const key = `user:n${count}`;
        const all = members(`198.51.${count}.`, count);
        expectNear(await addMembers(key, all), count);
        // Adding the same members again changes nothing.
        const again = await addMembers(key, all.slice(0, Math.min(count, 2_000)));
        expect(again).toBe(await distinct(key));
        expectNear(again, count);
      });

      it('identifies a sketch by key and window', async () => {
        await addMembers('user:kw', members('a', 20), MINUTE);
        expect(await distinct('user:kw', undefined, SECOND)).toBe(0);
        expectNear(await distinct('user:kw', undefined, MINUTE), 20);
      });

      it('covers the union of the current and previous window, then forgets', async () => {
        const key = 'user:epochs';
        expectNear(await addMembers(key, members('first-', 300)), 300);
        clock.advance(MINUTE + 30 * SECOND);
        expectNear(await distinct(key), 300); // previous window still counts in full
        expectNear(await addMembers(key, members('second-', 300)), 600);
        // Members seen in the previous window are not counted twice.
        expectNear(await addMembers(key, members('first-', 300)), 600);
        clock.advance(MINUTE); // the first window leaves; the second (first- and second- members) is the previous one
        expectNear(await distinct(key), 600);
        expectNear(await addMembers(key, members('third-', 100)), 700);
        clock.advance(MINUTE); // only the third window's members remain
        expectNear(await distinct(key), 100);
        clock.advance(MINUTE);
        expect(await distinct(key)).toBe(0);
      });

      it('starts afresh after a gap of two windows or more', async () => {
        await addMembers('user:gap', members('x', 50));
        clock.advance(5 * MINUTE);
        expect(await distinct('user:gap')).toBe(0);
        expect(await distinct('user:gap', 'y')).toBe(1);
      });
    });

    describe('flags', () => {
      it('reads null for an absent flag, and what was set until it expires', async () => {
        expect(await one({ kind: 'flagGet', key: 'deny:a' })).toBeNull();
        expect(
          await one({ kind: 'flagSet', key: 'deny:a', value: 'credential-stuffing', ttlMs: 10 * SECOND }),
        ).toBeNull();
        expect(await one({ kind: 'flagGet', key: 'deny:a' })).toBe('credential-stuffing');
        clock.advance(10 * SECOND - 1);
        expect(await one({ kind: 'flagGet', key: 'deny:a' })).toBe('credential-stuffing');
        clock.advance(1);
        expect(await one({ kind: 'flagGet', key: 'deny:a' })).toBeNull();
      });

      it('overwrites the value and the time to live', async () => {
        await one({ kind: 'flagSet', key: 'deny:o', value: 'one', ttlMs: 10 * SECOND });
        clock.advance(8 * SECOND);
        await one({ kind: 'flagSet', key: 'deny:o', value: 'two', ttlMs: 10 * SECOND });
        clock.advance(8 * SECOND);
        expect(await one({ kind: 'flagGet', key: 'deny:o' })).toBe('two');
        await one({ kind: 'flagSet', key: 'deny:o', value: 'short', ttlMs: SECOND });
        clock.advance(SECOND);
        expect(await one({ kind: 'flagGet', key: 'deny:o' })).toBeNull();
      });

      it('deletes a flag set with a time to live of 0', async () => {
        await one({ kind: 'flagSet', key: 'deny:z', value: 'v', ttlMs: MINUTE });
        await one({ kind: 'flagSet', key: 'deny:z', value: 'v', ttlMs: 0 });
        expect(await one({ kind: 'flagGet', key: 'deny:z' })).toBeNull();
      });

      it('keeps any string value, including empty and non-ASCII ones', async () => {
        await store.exec([
          { kind: 'flagSet', key: 'f:empty', value: '', ttlMs: MINUTE },
          { kind: 'flagSet', key: 'f:utf', value: 'bloqué ✓ 🚫', ttlMs: MINUTE },
        ]);
        expect(
          await store.exec([
            { kind: 'flagGet', key: 'f:empty' },
            { kind: 'flagGet', key: 'f:utf' },
          ]),
        ).toEqual(['', 'bloqué ✓ 🚫']);
      });
    });

    describe('claim', () => {
      it('is true once per time to live, then again once it has expired', async () => {
        const claim = (key: string) => one({ kind: 'claim', key, ttlMs: 30 * SECOND });
        expect(await claim('nonce:1')).toBe(true);
        expect(await claim('nonce:1')).toBe(false);
        expect(await claim('nonce:2')).toBe(true);
        clock.advance(20 * SECOND);
        expect(await claim('nonce:1')).toBe(false); // a failed claim does not extend the hold…
        clock.advance(10 * SECOND); // …so it ends 30 s after the first claim
        expect(await claim('nonce:1')).toBe(true);
        expect(await claim('nonce:1')).toBe(false);
      });

      it('lets exactly one of many claims of the same key in one batch succeed', async () => {
        const results = await store.exec(
          Array.from({ length: 20 }, () => ({ kind: 'claim', key: 'nonce:race', ttlMs: MINUTE }) as const),
        );
        expect(results.filter((r) => r === true)).toHaveLength(1);
        expect(results[0]).toBe(true);
      });
    });
  });
}
