/**
 * The gateway on a Redis store that cannot reach Redis: no request fails because of it, the
 * fail mode decides what protected flows get (evaluate.ts, `store/degraded`), and /readyz and
 * /metrics say so. A real gateway in process, a real upstream, a Redis port nothing listens on.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicyText } from '../../src/config/load.js';
import { silentLogger } from '../../src/gateway/logger.js';
import { type RunningGateway, startGateway } from '../../src/gateway/start.js';
import type { FailMode } from '../../src/state/degraded-mode.js';
import { freePort } from '../state/redis-process.js';

const BROWSER = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  accept: 'application/json',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'content-type': 'application/json',
};

let upstream: Server | null = null;
let gateway: RunningGateway | null = null;
let forwarded: string[] = [];

afterEach(async () => {
  await gateway?.close();
  gateway = null;
  upstream?.close();
  upstream = null;
});

async function start(failMode: FailMode): Promise<RunningGateway> {
  forwarded = [];
  upstream = createServer((req, res) => {
    forwarded.push(`${req.method} ${req.url} ${req.headers['x-botgate-decided-by']}`);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const redisPort = await freePort(); // nothing listens there
  const doc = parsePolicyText(
    `mode: enforce
listen: 127.0.0.1:0
secret: degraded-store-secret-0123456789
upstream:
  url: http://127.0.0.1:${upstreamPort}
admin:
  listen: 127.0.0.1:0
events:
  sqlite: false
store:
  type: redis
  url: redis://127.0.0.1:${redisPort}
  failMode: ${failMode}
flows:
  - name: login
    kind: login
    match: { methods: [POST], path: /login }
    fields: { username: username, password: password }
  - name: home
    kind: page
    match: { methods: [GET], path: / }
rules:
  - name: login-rate
    flows: [login]
    ratelimit: { key: ip, limit: 1000, windowSeconds: 60 }
    action: ratelimit
`,
    'degraded-store test',
  );
  gateway = await startGateway(doc, { logger: silentLogger });
  return gateway;
}

const login = (url: string) =>
  request(`${url}/login`, {
    method: 'POST',
    headers: BROWSER,
    body: JSON.stringify({ username: 'alice', password: 'pw' }),
  });

async function decisions(gw: RunningGateway): Promise<string[]> {
  const events = await gw.recorder.ring.recent(100);
  return events.map((e) => `${e.flow} ${e.action} ${e.decidedBy}`).reverse();
}

describe('a gateway whose Redis is unreachable', () => {
  it('fails closed: protected flows are challenged by store/degraded, other flows go through', async () => {
    const gw = await start('closed');
    const challenged = await login(gw.gatewayUrl);
    await challenged.body.text();
    expect(challenged.statusCode).toBeLessThan(500);
    const page = await request(`${gw.gatewayUrl}/`, { headers: BROWSER });
    expect(page.statusCode).toBe(200);
    await page.body.text();
    expect(forwarded).toEqual(['GET / default/allow']);
    expect(await decisions(gw)).toEqual(['login challenge store/degraded', 'home allow default/allow']);

    const ready = await request(`${gw.adminUrl}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toMatchObject({ store: { name: 'redis', ok: true, degraded: true } });
    const metrics = await (await request(`${gw.adminUrl}/metrics`)).body.text();
    expect(metrics).toMatch(/^botgate_store_degraded 1$/m);
    expect(metrics).toMatch(/^botgate_store_errors_total\{store="redis"\} [1-9]/m);
  });

  it('fails open: protected flows are decided on local state and forwarded', async () => {
    const gw = await start('open');
    const res = await login(gw.gatewayUrl);
    expect(await res.body.text()).toBe('ok');
    expect(res.statusCode).toBe(200);
    expect(forwarded).toEqual(['POST /login default/allow']);
    const ready = await request(`${gw.adminUrl}/readyz`);
    expect(await ready.body.json()).toMatchObject({ store: { name: 'redis', degraded: true } });
  });
});
