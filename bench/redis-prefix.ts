/** Deletes every key a RedisStore wrote under `prefix` (`{prefix}:…`): benchmarks clean up after themselves. */
import type { Redis } from 'ioredis';

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
