/**
 * How fast a change made on one node decides requests on the others (issue 7 asks for within a
 * second): three `botgate run --store redis://…` nodes on one Redis under a prefix of this run's
 * own, in front of the benchmark upstream.
 *
 * - Manual blocks: each trial blocks a new /24 on one node's admin API (the nodes take turns) and
 *   probes the two other nodes back to back, each probe from a fresh address of that network,
 *   until both answer 403. The time runs from just before the admin request to each 403.
 * - Policy reloads: each trial rewrites the shared policy file's deny list with a new /24 and
 *   sends SIGHUP to one node (taking turns); the time runs from the signal, so it includes that
 *   node reading and checking its file, to each 403 on the two others.
 *
 *   node --import tsx bench/fleet-propagation.ts [--trials 30]
 *
 * Prints the median, 90th percentile and maximum over all trials and both other nodes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { type BenchProcess, botgateRun, startJsonLineProcess } from './processes.js';
import { deletePrefix } from './redis-prefix.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TOKEN = 'bench-fleet-admin-token-0123456789';
const TSX = ['--import', 'tsx'];
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const BROWSER = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'upgrade-insecure-requests': '1',
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'sec-fetch-site': 'none',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-user': '?1',
  'sec-fetch-dest': 'document',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en;q=0.9',
};

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { trials: { type: 'string', default: '30' } } });
  const trials = Number(values.trials);
  console.log(
    `Fleet propagation (node ${process.version}, ${availableParallelism()} cores; reference machine: 2 cores; Redis ${REDIS_URL}; ${trials} trials each)`,
  );
  const work = await mkdtemp(join(tmpdir(), 'botgate-bench-fleet-'));
  const prefix = `bench-fleet-${randomBytes(4).toString('hex')}`;
  const started: BenchProcess[] = [];
  try {
    const upstream = await startJsonLineProcess(process.execPath, [...TSX, here('./upstream.ts')]);
    started.push(upstream);
    const policy = join(work, 'policy.yaml');
    const doc = parse(await readFile(here('../botgate.example.yaml'), 'utf8'));
    doc.store = { type: 'redis', url: REDIS_URL, prefix, timeoutMs: 1_000 };
    doc.events = { ...doc.events, sqlite: false, ndjson: false };
    await writeFile(policy, stringify(doc));
    const nodes: BenchProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const node = await startJsonLineProcess(
        process.execPath,
        botgateRun(upstream.addresses.upstream!, '--config', policy, '--log-level', 'warn'),
        { cwd: work, env: { BOTGATE_SECRET: 'bench-fleet-secret-0123456789', BOTGATE_ADMIN_TOKEN: TOKEN } },
      );
      started.push(node);
      nodes.push(node);
    }
    if ((await probe(nodes[1]!, '198.18.0.1')) === 403) throw new Error('a probe is refused before any block');

    const blocks: number[] = [];
    for (let t = 0; t < trials; t++) {
      const network = `198.18.${t + 1}`;
      const since = performance.now();
      await block(nodes[t % 3]!, `${network}.0/24`);
      const others = nodes.filter((_, i) => i !== t % 3);
      blocks.push(...(await Promise.all(others.map((n) => untilBlocked(n, network, since)))));
    }
    report('manual block, admin API to 403 on another node', blocks);

    const reloads: number[] = [];
    for (let t = 0; t < trials; t++) {
      const network = `198.19.${t + 1}`;
      doc.lists.deny.ips = [`${network}.0/24`];
      await writeFile(policy, stringify(doc));
      const since = performance.now();
      nodes[t % 3]!.signal('SIGHUP');
      const others = nodes.filter((_, i) => i !== t % 3);
      reloads.push(...(await Promise.all(others.map((n) => untilBlocked(n, network, since)))));
    }
    report('policy reload, SIGHUP to 403 on another node', reloads);
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    await deletePrefix(redis, prefix).finally(() => redis.disconnect());
    await rm(work, { recursive: true, force: true });
  }
}

async function block(node: BenchProcess, network: string): Promise<void> {
  const res = await request(`${node.addresses.admin}/api/lists`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ list: 'block', target: 'prefix', value: network, duration: '1h', reason: 'bench' }),
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`POST /api/lists answered ${res.statusCode}`);
}

async function probe(node: BenchProcess, ip: string): Promise<number> {
  const res = await request(`${node.addresses.gateway}/`, { headers: { ...BROWSER, 'x-forwarded-for': ip } });
  await res.body.dump();
  return res.statusCode;
}

/** Probes from fresh addresses of `network` (a.b.c) until a 403; ms since `since`. */
async function untilBlocked(node: BenchProcess, network: string, since: number): Promise<number> {
  for (let host = 1; ; host = (host % 254) + 1) {
    if ((await probe(node, `${network}.${host}`)) === 403) return performance.now() - since;
    if (performance.now() - since > 10_000) throw new Error(`${network}.0/24 not blocked after 10 s`);
  }
}

function report(what: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): string => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(
    `${what}: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${sorted.at(-1)!.toFixed(1)} ms over ${sorted.length} (requirement: 1000 ms)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
