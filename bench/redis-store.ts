/**
 * RedisStore against MemoryStore, measured in the same run: throughput of `exec` on a typical
 * request batch (5 ops: counters for the IP and its /24, distinct usernames per IP, the deny
 * flag, a nonce claim), with many batches in flight as a busy gateway has them, with the CPU
 * each batch costs the node and Redis; then the latency of one batch at a time; then the Redis
 * round trips per exec counted by `INFO commandstats`.
 *
 * The store-level ratio is small by nature (a memory batch is ~2 µs of arithmetic, a Redis batch
 * a network round trip); what decides a gateway's throughput is the node CPU per batch added to
 * its ~50 µs a request. The gateway-level comparison belongs to bench/proxy.ts.
 *
 *   node --import tsx bench/redis-store.ts          (REDIS_URL or redis://127.0.0.1:6379)
 *
 * Redis runs on the same machine as the benchmark here (2 cores on the reference machine), so
 * the Redis rows pay for Redis's CPU too; with Redis on its own host they do better. Ratios are
 * what to compare; absolute figures vary by machine and load.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { systemClock } from '../src/state/clock.js';
import { MemoryStore } from '../src/state/memory-store.js';
import { createRedisClient } from '../src/state/redis-client.js';
import { RedisStore } from '../src/state/redis-store.js';
import type { Store, StoreOp } from '../src/state/store.js';
import { deletePrefix } from './redis-prefix.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const KEYS = 10_000;
const IN_FLIGHT = 64;
const SECONDS = 2;
const ROUNDS = 3;
const LATENCY_SAMPLES = 5_000;

function batchOf(i: number): StoreOp[] {
  const ip = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
  return [
    { kind: 'hit', key: `ip:${ip}`, windowMs: MINUTE },
    { kind: 'hit', key: `net:${ip.slice(0, ip.lastIndexOf('.'))}`, windowMs: MINUTE },
    { kind: 'distinct', key: `users:${ip}`, windowMs: 10 * MINUTE, member: `user-${i % 37}` },
    { kind: 'flagGet', key: `deny:${ip}` },
    { kind: 'claim', key: `nonce:${i}`, ttlMs: MINUTE },
  ];
}

/** Batches done and per second with `IN_FLIGHT` concurrent callers for `SECONDS`. */
async function throughput(
  store: Store,
  batches: readonly StoreOp[][],
  offset: number,
): Promise<{ done: number; rate: number }> {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  const caller = async (c: number): Promise<void> => {
    for (let i = c; performance.now() < end; i += IN_FLIGHT) {
      await store.exec(batches[(i + offset) % KEYS]!);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, c) => caller(c)));
  return { done, rate: done / ((performance.now() - start) / 1000) };
}

/** Microseconds per exec, one at a time: p50 and p99. */
async function latency(store: Store, batches: readonly StoreOp[][]): Promise<{ p50: number; p99: number }> {
  const samples = new Float64Array(LATENCY_SAMPLES);
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const start = performance.now();
    await store.exec(batches[i % KEYS]!);
    samples[i] = (performance.now() - start) * 1000;
  }
  samples.sort();
  return { p50: samples[Math.floor(LATENCY_SAMPLES * 0.5)]!, p99: samples[Math.floor(LATENCY_SAMPLES * 0.99)]! };
}

interface CommandStats {
  /** EVALSHA and EVAL calls: one per round trip of the store. */
  readonly scripts: number;
  /** Microseconds Redis spent in them, the commands they ran included. */
  readonly scriptMicros: number;
  /** Commands run inside the scripts (and by any other client). */
  readonly inside: number;
}

async function commandStats(admin: Redis): Promise<CommandStats> {
  const info = await admin.info('commandstats');
  let scripts = 0;
  let scriptMicros = 0;
  let inside = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const calls = Number(match[2]);
    if (match[1] === 'evalsha' || match[1] === 'eval') {
      scripts += calls;
      scriptMicros += Number(match[3]);
    } else if (match[1] !== 'info') inside += calls;
  }
  return { scripts, scriptMicros, inside };
}

export async function main(): Promise<void> {
  console.log(
    `RedisStore benchmark (node ${process.version}, ${availableParallelism()} cores; reference machine: 2 cores; Redis ${REDIS_URL} on the same machine)`,
  );
  const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const memory = new MemoryStore({ maxEntries: 1_000_000, clock: systemClock });
  const redis = new RedisStore({
    client: createRedisClient({ url: REDIS_URL, timeoutMs: 1_000 }),
    prefix,
    fallback: new MemoryStore({ maxEntries: 1_000_000, clock: systemClock }),
    clock: systemClock,
  });
  try {
    if (!(await redis.waitUntilReady(2_000)))
      throw new Error(`Cannot run the Redis benchmark: no Redis answers at ${REDIS_URL}`);
    const batches = Array.from({ length: KEYS }, (_, i) => batchOf(i));

    // Warm up both (JIT, script cache, keys), then interleave rounds and keep each case's best.
    await throughput(memory, batches, 0);
    await throughput(redis, batches, 0);
    let bestMemory = 0;
    let bestRedis = 0;
    const before = await commandStats(admin);
    let redisExecs = 0;
    let memoryExecs = 0;
    let redisCpu = 0;
    let memoryCpu = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let cpu = process.cpuUsage();
      const onMemory = await throughput(memory, batches, round);
      cpu = process.cpuUsage(cpu);
      memoryCpu += cpu.user + cpu.system;
      memoryExecs += onMemory.done;
      bestMemory = Math.max(bestMemory, onMemory.rate);
      cpu = process.cpuUsage();
      const onRedis = await throughput(redis, batches, round);
      cpu = process.cpuUsage(cpu);
      redisCpu += cpu.user + cpu.system;
      redisExecs += onRedis.done;
      bestRedis = Math.max(bestRedis, onRedis.rate);
    }
    const after = await commandStats(admin);
    const memoryLatency = await latency(memory, batches);
    const redisLatency = await latency(redis, batches);
    const degraded = redis.health().degraded;

    console.log(`\n(a) exec of a 5-op request batch, ${IN_FLIGHT} in flight, best of ${ROUNDS} × ${SECONDS} s`);
    const scripts = after.scripts - before.scripts;
    console.table([
      {
        store: 'memory',
        'batches/s': Math.round(bestMemory),
        ratio: '1.00',
        'node CPU µs/batch': (memoryCpu / memoryExecs).toFixed(1),
        'Redis CPU µs/batch': '-',
      },
      {
        store: 'redis (at most one EVALSHA a batch)',
        'batches/s': Math.round(bestRedis),
        ratio: (bestRedis / bestMemory).toFixed(2),
        'node CPU µs/batch': (redisCpu / redisExecs).toFixed(1),
        'Redis CPU µs/batch': ((after.scriptMicros - before.scriptMicros) / redisExecs).toFixed(1),
      },
    ]);
    console.log('\n(b) one batch at a time: µs per exec');
    console.table([
      { store: 'memory', p50: memoryLatency.p50.toFixed(1), p99: memoryLatency.p99.toFixed(1) },
      { store: 'redis', p50: redisLatency.p50.toFixed(1), p99: redisLatency.p99.toFixed(1) },
    ]);
    console.log(
      `\n(c) Redis round trips per exec (INFO commandstats): ${(scripts / redisExecs).toFixed(3)} script calls a batch` +
        ` (${scripts} EVALSHA for ${redisExecs} execs, so ${(redisExecs / Math.max(1, scripts)).toFixed(1)} batches share a call` +
        ` when ${IN_FLIGHT} are in flight; other clients of this Redis add to the count),` +
        ` ${((after.inside - before.inside) / redisExecs).toFixed(1)} commands run inside the script per batch.` +
        '\n    One batch at a time, as in (b), is exactly one call per batch (test/state/redis-store.test.ts counts it).',
    );
    if (degraded)
      console.log('warning: the store went degraded during the run; the Redis figures include local answers');
  } finally {
    await deletePrefix(admin, prefix).catch(() => {});
    await redis.close();
    admin.disconnect();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
