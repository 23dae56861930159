/**
 * Manual list entries shared through Redis (issue 7): two or three fleet members in this
 * process, each with its own connections, on the shared Redis under this file's prefix, or on a
 * private redis-server that the test kills. Every wait polls with a deadline.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/state/clock.js';
import { deletePrefix, randomPrefix, SHARED_REDIS_URL, startRedis } from '../state/redis-process.js';
import { block, eventually, type FleetNode, startNode } from './fleet-node.js';

const prefixes: string[] = [];
const nodes: FleetNode[] = [];
const prefix = (): string => {
  const p = randomPrefix('fleet-lists');
  prefixes.push(p);
  return p;
};
const node = async (options: Parameters<typeof startNode>[0]): Promise<FleetNode> => {
  const started = await startNode(options);
  nodes.push(started);
  return started;
};

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
});
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(SHARED_REDIS_URL, p);
});

describe('manual lists on Redis', () => {
  it('reach the other node: an add, a replace and a remove, with the audit trail', async () => {
    const clock = new ManualClock(Date.now());
    const options = { url: SHARED_REDIS_URL, prefix: prefix(), clock };
    const [a, b] = [await node(options), await node(options)];

    a.lists.add(block('203.0.113.7'));
    expect(await eventually(() => b.lists.match('203.0.113.7', 'ffffffffffff', '203.0.113.0/24') !== null)).toBe(true);
    expect(b.lists.match('203.0.113.7', 'ffffffffffff', '203.0.113.0/24')?.createdBy).toBe('ops');

    // Allowing what was blocked replaces the entry on every node.
    b.lists.add({ ...block('203.0.113.7', 'lead'), list: 'allow', reason: 'a partner' });
    expect(await eventually(() => a.lists.match('203.0.113.7', '', '')?.list === 'allow')).toBe(true);

    a.lists.remove('allow:ip:203.0.113.7', 'ops', 'partner gone');
    expect(await eventually(() => b.lists.size === 0)).toBe(true);

    // Both hold the same trail, newest first, whichever node made the change.
    const trail = (n: FleetNode) => n.lists.audit().map((r) => `${r.change} ${r.entry.id} by ${r.who}`);
    expect(trail(b)).toEqual([
      'removed allow:ip:203.0.113.7 by ops',
      'replaced allow:ip:203.0.113.7 by lead',
      'added block:ip:203.0.113.7 by ops',
    ]);
    expect(trail(a)).toEqual(trail(b));
  });

  it('are loaded by a node that starts later, active entries only, with the shared trail', async () => {
    const clock = new ManualClock(Date.now());
    const options = { url: SHARED_REDIS_URL, prefix: prefix(), clock };
    const a = await node(options);
    a.lists.add({ ...block('198.51.100.1'), durationMs: 60_000 });
    a.lists.add({ ...block('198.51.100.2'), durationMs: 3_600_000 });
    a.lists.add({
      list: 'allow',
      target: 'fingerprint',
      value: 'ABCDEF012345',
      durationMs: 3_600_000,
      who: 'ops',
      reason: 'monitoring probe',
    });
    // Let the three changes reach Redis (they are sent in the background).
    const c0 = await node(options);
    expect(await eventually(() => c0.lists.size === 3)).toBe(true);

    clock.advance(120_000); // the first entry has expired
    const c = await node(options);
    expect(
      c.lists
        .entries()
        .map((e) => e.id)
        .sort(),
    ).toEqual(['allow:fingerprint:abcdef012345', 'block:ip:198.51.100.2']);
    expect(c.lists.match('198.51.100.1', '', '')).toBeNull();
    expect(c.lists.audit().filter((r) => r.change === 'added')).toHaveLength(3);
    expect(c.log.some((l) => l.includes('fleet resynchronised') && l.includes('"reason":"started"'))).toBe(true);
  });

  it('keep one entry per source in Redis: the last of allow, block, allow is what a later node loads', async () => {
    const clock = new ManualClock(Date.now());
    const options = { url: SHARED_REDIS_URL, prefix: prefix(), clock };
    const [a, b] = [await node(options), await node(options)];
    const allow = { ...block('198.51.100.40'), list: 'allow', reason: 'a partner' };
    a.lists.add(allow);
    a.lists.add(block('198.51.100.40'));
    a.lists.add(allow);
    expect(await eventually(() => b.lists.audit().length === 3)).toBe(true);
    expect(b.lists.entries().map((e) => e.id)).toEqual(['allow:ip:198.51.100.40']);

    const late = await node(options);
    expect(late.lists.entries().map((e) => e.id)).toEqual(['allow:ip:198.51.100.40']);
  });

  it('ignore an unsigned message published with the next revision, and still take the real change', async () => {
    const clock = new ManualClock(Date.now());
    const p = prefix();
    const [a, b] = [
      await node({ url: SHARED_REDIS_URL, prefix: p, clock }),
      await node({ url: SHARED_REDIS_URL, prefix: p, clock }),
    ];
    const writer = new Redis(SHARED_REDIS_URL);
    try {
      const next = Number((await writer.get(`{${p}}:fleet:revision`)) ?? 0) + 1;
      const forged = { rev: next, kind: 'list', msg: { body: '{}', sig: '0'.repeat(64) } };
      await writer.publish(`{${p}}:fleet`, JSON.stringify(forged));
      await writer.publish(`{${p}}:fleet`, 'not json at all');
      expect(await eventually(() => b.log.filter((l) => l.includes('refused a fleet message')).length === 2)).toBe(
        true,
      );
    } finally {
      writer.disconnect();
    }
    a.lists.add(block('198.51.100.41'));
    expect(await eventually(() => b.lists.size === 1)).toBe(true);
  });

  it('refuse changes signed with another secret, and keep the node deciding on its own copy', async () => {
    const clock = new ManualClock(Date.now());
    const options = { url: SHARED_REDIS_URL, prefix: prefix(), clock };
    const a = await node(options);
    const stranger = await node({ ...options, secret: 'not-the-fleet-secret-0123456789' });

    stranger.lists.add(block('192.0.2.66', 'intruder'));
    expect(await eventually(() => a.log.some((l) => l.includes('refused a fleet message')))).toBe(true);
    expect(a.lists.size).toBe(0);

    // A node that starts reads the stored state and leaves the forged entry out too.
    const late = await node(options);
    expect(late.lists.size).toBe(0);
    expect(late.log.some((l) => l.includes('signature does not match'))).toBe(true);
  });

  it('resynchronise after the subscriber was disconnected and messages were missed', async () => {
    const redis = await startRedis();
    try {
      const clock = new ManualClock(Date.now());
      const options = { url: redis.url, prefix: prefix(), clock };
      const [a, b] = [await node(options), await node(options)];
      a.lists.add(block('203.0.113.10'));
      expect(await eventually(() => b.lists.size === 1)).toBe(true);

      // Drop every subscriber, then change the lists before they can reconnect (ioredis waits
      // at least 100 ms): the message is published to nobody, so only a resync brings it.
      const admin = new Redis(redis.url);
      try {
        await admin.client('KILL', 'TYPE', 'pubsub');
        a.lists.add(block('203.0.113.11'));
        a.lists.remove('block:ip:203.0.113.10', 'ops', 'false positive');
      } finally {
        admin.disconnect();
      }
      expect(
        await eventually(
          () =>
            b.lists
              .entries()
              .map((e) => e.id)
              .join() === 'block:ip:203.0.113.11',
        ),
      ).toBe(true);
      expect(b.log.some((l) => l.includes('fleet resynchronised') && l.includes('"reason":"reconnected"'))).toBe(true);
    } finally {
      await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
      await redis.kill();
    }
  });

  it('keep deciding while Redis is away, share what was changed meanwhile, and store their entries again when it returns empty', async () => {
    const redis = await startRedis();
    try {
      const clock = new ManualClock(Date.now());
      const options = { url: redis.url, prefix: prefix(), clock, resyncEveryMs: 200 };
      const [a, b] = [await node(options), await node(options)];
      a.lists.add(block('203.0.113.20'));
      expect(await eventually(() => b.lists.size === 1)).toBe(true);

      await redis.kill();
      // Nothing waits on Redis: both still decide on their copies, and a change applies locally.
      expect(b.lists.decision('203.0.113.20', '', '', true)?.action).toBe('block');
      a.lists.add(block('203.0.113.21'));
      expect(a.lists.decision('203.0.113.21', '', '', true)?.action).toBe('block');
      expect(await eventually(() => a.log.some((l) => l.includes('not yet shared')))).toBe(true);

      // Redis comes back empty (no persistence): the change made meanwhile is sent, and the
      // entry both nodes held is stored again rather than lost with Redis.
      await redis.restart();
      expect(await eventually(() => b.lists.match('203.0.113.21', '', '') !== null, 5_000)).toBe(true);
      expect(await eventually(() => a.lists.size === 2 && b.lists.size === 2, 5_000)).toBe(true);
      expect(b.log.some((l) => l.includes('Redis lost the fleet state'))).toBe(true);
      const late = await node(options);
      expect(
        late.lists
          .entries()
          .map((e) => e.id)
          .sort(),
      ).toEqual(['block:ip:203.0.113.20', 'block:ip:203.0.113.21']);
    } finally {
      await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
      await redis.kill();
    }
  });
});
