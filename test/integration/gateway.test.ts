/**
 * The gateway end to end: the real demo marketplace and the real gateway as processes on free
 * loopback ports, talked to over HTTP and raw sockets.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type RunningProcess, startBotgate } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'integration-admin-token-0123456789';
const SECRET = 'integration-secret-0123456789abcdef';
/** What Chrome 131 sends to a potentially trustworthy origin such as 127.0.0.1. */
const CHROME_HEADERS = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'upgrade-insecure-requests': '1',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-user': '?1',
  'sec-fetch-dest': 'document',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en;q=0.9',
};

let upstream: RunningProcess;
let gateway: RunningProcess;
let gatewayUrl: string;
let adminUrl: string;
let upstreamUrl: string;

async function admin(path: string, token: string | null = TOKEN) {
  const res = await request(`${adminUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.body.text();
  return { status: res.statusCode, body: text.startsWith('{') ? JSON.parse(text) : text };
}

async function eventFor(id: string) {
  // Events are recorded when the response closes; poll briefly for the ring to have it.
  for (let i = 0; i < 50; i++) {
    const res = await admin(`/api/events/${id}`);
    if (res.status === 200) return res.body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no event ${id}`);
}

beforeAll(async () => {
  upstream = await startBotgate(['marketplace', '--listen', '127.0.0.1:0']);
  upstreamUrl = upstream.addresses.upstream!;
  gateway = await startBotgate(
    [
      'run',
      '--upstream',
      upstreamUrl,
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
    ],
    { BOTGATE_ADMIN_TOKEN: TOKEN, BOTGATE_SECRET: SECRET },
  );
  gatewayUrl = gateway.addresses.gateway!;
  adminUrl = gateway.addresses.admin!;
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
  killAll();
});

describe('forwarding', () => {
  it('proxies a page with the reference id to the client and tags to the upstream', async () => {
    const res = await request(`${gatewayUrl}/login`, { headers: CHROME_HEADERS });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('<form');
    const id = res.headers['x-botgate-id'] as string;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    const received = await request(`${upstreamUrl}/__demo/received?after=0`);
    const { items } = (await received.body.json()) as { items: { id: string | null; forwardedFor: string }[] };
    const seen = items.find((i) => i.id === id);
    expect(seen).toBeDefined();
    expect(seen!.forwardedFor).toBe('127.0.0.1');
  });

  it('passes a browser login form through after its page visit, and sets the device cookie', async () => {
    const page = await request(`${gatewayUrl}/login`, { headers: CHROME_HEADERS });
    await page.body.dump();
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^__bg_d=[0-9a-f]{16}\./);
    // A person takes longer than detection.login.minTypingMs to fill the form.
    await new Promise((r) => setTimeout(r, 1_000));
    const res = await request(`${gatewayUrl}/login`, {
      method: 'POST',
      headers: { ...CHROME_HEADERS, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=wrong-user&password=wrong-password',
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toContain('Invalid username or password');
  });

  it('forwards a malformed JSON login body and marks it, never a 500', async () => {
    const res = await request(`${gatewayUrl}/api/login`, {
      method: 'POST',
      headers: { ...CHROME_HEADERS, 'content-type': 'application/json' },
      body: '{"username": "alice", "password": ',
    });
    expect(res.statusCode).toBe(400); // the marketplace's own answer
    await res.body.dump();
    const event = await eventFor(res.headers['x-botgate-id'] as string);
    expect(event.event.upstreamStatus).toBe(400);
    expect(event.explanation.findings.map((f: { reason: string }) => f.reason)).toContain('body.malformed');
  });

  it('streams a body of a flow without fields through untouched', async () => {
    const body = 'x'.repeat(200_000);
    const res = await request(`${gatewayUrl}/some/upload`, { method: 'PUT', headers: CHROME_HEADERS, body });
    expect(res.statusCode).toBe(404); // the marketplace has no such route, but it got the request
    await res.body.dump();
  });
});

describe('decisions', () => {
  it('blocks an automation tool on login with a reference id the admin API explains', async () => {
    const res = await request(`${gatewayUrl}/login`, {
      method: 'POST',
      headers: { 'user-agent': 'Mozilla/5.0 (Hydra)', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=secret123',
    });
    expect(res.statusCode).toBe(403);
    const body = (await res.body.json()) as { error: string; referenceId: string };
    expect(body.error).toBe('blocked');
    expect(body.referenceId).toBe(res.headers['x-botgate-id']);
    const explained = await eventFor(body.referenceId);
    expect(explained.event.action).toBe('block');
    expect(explained.event.decidedBy).toMatch(/^rule\//);
    expect(explained.event.usernameHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(explained)).not.toContain('secret123');
    expect(JSON.stringify(explained)).not.toContain('"alice"');
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const res = await request(`${gatewayUrl}/`, { headers: { ...CHROME_HEADERS, 'x-forwarded-for': '198.51.100.77' } });
    await res.body.dump();
    const event = await eventFor(res.headers['x-botgate-id'] as string);
    expect(event.event.ip).toBe('127.0.0.1');
  });

  it('drops forged botgate tag headers sent by the client', async () => {
    const res = await request(`${gatewayUrl}/`, {
      headers: { ...CHROME_HEADERS, 'x-botgate-decision': 'allow', 'x-botgate-id': 'forged' },
    });
    await res.body.dump();
    expect(res.headers['x-botgate-id']).not.toBe('forged');
  });
});

describe('bad input', () => {
  it('answers 413 to a body over the limit on a flow with fields', async () => {
    const res = await request(`${gatewayUrl}/api/login`, {
      method: 'POST',
      headers: { ...CHROME_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'a', password: 'x'.repeat(100_000) }),
    });
    expect(res.statusCode).toBe(413);
    await res.body.dump();
  });

  it('answers 431 to too many header lines and to an oversized head', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 150; i++) many[`x-filler-${i}`] = 'y';
    const res = await request(`${gatewayUrl}/`, { headers: { ...CHROME_HEADERS, ...many } });
    expect(res.statusCode).toBe(431);
    await res.body.dump();
    const raw = await rawExchange(gatewayUrl, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431/);
  });

  it('answers 400 to a request Node cannot parse, and keeps serving', async () => {
    const raw = await rawExchange(
      gatewayUrl,
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const res = await request(`${gatewayUrl}/`, { headers: CHROME_HEADERS });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('survives a client that aborts mid-body and records the exchange', async () => {
    const socket = connect(Number(new URL(gatewayUrl).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"username":',
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await request(`${gatewayUrl}/`, { headers: CHROME_HEADERS });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const { body } = await admin('/api/events?limit=20');
    expect(body.events.some((e: { path: string; status: number }) => e.path === '/api/login' && e.status === 0)).toBe(
      true,
    );
  });
});

describe('admin API', () => {
  it('refuses /api/* without the token, serves health and metrics without it', async () => {
    expect((await admin('/api/events', null)).status).toBe(401);
    expect((await admin('/api/events', 'wrong-token')).status).toBe(401);
    expect((await admin('/healthz', null)).status).toBe(200);
    expect((await admin('/readyz', null)).status).toBe(200);
    const metrics = await admin('/metrics', null);
    expect(metrics.body).toContain('botgate_requests_total{flow="login-form",action="block",enforced="true"}');
    expect(metrics.body).toContain('botgate_decision_duration_seconds_bucket');
  });

  it('lists events newest first and rejects bad parameters', async () => {
    const { status, body } = await admin('/api/events?limit=5');
    expect(status).toBe(200);
    expect(body.events.length).toBeLessThanOrEqual(5);
    const times = body.events.map((e: { time: number }) => e.time);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect((await admin('/api/events?limit=0')).status).toBe(400);
    expect((await admin('/api/events?limit=abc')).status).toBe(400);
    expect((await admin('/api/events/not-an-id')).status).toBe(400);
    expect((await admin('/api/events/0000000000000000')).status).toBe(404);
  });
});

describe('upstream faults', () => {
  let slow: Server;
  let slowUrl: string;
  let faulty: RunningProcess;

  beforeAll(async () => {
    slow = createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late'), 3_000).unref();
      else if (req.url === '/medium') setTimeout(() => res.end('medium'), 400).unref();
      else res.end('ok');
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const dir = await tempDir('botgate-it-');
    const config = join(dir, 'policy.yaml');
    await writeFile(config, `upstream:\n  url: ${slowUrl}\n  responseTimeoutMs: 1000\nevents:\n  sqlite: false\n`);
    faulty = await startBotgate([
      'run',
      '--config',
      config,
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
    ]);
  });

  afterAll(async () => {
    await faulty?.stop();
    slow?.closeAllConnections();
    await new Promise((r) => slow?.close(r));
  });

  it('answers 504 with a reference id when the upstream is too slow', async () => {
    const res = await request(`${faulty.addresses.gateway}/slow`, { headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(504);
    const body = (await res.body.json()) as { error: string; referenceId: string };
    expect(body.error).toBe('upstream_timeout');
    expect(body.referenceId).toBe(res.headers['x-botgate-id']);
  });

  it('answers 502 when the upstream is down, and the gateway stays up', async () => {
    const down = await startBotgate([
      'run',
      '--upstream',
      'http://127.0.0.1:9',
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
    ]);
    try {
      const res = await request(`${down.addresses.gateway}/`, { headers: CHROME_HEADERS });
      expect(res.statusCode).toBe(502);
      expect(await res.body.text()).toContain('reference');
      const again = await request(`${down.addresses.gateway}/`, { headers: { accept: 'application/json' } });
      expect(again.statusCode).toBe(502);
      await again.body.dump();
    } finally {
      expect(await down.stop()).toBe(0);
    }
  });

  it('on SIGTERM finishes in-flight requests, then exits 0', async () => {
    const inFlight = request(`${faulty.addresses.gateway}/medium`);
    await new Promise((r) => setTimeout(r, 100));
    const exited = faulty.stop();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('medium');
    expect(await exited).toBe(0);
  });
});

function rawExchange(base: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(base).port), '127.0.0.1', () => socket.end(payload));
    let data = '';
    socket.setEncoding('utf8').on('data', (c: string) => {
      data += c;
    });
    socket.on('close', () => resolve(data));
    socket.on('error', (err) => (data ? resolve(data) : reject(err)));
  });
}
