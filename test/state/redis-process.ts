/**
 * Real Redis for the Redis store's tests: the shared one (REDIS_URL or 127.0.0.1:6379, each test
 * on its own random prefix, its keys deleted afterwards), and private `redis-server` processes
 * that a test may kill and restart (failover) or read exact command counts from.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const SHARED_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A prefix no other test uses. */
export function randomPrefix(label = 'test'): string {
  return `bgt-${label}-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key of a RedisStore prefix (`{prefix}:…`). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A free TCP port on loopback (bound at 0, then released: redis-server needs a fixed port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Stops the server at once (SIGKILL: no goodbye to the clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  /** False between `kill` and `restart`. */
  isRunning(): boolean;
  /** SIGSTOP / SIGCONT: a Redis that accepts connections but answers nothing. */
  pause(): void;
  resume(): void;
  /** `INFO commandstats` as command → calls (commands run inside scripts included). */
  commandCalls(): Promise<Map<string, number>>;
  /**
   * Starts recording the commands clients send (MONITOR), without those a script runs inside
   * Redis: each recorded command is one request from a client, so one round trip.
   */
  monitor(): Promise<CommandMonitor>;
}

export interface CommandMonitor {
  /** Lower-case names of the commands received so far, in order. */
  readonly commands: readonly string[];
  stop(): void;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a private `redis-server` on a free port, without persistence. */
export async function startRedis(extraArgs: readonly string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
      { stdio: 'ignore' },
    );
    running.add(spawned);
    child = spawned;
    await waitForPing(url, spawned);
  };
  const kill = async (): Promise<void> => {
    const current = child;
    if (current === null) return;
    child = null;
    if (current.exitCode === null && current.signalCode === null) {
      const exited = once(current, 'exit');
      current.kill('SIGCONT');
      current.kill('SIGKILL');
      await exited;
    }
    running.delete(current);
  };

  await start();
  return {
    port,
    url,
    kill,
    restart: start,
    isRunning: () => child !== null,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async monitor() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      const monitor = await client.monitor();
      const commands: string[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua' && args[0] !== undefined) commands.push(args[0].toLowerCase());
      });
      return {
        commands,
        stop() {
          monitor.disconnect();
          client.disconnect();
        },
      };
    },
    async commandCalls() {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        const info = await redis.info('commandstats');
        const calls = new Map<string, number>();
        for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
        return calls;
      } finally {
        redis.disconnect();
      }
    },
  };
}

async function waitForPing(url: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before answering`);
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') return;
    } catch {
      // not listening yet
    } finally {
      redis.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on ${url} did not answer within 5 s`);
}

export interface RedisCluster {
  /** A seed node's URL. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A three-master Redis Cluster on free ports (no replicas, no persistence, files in a temp
 * folder), ready when every node reports `cluster_state:ok`. About a second to start.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'botgate-cluster-'));
  const nodes: RedisProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--dir', dir]),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    for (let attempt = 0; ; attempt++) {
      const states = await Promise.all(nodes.map((node) => clusterState(node.url)));
      if (states.every((state) => state === 'ok')) break;
      if (attempt === 100)
        throw new Error(`Redis Cluster did not become ready within 10 s (states: ${states.join(', ')})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url: nodes[0]!.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function clusterState(url: string): Promise<string> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return /cluster_state:(\w+)/.exec(await redis.cluster('INFO'))?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

async function run(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`);
}
