/**
 * The store a gateway runs on, from the policy's `store` section: the memory store (default), or
 * the Redis store with a local memory fallback. Metrics and logs reach the store through the
 * small interfaces below (state/ does not import the gateway or the events room; the gateway's
 * Metrics and Logger satisfy them as they are).
 *
 * A Redis store waits up to `connectWaitMs` (default 2 s) for Redis to answer, so a node that
 * starts next to a healthy Redis is not degraded for its first requests; past that it starts
 * anyway, degraded, and says so: a Redis outage must not stop new nodes from serving (fail mode
 * applies), and the store returns to Redis by itself once it answers.
 */
import type { Clock } from './clock.js';
import type { FailMode, StoreObserver } from './degraded-mode.js';
import { MemoryStore } from './memory-store.js';
import { createRedisClient } from './redis-client.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './store.js';

/** The policy's `store` section (config/schema.ts), as this room needs it. */
export type StoreSettings =
  | { readonly type: 'memory'; readonly maxEntries: number }
  | {
      readonly type: 'redis';
      readonly url: string;
      readonly cluster: boolean;
      readonly prefix: string;
      readonly timeoutMs: number;
      readonly failMode: FailMode;
      readonly maxEntries: number;
    };

/** What the store reports to (the gateway's Metrics has these). */
export interface StoreMetrics {
  storeError(store: string): void;
  setStoreDegraded(degraded: boolean): void;
}

export interface StoreLogger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
}

export interface CreateStoreOptions {
  readonly clock: Clock;
  readonly metrics?: StoreMetrics;
  readonly logger?: StoreLogger;
  /** How long to wait for Redis at start before starting degraded. Default 2000 ms. */
  readonly connectWaitMs?: number;
}

const CONNECT_WAIT_MS = 2_000;

export async function createStore(settings: StoreSettings, options: CreateStoreOptions): Promise<Store> {
  const { clock, metrics, logger } = options;
  const fallback = new MemoryStore({ maxEntries: settings.maxEntries, clock });
  if (settings.type === 'memory') return fallback;

  const where = redactedUrl(settings.url);
  const observer: StoreObserver = {
    error(store) {
      metrics?.storeError(store);
    },
    degraded(store, degraded, detail) {
      metrics?.setStoreDegraded(degraded);
      if (degraded) logger?.warn(`store ${store} degraded: ${detail}`, { url: where });
      else logger?.info(`store ${store} recovered: ${detail}`, { url: where });
    },
  };
  const store = new RedisStore({
    client: createRedisClient({ url: settings.url, timeoutMs: settings.timeoutMs, cluster: settings.cluster }),
    prefix: settings.prefix,
    fallback,
    failMode: settings.failMode,
    clock,
    observer,
  });
  const waitMs = options.connectWaitMs ?? CONNECT_WAIT_MS;
  if (!(await store.waitUntilReady(waitMs))) {
    logger?.warn(
      `Cannot reach Redis at ${where} within ${waitMs} ms: starting degraded, deciding on local state (failMode ${settings.failMode}) until it answers; check store.url and that Redis is running`,
    );
  }
  return store;
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
