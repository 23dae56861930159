/**
 * The Redis store on a real three-master Redis Cluster: the shared contract, and every key of a
 * prefix in one slot (the hash tag), so each batch stays one script call on one node.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { createRedisClient } from '../../src/state/redis-client.js';
import { RedisStore } from '../../src/state/redis-store.js';
import type { Store } from '../../src/state/store.js';
import { type RedisCluster, randomPrefix, startRedisCluster } from './redis-process.js';
import { describeStoreContract } from './store-contract.js';

const MINUTE = 60_000;

function clusterStore(url: string, clock: ManualClock, prefix = randomPrefix('cluster')): RedisStore {
  return new RedisStore({
    // A generous budget: these tests check semantics, not the fallback (redis-store.test.ts does).
    client: createRedisClient({ url, timeoutMs: 2_000, cluster: true }),
    prefix,
    fallback: new MemoryStore({ maxEntries: 10_000, clock }),
    clock,
  });
}

describe('RedisStore on a Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  // The cluster is thrown away after the file: no key cleanup needed.
  describeStoreContract('redis cluster', async (clock): Promise<Store> => {
    const store = clusterStore(cluster.url, clock);
    if (!(await store.waitUntilReady(5_000))) throw new Error(`the Redis Cluster at ${cluster.url} did not answer`);
    return store;
  });

  it('keeps every key of a prefix on one node, and different prefixes spread over nodes', async () => {
    const clock = new ManualClock();
    const prefixes = ['site-a', 'site-b', 'site-c', 'site-d', 'site-e', 'site-f'];
    for (const prefix of prefixes) {
      const store = clusterStore(cluster.url, clock, prefix);
      await store.waitUntilReady(5_000);
      const values = await store.exec([
        { kind: 'hit', key: 'ip:198.51.100.7', windowMs: MINUTE },
        { kind: 'hit', key: 'net:198.51.100', windowMs: MINUTE },
        { kind: 'distinct', key: 'users:198.51.100.7', windowMs: MINUTE, member: 'alice' },
        { kind: 'flagSet', key: 'deny:198.51.100.7', value: 'x', ttlMs: MINUTE },
        { kind: 'claim', key: 'nonce:1', ttlMs: MINUTE },
      ]);
      expect(values).toEqual([1, 1, 1, null, true]);
      expect(store.health().degraded).toBe(false);
      await store.close();
    }
    const admin = new Cluster([cluster.url]);
    try {
      await new Promise((resolve) => admin.once('ready', resolve));
      const masters = admin.nodes('master');
      expect(masters).toHaveLength(3);
      const holders = new Map<string, number>();
      for (const [n, node] of masters.entries()) {
        for (const prefix of prefixes) {
          const keys = await node.keys(`{${prefix}}:*`);
          if (keys.length > 0) {
            expect(holders.has(prefix), `${prefix} on two nodes`).toBe(false);
            expect(keys).toHaveLength(6); // two counters, two sketches (this epoch and the next), a flag, a claim
            holders.set(prefix, n);
          }
        }
      }
      expect(holders.size).toBe(prefixes.length);
      expect(new Set(holders.values()).size).toBeGreaterThan(1);
    } finally {
      admin.disconnect();
    }
  });
});
