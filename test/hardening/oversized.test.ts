/**
 * Oversized inputs: each answered with the right 4xx before botgate buffers more than its
 * limits, and nothing of it reaching the application.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/start.js';
import { portOf, rawExchange, SENTINEL_PATH, startHardenedGateway } from './support/gateway.js';
import { type RawUpstream, startRawUpstream } from './support/raw-upstream.js';

const MAX_BODY = 4_096;
let upstream: RawUpstream;
let gateway: RunningGateway;
let port: number;

beforeAll(async () => {
  upstream = await startRawUpstream();
  gateway = await startHardenedGateway(upstream.url, (doc) => ({
    ...doc,
    limits: { ...doc.limits, maxBodyBytes: MAX_BODY },
  }));
  port = portOf(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

beforeEach(() => upstream.clear());

const forwarded = () => upstream.received.filter((r) => r.target !== SENTINEL_PATH);
const login = (headers: string, body: Buffer | string) =>
  Buffer.concat([
    Buffer.from(`POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n${headers}\r\n`),
    Buffer.from(body),
  ]);

describe('oversized input', () => {
  it('answers 413 to a declared login body over the limit, before reading it', async () => {
    const answer = await rawExchange(port, login(`Content-Length: ${MAX_BODY + 1}\r\n`, ''));
    expect(answer.statuses).toEqual([413]);
    expect(forwarded()).toHaveLength(0);
  });

  it('answers 413 to a chunked login body that grows past the limit', async () => {
    const chunk = `1000\r\n${'a'.repeat(0x1000)}\r\n`;
    const answer = await rawExchange(port, login('Transfer-Encoding: chunked\r\n', `${chunk.repeat(4)}0\r\n\r\n`));
    expect(answer.statuses).toEqual([413]);
    expect(forwarded()).toHaveLength(0);
  });

  it('answers 413 to a gzip bomb on a login: the inflated size is bounded, not the sent one', async () => {
    // 2 MB that compress to about 2 KiB: under the limit as sent, far over it inflated.
    const small = gzipSync(Buffer.concat([Buffer.from('username=alice&password='), Buffer.alloc(2_000_000, 0x61)]));
    expect(small.length).toBeLessThan(MAX_BODY);
    const answer = await rawExchange(
      port,
      login(`Content-Encoding: gzip\r\nContent-Length: ${small.length}\r\n`, small),
    );
    expect(answer.statuses).toEqual([413]);
    expect(forwarded()).toHaveLength(0);
  });

  it('refuses a login body in an unknown or stacked Content-Encoding, or one that does not decode', async () => {
    for (const [coding, body] of [
      ['zstd', Buffer.from('username=alice')],
      ['gzip, gzip', gzipSync(gzipSync(Buffer.from('username=alice')))],
      ['gzip', Buffer.from('username=alice')],
    ] as const) {
      const answer = await rawExchange(
        port,
        login(`Content-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n`, body),
      );
      expect(answer.statuses, coding).toEqual([400]);
    }
    expect(forwarded()).toHaveLength(0);
  });

  it('answers 431 to a URL longer than the head limit, and to thousands of header lines', async () => {
    expect((await rawExchange(port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`)).statuses).toEqual([431]);
    const lines = Array.from({ length: 5_000 }, (_, i) => `X-${i}: y\r\n`).join('');
    expect((await rawExchange(port, `GET / HTTP/1.1\r\nHost: a\r\n${lines}\r\n`)).statuses).toEqual([431]);
    expect(forwarded()).toHaveLength(0);
  });

  it('streams a large body of a flow without fields through untouched', async () => {
    const body = Buffer.alloc(300_000, 0x62);
    const answer = await rawExchange(
      port,
      Buffer.concat([Buffer.from(`PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
    );
    expect(answer.statuses[0]).toBe(200);
    expect(forwarded()).toHaveLength(1);
    expect(forwarded()[0]!.body.equals(body)).toBe(true);
  });
});
