/**
 * MemoryStore cost, against baselines measured in the same run:
 *   (a) ns per `execSync` of a typical 4-op request batch (two counters, a distinct sketch, a
 *       deny-flag read) vs the same four keys counted in a plain `Map<string, number>`;
 *   (b) bytes per key after inserting 1 000 000 unique IP-like counter keys vs a naive
 *       `Map<string, { count, start }>`, key strings included.
 *
 *   node --import tsx bench/memory-store.ts          (add --expose-gc for the most exact memory figures)
 *
 * Timings vary by machine and load; the ratios are what to compare. The reference machine has 2 cores.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '../src/state/clock.js';
import { MemoryStore } from '../src/state/memory-store.js';
import type { StoreOp } from '../src/state/store.js';

const MINUTE = 60_000;
const BATCH_KEYS = 10_000;
const MEMORY_KEYS = 1_000_000;
const ROUNDS = 10;
const CALLS_PER_ROUND = 200_000;

/** Prevents the optimiser from dropping work whose result is unused. */
let sink = 0;

function ipOf(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** A garbage collector: the exposed one, else one enabled at run time, else none (figures approximate). */
function findGc(): { gc: (() => void) | null; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { gc: exposed, how: '--expose-gc' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return { gc: gc as () => void, how: 'v8.setFlagsFromString' };
  } catch {
    // fall through: no collector available
  }
  return { gc: null, how: 'none: figures are approximate' };
}

/**
 * ns per call of each case's `run(i)`, best of several rounds. Rounds of the cases are
 * interleaved and the best kept, so other processes on a shared 2-core machine slow every case
 * alike instead of skewing the ratios; the first round of each case only warms up the JIT.
 */
function nsPerCall(cases: readonly ((i: number) => void)[]): number[] {
  const best = cases.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round <= ROUNDS; round++) {
    cases.forEach((run, c) => {
      const start = performance.now();
      for (let i = 0; i < CALLS_PER_ROUND; i++) run(i);
      const ns = ((performance.now() - start) * 1e6) / CALLS_PER_ROUND;
      if (round > 0 && ns < (best[c] as number)) best[c] = ns;
    });
  }
  return best;
}

function batchCost(): { store: number; churn: number; map: number } {
  const clock = new ManualClock();
  const batches: StoreOp[][] = [];
  const mapKeys: string[][] = [];
  for (let i = 0; i < BATCH_KEYS; i++) {
    const ip = ipOf(i);
    const prefix = ip.slice(0, ip.lastIndexOf('.'));
    batches.push([
      { kind: 'hit', key: `ip:${ip}`, windowMs: MINUTE },
      { kind: 'hit', key: `net:${prefix}`, windowMs: MINUTE },
      { kind: 'distinct', key: `users:${ip}`, windowMs: 10 * MINUTE, member: `user-${i % 37}` },
      { kind: 'flagGet', key: `deny:${ip}` },
    ]);
    mapKeys.push([`ip:${ip}`, `net:${prefix}`, `users:${ip}`, `deny:${ip}`]);
  }
  const store = new MemoryStore({ maxEntries: MEMORY_KEYS, clock });
  // The same batches through a cap smaller than the key set: most batches evict.
  const small = new MemoryStore({ maxEntries: BATCH_KEYS / 4, clock });
  const counts = new Map<string, number>();
  const [map, memory, churn] = nsPerCall([
    (i) => {
      const keys = mapKeys[i % BATCH_KEYS] as string[];
      for (let k = 0; k < 4; k++) {
        const key = keys[k] as string;
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        sink += count;
      }
    },
    (i) => {
      if ((i & 1023) === 0) clock.advance(1); // time moves, windows roll now and then
      sink += store.execSync(batches[i % BATCH_KEYS] as StoreOp[]).length;
    },
    (i) => {
      sink += small.execSync(batches[i % BATCH_KEYS] as StoreOp[]).length;
    },
  ]);
  return { store: memory as number, churn: churn as number, map: map as number };
}

function bytesInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Bytes per key held by what `build` returns, measured between two collections. */
function bytesPerKey(gc: (() => void) | null, keys: number, build: () => unknown): number {
  gc?.();
  const before = bytesInUse();
  const held = build();
  gc?.();
  const after = bytesInUse();
  sink += held === null ? 0 : 1;
  return (after - before) / keys;
}

function memoryCost(gc: (() => void) | null): {
  store: number;
  storeChurned: number;
  naiveAsBuilt: number;
  naiveFlat: number;
} {
  const clock = new ManualClock();
  const fill = (maxEntries: number, keys: number) => () => {
    const s = new MemoryStore({ maxEntries, clock });
    for (let i = 0; i < keys; i++) s.execSync([{ kind: 'hit', key: `ip:${ipOf(i)}`, windowMs: MINUTE }]);
    return s;
  };
  const store = bytesPerKey(gc, MEMORY_KEYS, fill(MEMORY_KEYS, MEMORY_KEYS));
  // At the cap with churn, the key Map also holds deleted entries until it rehashes.
  const storeChurned = bytesPerKey(gc, MEMORY_KEYS, fill(MEMORY_KEYS, 2 * MEMORY_KEYS));
  const naive = (flatten: boolean) => () => {
    const map = new Map<string, { count: number; start: number }>();
    const now = clock.now();
    for (let i = 0; i < MEMORY_KEYS; i++) {
      const key = `ip:${ipOf(i)}`;
      if (flatten) sink += key.charCodeAt(0);
      map.set(key, { count: 1, start: now });
    }
    return map;
  };
  const naiveAsBuilt = bytesPerKey(gc, MEMORY_KEYS, naive(false));
  const naiveFlat = bytesPerKey(gc, MEMORY_KEYS, naive(true));
  return { store, storeChurned, naiveAsBuilt, naiveFlat };
}

export async function main(): Promise<void> {
  const { gc, how } = findGc();
  console.log(
    `MemoryStore benchmark (node ${process.version}, ${availableParallelism()} cores; reference machine: 2 cores)`,
  );
  const ns = batchCost();
  console.log('\n(a) one request batch: hit ip, hit /24, distinct users per ip, flagGet deny');
  console.table([
    { case: 'Map<string, number>: 4 get/set counters', 'ns/batch': ns.map.toFixed(0), ratio: '1.00' },
    { case: 'MemoryStore.execSync, 4 ops', 'ns/batch': ns.store.toFixed(0), ratio: (ns.store / ns.map).toFixed(2) },
    {
      case: `MemoryStore.execSync, cap ${BATCH_KEYS / 4} < keys (evicting)`,
      'ns/batch': ns.churn.toFixed(0),
      ratio: (ns.churn / ns.map).toFixed(2),
    },
  ]);
  const bytes = memoryCost(gc);
  console.log(
    `\n(b) bytes per key, ${MEMORY_KEYS.toLocaleString('en')} unique "ip:10.x.y.z" counters, key strings included (gc: ${how})`,
  );
  console.table([
    { case: 'Map<string, { count, start }>, flattened keys', 'bytes/key': bytes.naiveFlat.toFixed(0), ratio: '1.00' },
    {
      case: 'Map<string, { count, start }>, keys as built',
      'bytes/key': bytes.naiveAsBuilt.toFixed(0),
      ratio: (bytes.naiveAsBuilt / bytes.naiveFlat).toFixed(2),
    },
    {
      case: 'MemoryStore hit counters',
      'bytes/key': bytes.store.toFixed(0),
      ratio: (bytes.store / bytes.naiveFlat).toFixed(2),
    },
    {
      case: 'MemoryStore at cap after 2x keys (churn)',
      'bytes/key': bytes.storeChurned.toFixed(0),
      ratio: (bytes.storeChurned / bytes.naiveFlat).toFixed(2),
    },
  ]);
  if (sink === -1) console.log(sink);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
