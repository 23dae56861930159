/**
 * The store a gateway runs on, from the policy's `store` section: schema defaults and errors,
 * the memory store, and the Redis store reporting to metrics and logs.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/config/load.js';
import { PolicyError } from '../../src/config/problems.js';
import { policySchema } from '../../src/config/schema.js';
import { ManualClock } from '../../src/state/clock.js';
import { createStore, redactedUrl, type StoreSettings } from '../../src/state/create-store.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import { RedisStore } from '../../src/state/redis-store.js';
import { deletePrefix, freePort, randomPrefix, SHARED_REDIS_URL } from './redis-process.js';

function recorder() {
  const seen = { errors: 0, gauge: [] as boolean[], warnings: [] as string[], infos: [] as string[] };
  return {
    seen,
    metrics: {
      storeError: () => {
        seen.errors++;
      },
      setStoreDegraded: (degraded: boolean) => {
        seen.gauge.push(degraded);
      },
    },
    logger: {
      info: (message: string) => {
        seen.infos.push(message);
      },
      warn: (message: string) => {
        seen.warnings.push(message);
      },
    },
  };
}

function problemsOf(yaml: string): string[] {
  try {
    parsePolicyText(yaml, 'test');
  } catch (error) {
    if (error instanceof PolicyError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('the store section of the policy', () => {
  it('defaults to the memory store', () => {
    expect(policySchema.parse({}).store).toEqual({ type: 'memory', maxEntries: 1_000_000 });
  });

  it('fills in the Redis defaults', () => {
    const doc = parsePolicyText('store:\n  type: redis\n  url: redis://10.0.0.5:6379\n', 'test');
    expect(doc.store).toEqual({
      type: 'redis',
      url: 'redis://10.0.0.5:6379',
      cluster: false,
      prefix: 'botgate',
      timeoutMs: 50,
      failMode: 'open',
      maxEntries: 1_000_000,
    });
  });

  it('names each problem of a Redis section', () => {
    expect(problemsOf('store:\n  type: redis\n')).toEqual([
      'store.url: required with type redis: a redis:// or rediss:// URL, for example redis://127.0.0.1:6379',
    ]);
    expect(problemsOf('store:\n  type: mongo\n')).toEqual(['store.type: expected type "memory" or "redis"']);
    expect(
      problemsOf(
        'store:\n  type: redis\n  url: http://x\n  failMode: maybe\n  prefix: "{x}"\n  timeoutMs: 0\n  colour: red\n',
      ),
    ).toEqual([
      'store.url: expected a redis:// or rediss:// URL, for example redis://127.0.0.1:6379',
      'store.failMode: expected one of "open", "closed"',
      'store.prefix: expected 1 to 64 letters, digits, ".", "_", ":" or "-" (no braces)',
      'store.timeoutMs: expected a number greater than 0',
      'store.colour: unknown key',
    ]);
    // Redis keys make no sense on the memory store.
    expect(problemsOf('store:\n  failMode: closed\n')).toEqual(['store.failMode: unknown key']);
  });
});

describe('createStore', () => {
  it('builds the memory store', async () => {
    const store = await createStore({ type: 'memory', maxEntries: 100 }, { clock: new ManualClock() });
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.name).toBe('memory');
  });

  it('builds a Redis store that answers from Redis', async () => {
    const settings: StoreSettings = {
      type: 'redis',
      url: SHARED_REDIS_URL,
      cluster: false,
      prefix: randomPrefix('create'),
      timeoutMs: 50,
      failMode: 'closed',
      maxEntries: 100,
    };
    const { seen, metrics, logger } = recorder();
    const store = await createStore(settings, { clock: new ManualClock(), metrics, logger });
    try {
      expect(store).toBeInstanceOf(RedisStore);
      expect((store as RedisStore).failMode).toBe('closed');
      expect(store.health()).toMatchObject({ ok: true, degraded: false });
      expect(await store.exec([{ kind: 'hit', key: 'a', windowMs: 60_000 }])).toEqual([1]);
      expect(seen).toEqual({ errors: 0, gauge: [], warnings: [], infos: [] });
    } finally {
      await store.close();
      await deletePrefix(SHARED_REDIS_URL, settings.prefix);
    }
  });

  it('starts degraded when Redis does not answer, and says so in metrics and one log line', async () => {
    const port = await freePort();
    const { seen, metrics, logger } = recorder();
    const store = await createStore(
      {
        type: 'redis',
        url: `redis://botgate:s3cret@127.0.0.1:${port}`,
        cluster: false,
        prefix: 'botgate',
        timeoutMs: 50,
        failMode: 'open',
        maxEntries: 100,
      },
      { clock: new ManualClock(), metrics, logger, connectWaitMs: 300 },
    );
    try {
      expect(store.health()).toMatchObject({ ok: true, degraded: true });
      expect(await store.exec([{ kind: 'hit', key: 'a', windowMs: 60_000 }])).toEqual([1]);
      expect(seen.gauge).toContain(true);
      expect(seen.gauge).not.toContain(false);
      expect(seen.warnings.join('\n')).toMatch(/Cannot reach Redis at redis:\/\/botgate:\*\*\*@127\.0\.0\.1:\d+/);
      expect(seen.warnings.join('\n')).not.toContain('s3cret');
      expect(seen.errors).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it('never shows a password in a URL it logs', () => {
    expect(redactedUrl('redis://user:pw@host:6379/2')).toBe('redis://user:***@host:6379/2');
    expect(redactedUrl('rediss://host:6380')).toBe('rediss://host:6380');
    expect(redactedUrl('not a url')).toBe('(unparsable URL)');
  });
});
