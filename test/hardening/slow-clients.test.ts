/**
 * Slow and idle clients: header and body timeouts, the per-address connection cap, and real
 * requests served through a flood of idle connections. Everything on 127.0.0.x (Linux routes the
 * whole 127/8 to loopback, so 127.0.0.2 and 127.0.0.3 are two clients), bounded in count.
 *
 * The timeouts here are short (1 s for the head) so the suite stays fast; the bound checked is
 * "well before Node's unconfigured 30 s check", not a latency.
 */
import { connect, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/start.js';
import { portOf, startHardenedGateway } from './support/gateway.js';
import { type RawUpstream, startRawUpstream } from './support/raw-upstream.js';

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 1_500;
const CAP = 20;
const ATTACKER = '127.0.0.3';
const USER = '127.0.0.2';
const PROXY = '127.0.0.4';

let upstream: RawUpstream;
let gateway: RunningGateway;
let port: number;
const opened: Socket[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream();
  gateway = await startHardenedGateway(upstream.url, (doc) => ({
    ...doc,
    trustedProxies: [PROXY],
    limits: {
      ...doc.limits,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: 500,
      connectionsCheckingIntervalMs: 100,
      maxConnectionsPerIp: CAP,
    },
  }));
  port = portOf(gateway);
});

afterAll(async () => {
  for (const s of opened) s.destroy();
  await gateway?.close();
  await upstream?.close();
});

beforeEach(() => upstream.clear());

interface Watched {
  readonly socket: Socket;
  readonly openedAt: number;
  /** What the gateway wrote before closing, and when it closed. */
  readonly closed: Promise<{ data: string; afterMs: number }>;
}

async function openFrom(localAddress: string, first?: string): Promise<Watched> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  opened.push(socket);
  const openedAt = performance.now();
  let data = '';
  socket.on('data', (c: Buffer) => {
    data += c.toString('latin1');
  });
  socket.on('error', () => {});
  // Not events.once: it rejects on 'error', and a refused connection is reset.
  const closed = new Promise<{ data: string; afterMs: number }>((resolve) =>
    socket.once('close', () => resolve({ data, afterMs: performance.now() - openedAt })),
  );
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  if (first !== undefined && !socket.destroyed) socket.write(first);
  return { socket, openedAt, closed };
}

const dispatcherFor = (localAddress: string) => new Agent({ connect: { localAddress } });

const isOpen = (w: Watched) => w.socket.readyState === 'open';

/** Waits until `check` holds (the gateway accepts and refuses connections at its own pace). */
async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('idle and slow connections', () => {
  it('serves a real user while one address floods it with idle connections', async () => {
    const flood = await Promise.all(Array.from({ length: 200 }, () => openFrom(ATTACKER)));
    // Refused connections are closed at once; admitted ones wait for the head timeout.
    await eventually(() => flood.filter(isOpen).length <= CAP);
    const stillOpen = flood.filter(isOpen);

    const dispatcher = dispatcherFor(USER);
    const res = await request(`${gateway.gatewayUrl}/`, {
      dispatcher,
      headers: { 'user-agent': 'Mozilla/5.0', accept: 'text/html' },
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await dispatcher.close();

    // The admitted idle connections are answered 408 and closed by the head timeout.
    const ends = await Promise.all(stillOpen.map((w) => w.closed));
    for (const end of ends) {
      expect(end.data).toMatch(/^HTTP\/1\.1 408 /);
      expect(end.data).toMatch(/x-botgate-id: [0-9a-f]{16}/);
      expect(end.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS * 4);
    }
    // The user's request, and nothing of the flood.
    expect(upstream.received).toHaveLength(1);
    console.log(
      `idle connections closed after ${Math.round(Math.min(...ends.map((e) => e.afterMs)))}–${Math.round(Math.max(...ends.map((e) => e.afterMs)))} ms (headersTimeoutMs ${HEADERS_TIMEOUT_MS})`,
    );
  });

  it('answers 408 to a head sent a byte at a time (slowloris) when the head timeout passes', async () => {
    const slow = await openFrom(USER, 'G');
    const head = 'ET / HTTP/1.1\r\nHost: a\r\nX-Slow: yes\r\n\r\n';
    let i = 0;
    const drip = setInterval(() => {
      if (i < head.length && !slow.socket.destroyed) slow.socket.write(head[i++]!);
    }, 100);
    const end = await slow.closed;
    clearInterval(drip);
    expect(end.data).toMatch(/^HTTP\/1\.1 408 /);
    expect(end.afterMs).toBeLessThan(HEADERS_TIMEOUT_MS * 4);
    expect(upstream.received).toHaveLength(0);
  });

  it('answers 408 to a login body sent too slowly, and the application never sees it', async () => {
    const slow = await openFrom(
      USER,
      'POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=',
    );
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write('a');
    }, 100);
    const end = await slow.closed;
    clearInterval(drip);
    expect(end.data).toMatch(/^HTTP\/1\.1 408 /);
    expect(end.afterMs).toBeLessThan(REQUEST_TIMEOUT_MS * 4);
    expect(upstream.received).toHaveLength(0);
  });

  it('cuts a streamed body sent too slowly; the application gets no complete request', async () => {
    const slow = await openFrom(USER, 'PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nxxxx');
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write('x');
    }, 100);
    await slow.closed;
    clearInterval(drip);
    expect(upstream.received).toHaveLength(0);
  });

  it('closes an idle keep-alive connection', async () => {
    const idle = await openFrom(USER, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const end = await idle.closed;
    expect(end.data).toMatch(/^HTTP\/1\.1 200 /);
    expect(upstream.received).toHaveLength(1);
  });
});

async function refusedMetric(gateway: RunningGateway, reason: string): Promise<number> {
  const res = await request(`${gateway.adminUrl}/metrics`);
  const text = await res.body.text();
  const line = text.split('\n').find((l) => l.startsWith(`botgate_connections_refused_total{reason="${reason}"}`));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('connections per address', () => {
  let capped: RunningGateway;
  let cappedPort: number;
  beforeAll(async () => {
    capped = await startHardenedGateway(upstream.url, (doc) => ({
      ...doc,
      trustedProxies: [PROXY],
      limits: { ...doc.limits, headersTimeoutMs: 20_000, requestTimeoutMs: 25_000, maxConnectionsPerIp: CAP },
    }));
    cappedPort = portOf(capped);
  });
  afterAll(async () => {
    await capped?.close();
  });

  const openTo = async (localAddress: string, first?: string): Promise<Watched> => {
    const saved = port;
    port = cappedPort;
    try {
      return await openFrom(localAddress, first);
    } finally {
      port = saved;
    }
  };

  it('keeps at most the cap open per address, admits again below it, and never caps a trusted proxy', async () => {
    const first = await Promise.all(
      Array.from({ length: CAP + 10 }, () => openTo(ATTACKER, 'GET / HTTP/1.1\r\nHost: a\r\n')),
    );
    await eventually(() => first.filter(isOpen).length === CAP);
    // Each connection closed at the cap is counted, by reason.
    expect(await refusedMetric(capped, 'per_ip_cap')).toBe(10);
    for (const w of first) w.socket.destroy();
    await Promise.all(first.map((w) => w.closed));
    // The gateway sees the closes at its own pace; a new connection is admitted once it has.
    let served = '';
    for (let attempt = 0; attempt < 50 && !served.startsWith('HTTP/1.1 200'); attempt++) {
      const again = await openTo(ATTACKER, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      served = (await again.closed).data;
      if (!served) await new Promise((r) => setTimeout(r, 20));
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 /);

    const proxied = await Promise.all(Array.from({ length: CAP * 2 }, () => openTo(PROXY)));
    await new Promise((r) => setTimeout(r, 300));
    expect(proxied.filter(isOpen).length).toBe(CAP * 2);
    for (const w of proxied) w.socket.destroy();
  });
});
