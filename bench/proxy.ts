/**
 * The gateway's cost, measured as DESIGN.md asks: in one run, the same requests go straight to
 * the upstream, through a bare undici proxy (the baseline), and through botgate with the
 * bundled default policy and its SQLite event sink, and through botgate without the event file
 * (events in memory and metrics only: the writer thread's share). Prints requests/s and p50/p99
 * of each and botgate's ratio to the bare proxy, then the added latency at a moderate fixed rate.
 *
 *   node --import tsx bench/proxy.ts [--seconds 8] [--store redis://127.0.0.1:6379] [--load-tool wrk|autocannon]
 *
 * The load comes from wrk where it is installed, else from autocannon; both send every request
 * from another client address through the trusted loopback hop, as a load balancer would.
 *
 * With `--store`, a second botgate runs the same policy on that Redis (under a prefix of its
 * own, deleted afterwards) and adds a `botgate (redis)` row, and the Redis round trips a
 * request costs are counted: script calls (EVALSHA, and EVAL when Redis had to load the script)
 * from `INFO commandstats` before and after each measured run, divided by the requests that node
 * decided in it (its `botgate_requests_total`). Under saturation requests decided in the same
 * turn of the event loop share a call, and learning writes are coalesced, so the figure is below
 * one; at a moderate fixed rate it approaches one plus the writes. Other clients of the same
 * Redis add to the count: use an otherwise idle Redis.
 *
 * Every process shares one 2-core machine with the load generator, so absolute figures are
 * lower than on a dedicated host; the ratios are the result.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { defaultLoadTool, type Latency, type LoadTool, saturate, steady, type Throughput } from './load.js';
import { type BenchProcess, botgateRun, startJsonLineProcess } from './processes.js';
import { deletePrefix } from './redis-prefix.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const TSX = ['--import', 'tsx'];

interface Row {
  readonly target: string;
  readonly route: string;
  readonly result: Throughput;
  /** CPU the proxy's process used per request in the run (all threads, µs); NaN for `direct`. */
  readonly cpuMicrosPerRequest: number;
}

/** Script calls Redis has run and requests the Redis-backed node has decided, at one moment. */
interface RoundTripCount {
  readonly scripts: number;
  readonly requests: number;
}

interface RoundTrips {
  readonly run: string;
  readonly scripts: number;
  readonly requests: number;
}

const REDIS_TARGET = 'botgate (redis)';
/** Rounds of the moderate-rate latency run. */
const STEADY_ROUNDS = 3;

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { seconds: { type: 'string', default: '8' }, store: { type: 'string' }, 'load-tool': { type: 'string' } },
  });
  const seconds = Number(values.seconds);
  const tool = loadTool(values['load-tool']);
  const work = await mkdtemp(join(tmpdir(), 'botgate-bench-'));
  const started: BenchProcess[] = [];
  const prefix = `bench-proxy-${randomBytes(4).toString('hex')}`;
  let redisAdmin: Redis | null = null;
  try {
    const upstream = await startJsonLineProcess(process.execPath, [...TSX, here('./upstream.ts')]);
    started.push(upstream);
    const upstreamUrl = upstream.addresses.upstream!;
    const bare = await startJsonLineProcess(process.execPath, [...TSX, here('./bare-proxy.ts'), upstreamUrl]);
    started.push(bare);
    const gateway = (...extra: string[]) => botgateRun(upstreamUrl, '--log-level', 'silent', ...extra);
    const botgate = await startJsonLineProcess(process.execPath, gateway(), {
      cwd: work,
      env: { BOTGATE_SECRET: 'bench-secret-0123456789abcdef' },
    });
    started.push(botgate);
    // The same policy with no event file: the share of the cost that is the SQLite writer thread
    // (which, on this machine, competes with the load generator and the upstream for 2 cores).
    const noFilePolicy = join(work, 'no-event-file.yaml');
    await writeFile(noFilePolicy, await policyWith((doc) => (doc.events = { ...doc.events, sqlite: false })));
    const noFile = await startJsonLineProcess(process.execPath, gateway('--config', noFilePolicy), {
      cwd: work,
      env: { BOTGATE_SECRET: 'bench-secret-0123456789abcdef' },
    });
    started.push(noFile);
    const targets: [string, string][] = [
      ['direct', upstreamUrl],
      ['bare proxy', bare.addresses.proxy!],
      ['botgate', botgate.addresses.gateway!],
      ['botgate, no file', noFile.addresses.gateway!],
    ];
    // The process whose CPU a target's requests cost (the direct row has no proxy).
    const proxyOf = new Map<string, BenchProcess>([
      ['bare proxy', bare],
      ['botgate', botgate],
      ['botgate, no file', noFile],
    ]);
    let countRoundTrips: (() => Promise<RoundTripCount>) | null = null;
    if (values.store) {
      const policy = join(work, 'redis-policy.yaml');
      await writeFile(policy, await redisPolicy(values.store, prefix));
      const redis = await startJsonLineProcess(process.execPath, gateway('--config', policy, '--store', values.store), {
        cwd: work,
        env: { BOTGATE_SECRET: 'bench-secret-0123456789abcdef' },
      });
      started.push(redis);
      targets.push([REDIS_TARGET, redis.addresses.gateway!]);
      proxyOf.set(REDIS_TARGET, redis);
      const admin = new Redis(values.store, { maxRetriesPerRequest: 1, lazyConnect: true });
      redisAdmin = admin;
      await admin.connect();
      const adminUrl = redis.addresses.admin!;
      countRoundTrips = async () => ({ scripts: await scriptCalls(admin), requests: await decidedRequests(adminUrl) });
    }
    const trips: RoundTrips[] = [];
    const counted = async <T>(target: string, run: string, measure: () => Promise<T>): Promise<T> => {
      if (target !== REDIS_TARGET || countRoundTrips === null) return measure();
      const before = await countRoundTrips();
      const result = await measure();
      const after = await countRoundTrips();
      trips.push({ run, scripts: after.scripts - before.scripts, requests: after.requests - before.requests });
      return result;
    };

    const rows: Row[] = [];
    for (const [route, method, path] of [
      ['GET /api/listings/7', 'GET', '/api/listings/7'],
      ['POST /api/login', 'POST', '/api/login'],
    ] as const) {
      for (const [target, url] of targets) {
        // A short warm-up lets the JIT and the keep-alive pools settle before measuring.
        await saturate(url + path, { seconds: 1, connections: 32, method, tool });
        const proxy = proxyOf.get(target);
        const cpuBefore = proxy?.cpuMicros() ?? Number.NaN;
        const result = await counted(target, `${route}, 32 connections`, () =>
          saturate(url + path, { seconds, connections: 32, method, tool }),
        );
        const cpuMicrosPerRequest = ((proxy?.cpuMicros() ?? Number.NaN) - cpuBefore) / result.requests;
        rows.push({ target, route, result, cpuMicrosPerRequest });
      }
    }
    printThroughput(rows);

    // Latency at a moderate rate, in rounds: every target once a round, the order turned each
    // round, so a disturbance of the shared machine does not land on one target only. Each
    // figure is the median over the rounds; the added p99 is the median of each round's
    // difference with the bare proxy's p99 in that round.
    const steadySeconds = Math.max(5, seconds);
    const steadyRuns = new Map<string, Latency[]>(targets.map(([target]) => [target, []]));
    for (let round = 0; round < STEADY_ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const [target, url] of order) {
        const result = await counted(target, 'GET /api/listings/7, 1 000/s', () =>
          steady(`${url}/api/listings/7`, { rate: 1000, seconds: steadySeconds, tool }),
        );
        steadyRuns.get(target)!.push(result);
      }
    }
    printSteady(steadyRuns, steadySeconds);
    const redisTarget = targets.find(([target]) => target === REDIS_TARGET);
    if (redisTarget !== undefined) {
      // One request at a time: no two requests share a call, so this is the per-request cost.
      await counted(REDIS_TARGET, 'GET /api/listings/7, one at a time', () =>
        oneAtATime(`${redisTarget[1]}/api/listings/7`, 500),
      );
      printRoundTrips(trips);
    }
  } finally {
    for (const p of started.reverse()) await p.stop();
    if (redisAdmin !== null) {
      await deletePrefix(redisAdmin, prefix).catch(() => {});
      redisAdmin.disconnect();
    }
    await rm(work, { recursive: true, force: true });
  }
}

/** The bundled default policy with the store on `url` under `prefix`: the same policy as the memory row. */
/** The bundled default policy with one change. */
async function policyWith(change: (doc: Record<string, Record<string, unknown>>) => void): Promise<string> {
  const doc = parse(await readFile(here('../botgate.example.yaml'), 'utf8'));
  change(doc);
  return stringify(doc);
}

function redisPolicy(url: string, prefix: string): Promise<string> {
  return policyWith((doc) => (doc.store = { type: 'redis', url, prefix }));
}

/** `count` GETs, each sent when the previous one has been answered, from different addresses. */
async function oneAtATime(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await request(url, {
      headers: { 'x-forwarded-for': `198.18.${i >> 8}.${(i & 255) + 1}`, accept: 'application/json' },
    });
    await res.body.dump();
  }
}

/** Script calls Redis has run so far (EVALSHA, and EVAL when a script had to be loaded). */
async function scriptCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) calls += Number(match[2]);
  return calls;
}

/** Requests the node has decided so far: the sum of its `botgate_requests_total` series. */
async function decidedRequests(adminUrl: string): Promise<number> {
  const res = await request(`${adminUrl}/metrics`);
  const text = await res.body.text();
  let total = 0;
  for (const match of text.matchAll(/^botgate_requests_total(?:\{[^}]*\})? (\S+)$/gm)) total += Number(match[1]);
  return total;
}

function printRoundTrips(trips: readonly RoundTrips[]): void {
  console.log(
    '\nRedis round trips per request (script calls from INFO commandstats before/after each run; other clients of this Redis add to them):',
  );
  for (const t of trips) {
    const perRequest = t.requests > 0 ? (t.scripts / t.requests).toFixed(3) : 'n/a';
    console.log(
      `  ${t.run.padEnd(36)} ${String(t.scripts).padStart(8)} script calls / ${String(t.requests).padStart(8)} requests = ${perRequest} a request`,
    );
  }
}

function loadTool(name: string | undefined): LoadTool {
  if (name === undefined) return defaultLoadTool();
  if (name === 'wrk' || name === 'autocannon') return name;
  throw new Error(`--load-tool: expected wrk or autocannon, got ${JSON.stringify(name)}`);
}

function printThroughput(rows: readonly Row[]): void {
  console.log(
    `Proxy throughput, ${rows[0]?.result.tool ?? 'wrk'} with 32 connections (2-core machine shared by load generator, proxy and upstream):`,
  );
  console.log(
    `  ${'target'.padEnd(16)} ${'route'.padEnd(22)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ${'ratio'.padStart(5)}  ${'CPU µs/req'.padStart(10)}  CPU ratio`,
  );
  for (const row of rows) {
    const bare = rows.find((r) => r.route === row.route && r.target === 'bare proxy')!;
    const ratio = row.result.requestsPerSecond / bare.result.requestsPerSecond;
    const cpu = Number.isFinite(row.cpuMicrosPerRequest) ? row.cpuMicrosPerRequest.toFixed(0) : '–';
    const cpuRatio = Number.isFinite(row.cpuMicrosPerRequest)
      ? `${(row.cpuMicrosPerRequest / bare.cpuMicrosPerRequest).toFixed(2)}×`
      : '';
    const non2xx = row.result.non2xx > 0 ? `  (${row.result.non2xx} non-2xx)` : '';
    console.log(
      `  ${row.target.padEnd(16)} ${row.route.padEnd(22)} ${row.result.requestsPerSecond.toFixed(0).padStart(9)} ${row.result.p50Ms.toFixed(3).padStart(8)} ${row.result.p99Ms.toFixed(3).padStart(8)}  ${`${ratio.toFixed(2)}×`.padStart(5)}  ${cpu.padStart(10)}  ${cpuRatio.padStart(9)}${non2xx}`,
    );
  }
  console.log(
    '  ratio: throughput against the bare proxy. CPU µs/req: user + system time of the proxy process (all its threads,\n' +
      '  the event writer included) per request, from /proc; it does not depend on how the two cores were shared.',
  );
}

function printSteady(runs: ReadonlyMap<string, readonly Latency[]>, seconds: number): void {
  const how =
    [...runs.values()][0]?.[0]?.tool === 'wrk'
      ? 'wrk, 32 connections each pausing a random time (exponential, 32 ms on average) between an answer and its next request'
      : 'open loop from the benchmark process';
  console.log(
    `\nLatency at a moderate rate (about 1 000 requests/s, GET /api/listings/7, ${how}; ` +
      `median of ${STEADY_ROUNDS} rounds of ${seconds} s, the targets' order turned each round):`,
  );
  const bare = runs.get('bare proxy') ?? [];
  for (const [target, list] of runs) {
    const rate = Math.round(median(list.map((r) => r.rate)));
    const p50 = median(list.map((r) => r.p50Ms));
    const p99 = median(list.map((r) => r.p99Ms));
    const failed = list.reduce((sum, r) => sum + r.failed, 0);
    const sent = list.reduce((sum, r) => sum + r.sent, 0);
    const added =
      target === 'direct' || target === 'bare proxy'
        ? ''
        : `  added p99 vs bare proxy: ${median(list.map((r, i) => r.p99Ms - (bare[i]?.p99Ms ?? Number.NaN))).toFixed(3)} ms`;
    console.log(
      `  ${target.padEnd(16)} ${String(rate).padStart(5)}/s  p50 ${p50.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms  ` +
        `failed ${failed}/${sent}${added}`,
    );
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
