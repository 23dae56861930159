/**
 * Load generators for the proxy benchmark. `saturate` drives a target as hard as it goes with
 * wrk (a separate C process; autocannon in this process when wrk is not installed) for
 * throughput. `steady` sends a fixed, moderate rate and measures each latency: the "added p99
 * at moderate load" figure, which a tool at saturation cannot give. With wrk, each of 32
 * connections pauses a random time between an answer and its next request (exponential, so
 * arrivals are independent: see wrk/clients.lua), and wrk (C, its own process) times every
 * request; without wrk, this process sends open loop on a 1 ms timer, whose own event-loop
 * jitter shows in the tail (a p99 there says less about the target).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';

export interface Throughput {
  readonly requestsPerSecond: number;
  /** Requests completed in the measured run. */
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly tool: 'wrk' | 'autocannon';
}

const WRK = '/usr/bin/wrk';
const SCRIPT = fileURLToPath(new URL('./wrk/clients.lua', import.meta.url));

export type LoadTool = Throughput['tool'];

/** wrk where it is installed (a C process, so it takes less of the machine), else autocannon. */
export const defaultLoadTool = (): LoadTool => (existsSync(WRK) ? 'wrk' : 'autocannon');

export async function saturate(
  url: string,
  options: { seconds: number; connections: number; method: 'GET' | 'POST'; tool?: LoadTool },
): Promise<Throughput> {
  if ((options.tool ?? defaultLoadTool()) === 'wrk') {
    const { stdout } = await promisify(execFile)(
      WRK,
      ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', SCRIPT, url],
      { env: { ...process.env, BOTGATE_BENCH_METHOD: options.method } },
    );
    return parseWrk(stdout);
  }
  const { default: autocannon } = await import('autocannon');
  let counter = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    headers: { ...BROWSER_HEADERS },
    requests: [
      {
        // As bench/wrk/clients.lua does: every request from another client address, so the
        // gateway's per-client state sees a load balancer's spread of keys, not one flooding IP.
        setupRequest: (req) => {
          counter++;
          const headers = { ...req.headers, 'x-forwarded-for': benchClientAddress(counter) };
          if (options.method === 'GET') return { ...req, method: 'GET', headers };
          return {
            ...req,
            method: 'POST',
            headers: { ...headers, 'user-agent': APP_USER_AGENT, 'content-type': 'application/json' },
            body: `{"username":"user${counter}@example.com","password":"not-the-password"}`,
          };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    tool: 'autocannon',
  };
}

/** A real browser's headers, as bench/wrk/clients.lua sends them. */
const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'application/json, text/plain, */*',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
};

/** The site's mobile app, which posts JSON logins (not held to a browser's page-visit evidence). */
const APP_USER_AGENT = 'Marketplace/4.2.1 (iPhone; iOS 17.5; Scale/3.00)';

/** The nth benchmark client's address, spread over 198.18.0.0/15 (RFC 2544) as clients.lua does. */
function benchClientAddress(nth: number): string {
  const n = (nth * 2654435761) % 131072;
  return `198.${18 + (n % 2)}.${Math.floor(n / 512) % 256}.${(n % 254) + 1}`;
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
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  return { requestsPerSecond: rps, requests, p50Ms: pct('50'), p99Ms: pct('99'), non2xx, tool: 'wrk' };
}

export interface Latency {
  readonly sent: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
  /** Requests a second actually sent. */
  readonly rate: number;
  /** wrk, or this process's own undici client. */
  readonly tool: 'wrk' | 'undici';
}

const PACED_CONNECTIONS = 32;

/** About `rate` requests a second for `seconds`; see the header for how each tool paces them. */
export async function steady(
  url: string,
  options: { rate: number; seconds: number; tool?: LoadTool },
): Promise<Latency> {
  if ((options.tool ?? defaultLoadTool()) === 'wrk') return paced(url, options);
  return openLoop(url, options);
}

/** wrk, each connection pausing so that all of them together send about `rate` a second. */
async function paced(url: string, options: { rate: number; seconds: number }): Promise<Latency> {
  const pauseMs = Math.max(1, Math.round((PACED_CONNECTIONS * 1000) / options.rate));
  const { stdout } = await promisify(execFile)(
    WRK,
    ['-t1', `-c${PACED_CONNECTIONS}`, `-d${options.seconds}s`, '--latency', '-s', SCRIPT, url],
    { env: { ...process.env, BOTGATE_BENCH_METHOD: 'GET', BOTGATE_BENCH_PAUSE_MS: String(pauseMs) } },
  );
  const run = parseWrk(stdout);
  // "Socket errors: connect 0, read 0, write 0, timeout 0", printed only when there were some.
  const errors = (/Socket errors:(.*)/.exec(stdout)?.[1] ?? '')
    .split(',')
    .reduce((sum, part) => sum + Number(/\d+/.exec(part)?.[0] ?? 0), 0);
  return {
    sent: run.requests,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    failed: run.non2xx + errors,
    rate: run.requestsPerSecond,
    tool: 'wrk',
  };
}

/** `rate` requests a second for `seconds`, open loop from this process; each latency measured from its send. */
async function openLoop(url: string, options: { rate: number; seconds: number }): Promise<Latency> {
  const agent = new Agent({ connections: 32, pipelining: 1 });
  const latencies: number[] = [];
  let failed = 0;
  const inflight: Promise<void>[] = [];
  const total = options.rate * options.seconds;
  const start = performance.now();
  let n = 0;
  while (n < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * options.rate);
    while (n < Math.min(due, total)) {
      n++;
      const sentAt = performance.now();
      inflight.push(
        request(url, {
          dispatcher: agent,
          headers: { ...BROWSER_HEADERS, 'x-forwarded-for': benchClientAddress(n) },
        }).then(
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
  const elapsedSeconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { sent: total, p50Ms: at(0.5), p99Ms: at(0.99), failed, rate: total / elapsedSeconds, tool: 'undici' };
}
