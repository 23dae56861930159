/**
 * Policy reloads across the fleet: fleet members in this process on the shared Redis (each test
 * on its own prefix), and one pair on a real three-master Redis Cluster (lists and policy).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { reloadableSections } from '../../src/config/reloadable.js';
import type { PolicyDocument } from '../../src/config/schema.js';
import { ManualClock } from '../../src/state/clock.js';
import { deletePrefix, randomPrefix, SHARED_REDIS_URL, startRedis, startRedisCluster } from '../state/redis-process.js';
import { block, eventually, type FleetNode, startNode } from './fleet-node.js';

const prefixes: string[] = [];
const nodes: FleetNode[] = [];
const options = () => {
  const prefix = randomPrefix('fleet-policy');
  prefixes.push(prefix);
  return { url: SHARED_REDIS_URL, prefix, clock: new ManualClock(Date.now()) };
};
const node = async (o: Parameters<typeof startNode>[0]): Promise<FleetNode> => {
  const started = await startNode(o);
  nodes.push(started);
  return started;
};
const withMode = (doc: PolicyDocument, mode: 'monitor' | 'enforce'): PolicyDocument => ({ ...doc, mode });

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
});
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(SHARED_REDIS_URL, p);
});

describe('policy reloads on Redis', () => {
  it('reach every other node, which keeps its own restart-only settings', async () => {
    const o = options();
    const [a, b] = [await node(o), await node(o)];
    expect(b.policy.mode).toBe('enforce');
    const ownListen = { ...b.policy, listen: '127.0.0.1:18080', secret: 'b-node-secret-0123456789' };
    b.policy = ownListen;

    a.fleet.publishPolicy(withMode(a.policy, 'monitor'));
    expect(await eventually(() => b.policy.mode === 'monitor')).toBe(true);
    expect(b.policy.listen).toBe('127.0.0.1:18080');
    expect(b.policy.secret).toBe('b-node-secret-0123456789');
    expect(b.log.some((l) => l.includes('applied a policy published by another node'))).toBe(true);
  });

  it('newest wins, and a node that starts with a different file takes the fleet policy', async () => {
    const o = options();
    const [a, b] = [await node(o), await node(o)];
    a.fleet.publishPolicy(withMode(a.policy, 'monitor'));
    expect(await eventually(() => b.policy.mode === 'monitor')).toBe(true);
    b.fleet.publishPolicy(withMode(b.policy, 'enforce'));
    expect(await eventually(() => a.policy.mode === 'enforce')).toBe(true);

    const late = await node({ ...o, policy: withMode(a.policy, 'monitor') });
    expect(late.policy.mode).toBe('enforce');
    expect(late.log.some((l) => l.includes('took the fleet policy stored in Redis') && l.includes('"version":2'))).toBe(
      true,
    );
    // Its file differed: it says so, and how to roll the file out; a node whose file is the
    // fleet's policy says nothing of the kind.
    expect(late.log.some((l) => l.startsWith('warn') && l.includes('differs from this node'))).toBe(true);
    const same = await node({ ...o, policy: withMode(a.policy, 'enforce') });
    expect(same.log.some((l) => l.includes('took the fleet policy stored in Redis'))).toBe(true);
    expect(same.log.some((l) => l.includes('differs'))).toBe(false);
  });

  it('refuses a published policy that fails the checks, and the node keeps its own', async () => {
    const o = options();
    const [a, b] = [await node(o), await node(o)];
    const broken = { ...a.policy, mode: 'sometimes' } as unknown as PolicyDocument;
    a.fleet.publishPolicy(broken);
    expect(await eventually(() => b.log.some((l) => l.includes('refused a fleet message')))).toBe(true);
    const refusal = b.log.find((l) => l.includes('refused a fleet message'))!;
    expect(refusal).toContain('mode');
    expect(refusal).toContain('keeps its policy');
    expect(b.policy.mode).toBe('enforce');

    // The next good one is taken.
    a.fleet.publishPolicy(withMode(a.policy, 'monitor'));
    expect(await eventually(() => b.policy.mode === 'monitor')).toBe(true);
  });

  it('is stored again when Redis restarts empty, and later reloads still reach every node', async () => {
    const redis = await startRedis();
    try {
      const o = { ...options(), url: redis.url };
      const [a, b] = [await node(o), await node(o)];
      a.fleet.publishPolicy(withMode(a.policy, 'monitor'));
      expect(await eventually(() => b.policy.mode === 'monitor')).toBe(true);
      a.fleet.publishPolicy(withMode(a.policy, 'enforce'));
      expect(await eventually(() => b.policy.mode === 'enforce')).toBe(true);

      await redis.kill();
      await redis.restart();
      const reconnected = (n: FleetNode) => n.log.some((l) => l.includes('"reason":"reconnected"'));
      expect(await eventually(() => reconnected(a) && reconnected(b), 5_000)).toBe(true);
      // Both kept the policy they ran, and stored it again: a node that starts now takes it.
      expect(a.policy.mode).toBe('enforce');
      const late = await node({ ...o, policy: withMode(a.policy, 'monitor') });
      expect(late.policy.mode).toBe('enforce');
      // The next reload is newer than any version the nodes knew before Redis restarted.
      b.fleet.publishPolicy(withMode(b.policy, 'monitor'));
      expect(await eventually(() => a.policy.mode === 'monitor')).toBe(true);
    } finally {
      await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
      await redis.kill();
    }
  });

  it('publishes no restart-only setting: no secret, no token, no store', () => {
    const sections = reloadableSections({
      secret: 's'.repeat(20),
      admin: { listen: 'x', token: 't' },
      mode: 'monitor',
    } as unknown as PolicyDocument);
    expect(sections).toEqual({ mode: 'monitor' });
  });
});

describe('the fleet on a Redis Cluster', () => {
  it('shares list entries and policy reloads through the cluster', { timeout: 30_000 }, async () => {
    const cluster = await startRedisCluster();
    try {
      const o = {
        url: cluster.url,
        cluster: true,
        prefix: randomPrefix('fleet-cluster'),
        clock: new ManualClock(Date.now()),
      };
      const [a, b] = [await node(o), await node(o)];
      a.lists.add(block('203.0.113.30'));
      expect(await eventually(() => b.lists.size === 1, 5_000)).toBe(true);
      b.fleet.publishPolicy(withMode(b.policy, 'monitor'));
      expect(await eventually(() => a.policy.mode === 'monitor', 5_000)).toBe(true);
      const late = await node(o);
      expect(late.lists.size).toBe(1);
      expect(late.policy.mode).toBe('monitor');
    } finally {
      await Promise.all(nodes.splice(0).map((n) => n.fleet.close()));
      await cluster.stop();
    }
  });
});
