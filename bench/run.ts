/**
 * `npm run bench`: every benchmark in one run, each through its exported `main()`, one after the
 * other (never two at once: they share a 2-core machine, and each prints ratios against a
 * baseline measured in its own run).
 *
 *   node --import tsx bench/run.ts [--only NAME]
 *
 * NAME is one of memory-store, signals, challenge, redis-store, proxy, fleet-propagation. The Redis benchmarks use
 * REDIS_URL or redis://127.0.0.1:6379 (`proxy` runs with `--store` on it, so its table gains the
 * `botgate (redis)` row and the round trips a request costs). A benchmark that fails is reported
 * and the others still run; the exit code is then 1.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Loaded only when run, so `--only signals` does not load Playwright or ioredis. */
const BENCHMARKS: Readonly<Record<string, () => Promise<unknown>>> = {
  'memory-store': async () => (await import('./memory-store.js')).main(),
  signals: async () => (await import('./signals.js')).main(),
  challenge: async () => (await import('./challenge.js')).main(),
  'redis-store': async () => (await import('./redis-store.js')).main(),
  proxy: async () => (await import('./proxy.js')).main(['--store', REDIS_URL]),
  'fleet-propagation': async () => (await import('./fleet-propagation.js')).main([]),
};

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { only: { type: 'string' } } });
  const names = Object.keys(BENCHMARKS);
  if (values.only !== undefined && !(values.only in BENCHMARKS)) {
    console.error(`Cannot run benchmark "${values.only}": no such benchmark (expected one of: ${names.join(', ')})`);
    return 2;
  }
  const chosen = values.only === undefined ? names : [values.only];
  const failed: string[] = [];
  for (const name of chosen) {
    console.log(`\n=== bench/${name}.ts ===`);
    const started = performance.now();
    try {
      await BENCHMARKS[name]!();
    } catch (error) {
      failed.push(name);
      console.error(`bench/${name}.ts failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  if (failed.length > 0) console.error(`\nFailed: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
