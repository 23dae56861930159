/**
 * An in-process stack for detection tests: the real demo marketplace and the real gateway on
 * loopback ports, with a manual clock so typing delays and windows are exact, and a client
 * that plays a load balancer (a trusted loopback hop setting X-Forwarded-For).
 */
import { request } from 'undici';
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import type { PolicyDocument } from '../../src/config/schema.js';
import { type Marketplace, startMarketplace } from '../../src/demo/marketplace.js';
import { generateDemoUsers } from '../../src/demo/users.js';
import { silentLogger } from '../../src/gateway/logger.js';
import { type RunningGateway, startGateway } from '../../src/gateway/start.js';
import { ManualClock } from '../../src/state/clock.js';

export const CHROME = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'upgrade-insecure-requests': '1',
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-user': '?1',
  'sec-fetch-dest': 'document',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en;q=0.9',
};

export interface Stack {
  readonly gateway: RunningGateway;
  readonly marketplace: Marketplace;
  readonly clock: ManualClock;
  readonly users: ReturnType<typeof generateDemoUsers>;
  close(): Promise<void>;
}

export async function startStack(patch: (doc: PolicyDocument) => PolicyDocument = (d) => d): Promise<Stack> {
  const users = generateDemoUsers(50);
  const marketplace = await startMarketplace({ users });
  const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));
  const base = await loadPolicyFile(defaultPolicyPath());
  const doc = patch({
    ...base,
    listen: '127.0.0.1:0',
    admin: { listen: '127.0.0.1:0', token: 'test-admin-token-0123456789' },
    upstream: { ...base.upstream, url: marketplace.url },
    trustedProxies: ['127.0.0.1'],
    secret: 'test-secret-0123456789abcdef',
    events: { ...base.events, sqlite: false },
  });
  const gateway = await startGateway(doc, { logger: silentLogger, clock });
  return {
    gateway,
    marketplace,
    clock,
    users,
    async close() {
      await gateway.close();
      await marketplace.close();
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly id: string;
  readonly body: string;
  readonly setCookie: string[];
  readonly location: string | undefined;
}

/** One request as a client at `ip` (through the trusted loopback hop). */
export async function send(
  stack: Stack,
  ip: string,
  method: 'GET' | 'POST',
  path: string,
  options: { headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; cookie?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? CHROME), 'x-forwarded-for': ip };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.cookie) headers.cookie = options.cookie;
  const res = await request(`${stack.gateway.gatewayUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.body.text();
  const raw = res.headers['set-cookie'];
  return {
    status: res.statusCode,
    id: String(res.headers['x-botgate-id']),
    body: text,
    setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
    location: res.headers.location as string | undefined,
  };
}

/** The reference ids the marketplace received. */
export async function receivedIds(stack: Stack): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = 0;
  for (;;) {
    const res = await request(`${stack.marketplace.url}/__demo/received?after=${after}`);
    const page = (await res.body.json()) as { next: number; items: { id: string | null }[] };
    if (page.items.length === 0) return ids;
    for (const item of page.items) if (item.id) ids.add(item.id);
    after = page.next;
  }
}

/** The device cookie botgate set, as a Cookie header value. */
export function deviceCookie(answer: Answer): string | undefined {
  const set = answer.setCookie.find((c) => c.startsWith('__bg_d='));
  return set?.split(';')[0];
}
