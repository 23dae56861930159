/**
 * Load generators for the proxy benchmark. `saturate` drives a target as hard as it goes with
 * wrk (a separate C process; autocannon in this process when wrk is not installed) for
 * throughput. `steady` sends a fixed rate, open loop, from this process and measures each
 * latency in microseconds: the "added p99 at moderate load" figure, which a closed-loop tool
 * at saturation cannot give.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';

export interface Throughput {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly tool: 'wrk' | 'autocannon';
}

const WRK = '/usr/bin/wrk';
const SCRIPT = fileURLToPath(new URL('./wrk/clients.lua', import.meta.url));

export async function saturate(url: string, options: { seconds: number; connections: number; method: 'GET' | 'POST' }): Promise<Throughput> {
  if (existsSync(WRK)) {
    const { stdout } = await promisify(execFile)(
      WRK,
      ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', SCRIPT, url],
      { env: { ...process.env, BOTGATE_BENCH_METHOD: options.method } },
    );
    return parseWrk(stdout);
  }
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method,
    headers: { 'x-forwarded-for': '198.18.0.1', 'content-type': 'application/json' },
    ...(options.method === 'POST' ? { body: '{"username":"user@example.com","password":"x"}' } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    tool: 'autocannon',
  };
}

function parseWrk(out: string): Throughput {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return Number.NaN;
    const value = Number(m[1]);
    return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { requestsPerSecond: rps, p50Ms: pct('50'), p99Ms: pct('99'), non2xx, tool: 'wrk' };
}

export interface Latency {
  readonly sent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
}

/** `rate` requests a second for `seconds`, open loop; each latency measured from its send. */
export async function steady(url: string, options: { rate: number; seconds: number }): Promise<Latency> {
  const agent = new Agent({ connections: 32, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const total = options.rate * options.seconds;
  const start = performance.now();
  let n = 0;
  const headers = {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    accept: 'application/json, text/plain, */*',
    'accept-language': 'en-GB,en;q=0.9',
    'accept-encoding': 'gzip, deflate, br, zstd',
  };
  while (n < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * options.rate);
    while (n < Math.min(due, total)) {
      n++;
      const sentAt = performance.now();
      const ip = `198.18.${(n >> 8) & 255}.${(n & 255) || 1}`;
      inflight.push(
        request(url, { dispatcher: agent, headers: { ...headers, 'x-forwarded-for': ip } }).then(
          async (res) => {
            await res.body.dump();
            if (res.statusCode >= 400) failed++;
            latencies.push(performance.now() - sentAt);
          },
          () => {
            failed++;
          },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await agent.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { sent: total, p50Ms: at(0.5), p99Ms: at(0.99), failed };
}
