import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { StoreOp } from '../../src/state/store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', (clock) => new MemoryStore({ maxEntries: 10_000, clock }));

const START = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

function storeAt(maxEntries: number): { store: MemoryStore; clock: ManualClock } {
  const clock = new ManualClock(START);
  return { store: new MemoryStore({ maxEntries, clock }), clock };
}

describe('MemoryStore', () => {
  it('answers execSync and exec alike, and applies writes at once', async () => {
    const { store } = storeAt(100);
    expect(store.name).toBe('memory');
    expect(store.execSync([{ kind: 'hit', key: 'a', windowMs: MINUTE }])).toEqual([1]);
    await expect(store.exec([{ kind: 'hit', key: 'a', windowMs: MINUTE }])).resolves.toEqual([2]);
    store.write([{ kind: 'hit', key: 'a', windowMs: MINUTE, by: 3 }]);
    expect(store.execSync([{ kind: 'peek', key: 'a', windowMs: MINUTE }])).toEqual([5]);
  });

  it('rejects a malformed operation and a bad window, and a bad cap at construction', async () => {
    const { store } = storeAt(100);
    const bogus = { kind: 'incr', key: 'a' } as unknown as StoreOp;
    await expect(store.exec([bogus])).rejects.toThrow(/unknown kind \(received "incr"\)/);
    expect(() => store.execSync([{ kind: 'hit', key: 'a', windowMs: 0 }])).toThrow(RangeError);
    expect(() => store.execSync([{ kind: 'distinct', key: 'a', windowMs: Number.NaN, member: 'm' }])).toThrow(
      RangeError,
    );
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(/maxEntries must be a positive integer/);
    expect(() => new MemoryStore({ maxEntries: 1.5 })).toThrow(RangeError);
  });

  it('never holds more than maxEntries under a flood of unique keys of every kind', () => {
    const { store, clock } = storeAt(10_000);
    const ops: StoreOp[] = [
      { kind: 'hit', key: '', windowMs: MINUTE },
      { kind: 'distinct', key: '', windowMs: MINUTE, member: 'm' },
      { kind: 'flagSet', key: '', value: 'v', ttlMs: 10 * MINUTE },
      { kind: 'claim', key: '', ttlMs: 10 * MINUTE },
    ];
    let largest = 0;
    for (let i = 0; i < 200_000; i++) {
      const template = ops[i % 4] as StoreOp;
      store.execSync([{ ...template, key: `flood:${i}` }]);
      if (store.size > largest) largest = store.size;
      if (i % 10_000 === 0) clock.advance(1_000);
    }
    expect(largest).toBe(10_000);
    expect(store.size).toBe(10_000);
    // Sketches are returned to the pool with their entries: a quarter of the survivors are sketches.
    expect(store.stats().sketches).toBe(2_500);
    // The newest keys survive, the oldest were evicted.
    expect(store.execSync([{ kind: 'peek', key: 'flood:199996', windowMs: MINUTE }])).toEqual([1]);
    expect(store.execSync([{ kind: 'peek', key: 'flood:0', windowMs: MINUTE }])).toEqual([0]);
  });

  it('evicts the least recently used entry, where reads count as use', () => {
    const { store } = storeAt(3);
    store.execSync([
      { kind: 'hit', key: 'a', windowMs: MINUTE },
      { kind: 'flagSet', key: 'b', value: 'B', ttlMs: MINUTE },
      { kind: 'hit', key: 'c', windowMs: MINUTE },
      { kind: 'peek', key: 'a', windowMs: MINUTE }, // a is now the most recent; b the least
      { kind: 'hit', key: 'd', windowMs: MINUTE }, // evicts b
    ]);
    expect(store.size).toBe(3);
    expect(store.execSync([{ kind: 'flagGet', key: 'b' }])).toEqual([null]);
    store.execSync([
      { kind: 'hit', key: 'a', windowMs: MINUTE }, // order from least recent: c, d, a
      { kind: 'claim', key: 'e', ttlMs: MINUTE }, // evicts c
    ]);
    expect(
      store.execSync([
        { kind: 'peek', key: 'a', windowMs: MINUTE },
        { kind: 'peek', key: 'c', windowMs: MINUTE },
        { kind: 'peek', key: 'd', windowMs: MINUTE },
        { kind: 'claim', key: 'e', ttlMs: MINUTE },
      ]),
    ).toEqual([2, 0, 1, false]);
  });

  it('reclaims an expired entry when it is read', () => {
    const { store, clock } = storeAt(100);
    store.execSync([
      { kind: 'flagSet', key: 'f', value: 'v', ttlMs: 1_000 },
      { kind: 'hit', key: 'h', windowMs: 1_000 },
      { kind: 'distinct', key: 'd', windowMs: 1_000, member: 'm' },
      { kind: 'claim', key: 'c', ttlMs: 1_000 },
    ]);
    expect(store.stats()).toMatchObject({ entries: 4, sketches: 1 });
    clock.advance(2_000);
    store.execSync([
      { kind: 'flagGet', key: 'f' },
      { kind: 'peek', key: 'h', windowMs: 1_000 },
      { kind: 'distinct', key: 'd', windowMs: 1_000 },
    ]);
    expect(store.stats()).toMatchObject({ entries: 1, sketches: 0 });
  });

  it('reclaims expired entries at the least recently used end before evicting a live one', () => {
    const { store, clock } = storeAt(4);
    store.execSync([
      { kind: 'hit', key: 'long', windowMs: 10 * MINUTE }, // least recent, but alive for 20 minutes
      { kind: 'flagSet', key: 'short', value: 'v', ttlMs: 1_000 },
      { kind: 'hit', key: 'b', windowMs: MINUTE },
      { kind: 'hit', key: 'c', windowMs: MINUTE },
    ]);
    clock.advance(5_000);
    store.execSync([{ kind: 'hit', key: 'new', windowMs: MINUTE }]);
    expect(store.size).toBe(4);
    expect(
      store.execSync([
        { kind: 'peek', key: 'long', windowMs: 10 * MINUTE },
        { kind: 'flagGet', key: 'short' },
        { kind: 'peek', key: 'b', windowMs: MINUTE },
        { kind: 'peek', key: 'new', windowMs: MINUTE },
      ]),
    ).toEqual([1, null, 1, 1]);
  });

  it('drains expired entries as new keys arrive, even below the cap', () => {
    const { store, clock } = storeAt(1_000);
    for (let i = 0; i < 100; i++) store.execSync([{ kind: 'claim', key: `n:${i}`, ttlMs: 1_000 }]);
    clock.advance(1_000);
    for (let i = 0; i < 50; i++) store.execSync([{ kind: 'hit', key: `h:${i}`, windowMs: MINUTE }]);
    // Each new key reclaims up to two expired claims: all 100 are gone after 50 new keys.
    expect(store.size).toBe(50);
  });

  it('stays in the newer window when the clock goes back', () => {
    const { store, clock } = storeAt(100);
    store.execSync([{ kind: 'hit', key: 'skew', windowMs: MINUTE, by: 4 }]);
    clock.advance(MINUTE + 30_000);
    expect(store.execSync([{ kind: 'hit', key: 'skew', windowMs: MINUTE }])).toEqual([3]); // 1 + floor(4 × 0.5)
    clock.advance(-MINUTE);
    // Back in window 0, the counter stays in window 1 with the previous window counted in full.
    expect(store.execSync([{ kind: 'hit', key: 'skew', windowMs: MINUTE }])).toEqual([6]);
  });

  it('grows its tables past the initial capacity without losing entries', () => {
    const { store } = storeAt(5_000);
    for (let i = 0; i < 5_000; i++) store.execSync([{ kind: 'hit', key: `g:${i}`, windowMs: MINUTE, by: i }]);
    const peeks = store.execSync(
      Array.from({ length: 5_000 }, (_, i) => ({ kind: 'peek', key: `g:${i}`, windowMs: MINUTE }) as const),
    );
    expect(peeks).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('forgets everything on close and stays usable', async () => {
    const { store } = storeAt(100);
    store.execSync([
      { kind: 'hit', key: 'a', windowMs: MINUTE },
      { kind: 'distinct', key: 'd', windowMs: MINUTE, member: 'm' },
      { kind: 'claim', key: 'c', ttlMs: MINUTE },
    ]);
    await store.close();
    expect(store.stats()).toMatchObject({ entries: 0, sketches: 0 });
    expect(
      store.execSync([
        { kind: 'hit', key: 'a', windowMs: MINUTE },
        { kind: 'claim', key: 'c', ttlMs: MINUTE },
      ]),
    ).toEqual([1, true]);
    expect(store.health()).toEqual({ ok: true, degraded: false });
  });
});
