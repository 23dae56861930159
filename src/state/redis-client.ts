/**
 * The ioredis client the Redis store talks through, configured for a request path that must
 * never wait on Redis for long:
 * - `commandTimeout` = the store's `timeoutMs` (default 50 ms): a call that takes longer is
 *   answered from the local fallback; its late reply is discarded.
 * - no offline queue and no retries: while disconnected a call fails at once instead of queueing
 *   behind a reconnect, and a batch whose reply was lost is never re-sent (it could count twice;
 *   the request was already decided on the fallback).
 * - reconnects forever in the background, 100 ms, 200 ms … then every second, so a node returns
 *   to Redis by itself within about a second of Redis coming back.
 * - `connectTimeout` 2 s per attempt: a black-holed address does not hold a socket for ioredis's
 *   default 10 s.
 *
 * A single Redis is named by a `redis://` or `rediss://` (TLS) URL with optional user, password
 * and database. For a Redis Cluster the URL names one seed node; ioredis discovers the others.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  readonly url: string;
  /** Budget of every call, in ms. */
  readonly timeoutMs: number;
  /** Treat `url` as a seed node of a Redis Cluster. Default false. */
  readonly cluster?: boolean;
}

export type RedisClient = Redis | Cluster;

const CONNECT_TIMEOUT_MS = 2_000;
const RECONNECT_STEP_MS = 100;
const RECONNECT_MAX_MS = 1_000;

const reconnectDelay = (attempt: number): number => Math.min(attempt * RECONNECT_STEP_MS, RECONNECT_MAX_MS);

export function createRedisClient(options: RedisClientOptions): RedisClient {
  const common: RedisOptions = {
    commandTimeout: options.timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
  };
  if (options.cluster === true) {
    const seed = new URL(options.url);
    const tls = seed.protocol === 'rediss:';
    return new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: {
        ...common,
        ...(seed.username === '' ? {} : { username: decodeURIComponent(seed.username) }),
        ...(seed.password === '' ? {} : { password: decodeURIComponent(seed.password) }),
        ...(tls ? { tls: {} } : {}),
      },
    });
  }
  return new Redis(options.url, common);
}
