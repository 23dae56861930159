/**
 * The gateway's cost, measured as DESIGN.md asks: in one run, the same requests go straight to
 * the upstream, through a bare undici proxy (the baseline), and through botgate with the
 * bundled default policy and its SQLite event sink. Prints requests/s and p50/p99 of each and
 * botgate's ratio to the bare proxy, then the added latency at a moderate fixed rate.
 *
 *   node --import tsx bench/proxy.ts [--seconds 8] [--store redis://127.0.0.1:6379]
 *
 * Every process shares one 2-core machine with the load generator, so absolute figures are
 * lower than on a dedicated host; the ratios are the result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchProcess, startJsonLineProcess } from './processes.js';
import { saturate, steady, type Throughput } from './load.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const TSX = ['--import', 'tsx'];

interface Row {
  readonly target: string;
  readonly route: string;
  readonly result: Throughput;
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { seconds: { type: 'string', default: '8' }, store: { type: 'string' } } });
  const seconds = Number(values.seconds);
  const work = await mkdtemp(join(tmpdir(), 'botgate-bench-'));
  const started: BenchProcess[] = [];
  try {
    const upstream = await startJsonLineProcess(process.execPath, [...TSX, here('./upstream.ts')]);
    started.push(upstream);
    const upstreamUrl = upstream.addresses.upstream!;
    const bare = await startJsonLineProcess(process.execPath, [...TSX, here('./bare-proxy.ts'), upstreamUrl]);
    started.push(bare);
    const gatewayArgs = ['run', '--upstream', upstreamUrl, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--trusted-proxies', '127.0.0.1', '--log-level', 'silent'];
    const botgate = await startJsonLineProcess(process.execPath, [here('../bin/botgate'), ...gatewayArgs], {
      cwd: work,
      env: { BOTGATE_SECRET: 'bench-secret-0123456789abcdef' },
    });
    started.push(botgate);
    const targets: [string, string][] = [
      ['direct', upstreamUrl],
      ['bare proxy', bare.addresses.proxy!],
      ['botgate', botgate.addresses.gateway!],
    ];
    if (values.store) {
      const redis = await startJsonLineProcess(process.execPath, [here('../bin/botgate'), ...gatewayArgs, '--store', values.store], {
        cwd: work,
        env: { BOTGATE_SECRET: 'bench-secret-0123456789abcdef' },
      });
      started.push(redis);
      targets.push(['botgate (redis)', redis.addresses.gateway!]);
    }

    const rows: Row[] = [];
    for (const [route, method, path] of [
      ['GET /api/listings/7', 'GET', '/api/listings/7'],
      ['POST /api/login', 'POST', '/api/login'],
    ] as const) {
      for (const [target, url] of targets) {
        // A short warm-up lets the JIT and the keep-alive pools settle before measuring.
        await saturate(url + path, { seconds: 1, connections: 32, method });
        rows.push({ target, route, result: await saturate(url + path, { seconds, connections: 32, method }) });
      }
    }
    printThroughput(rows);

    console.log('\nAdded latency at a moderate fixed rate (1 000 requests/s, open loop, GET /api/listings/7):');
    const steadyRows: [string, Awaited<ReturnType<typeof steady>>][] = [];
    for (const [target, url] of targets) steadyRows.push([target, await steady(`${url}/api/listings/7`, { rate: 1000, seconds: Math.max(4, seconds / 2) })]);
    const bareSteady = steadyRows.find(([t]) => t === 'bare proxy')![1];
    for (const [target, r] of steadyRows) {
      const added = target === 'direct' || target === 'bare proxy' ? '' : `  added p99 vs bare proxy: ${(r.p99Ms - bareSteady.p99Ms).toFixed(3)} ms`;
      console.log(`  ${target.padEnd(16)} p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  failed ${r.failed}/${r.sent}${added}`);
    }
  } finally {
    for (const p of started.reverse()) await p.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function printThroughput(rows: readonly Row[]): void {
  console.log(`Proxy throughput, ${rows[0]?.result.tool ?? 'wrk'} with 32 connections (2-core machine shared by load generator, proxy and upstream):`);
  console.log(`  ${'target'.padEnd(16)} ${'route'.padEnd(22)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  ratio to bare proxy`);
  for (const row of rows) {
    const bare = rows.find((r) => r.route === row.route && r.target === 'bare proxy')!.result;
    const ratio = row.result.requestsPerSecond / bare.requestsPerSecond;
    const non2xx = row.result.non2xx > 0 ? `  (${row.result.non2xx} non-2xx)` : '';
    console.log(
      `  ${row.target.padEnd(16)} ${row.route.padEnd(22)} ${row.result.requestsPerSecond.toFixed(0).padStart(9)} ${row.result.p50Ms.toFixed(3).padStart(8)} ${row.result.p99Ms.toFixed(3).padStart(8)}  ${ratio.toFixed(2)}×${non2xx}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
