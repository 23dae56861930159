/**
 * Requests Node's HTTP parser refuses before botgate sees a request object: each is answered
 * with its reference id, recorded as an event with that id at a bounded rate (a flood of
 * malformed bytes cannot fill the event sinks or the log), the rest counted, and the connection
 * each ended counted by reason. A URL over limits.maxUrlBytes gets 414. On a fake clock, so the
 * rate is exact.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/start.js';
import { ManualClock } from '../../src/state/clock.js';
import { eventOf, portOf, rawExchange, SENTINEL_PATH, startHardenedGateway } from './support/gateway.js';
import { type RawUpstream, startRawUpstream } from './support/raw-upstream.js';

const PER_SECOND = 2;
const MAX_URL = 1_024;
const clock = new ManualClock();
let upstream: RawUpstream;
let gateway: RunningGateway;
let port: number;

beforeAll(async () => {
  upstream = await startRawUpstream();
  gateway = await startHardenedGateway(
    upstream.url,
    (doc) => ({
      ...doc,
      limits: { ...doc.limits, maxUrlBytes: MAX_URL },
      events: { ...doc.events, maxProtocolErrorsPerSecond: PER_SECOND },
    }),
    clock,
  );
  port = portOf(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function metric(name: string): Promise<number> {
  const res = await request(`${gateway.adminUrl}/metrics`);
  const line = (await res.body.text()).split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ')[1] ?? 0);
}

const forwarded = () => upstream.received.filter((r) => r.target !== SENTINEL_PATH);

describe('requests the HTTP parser refuses', () => {
  it('records them with the id the client got, at most the configured rate, and counts the rest', async () => {
    const answers = [];
    // Burst: twice the rate per second, then nothing until the clock moves.
    for (let i = 0; i < 10; i++) answers.push(await rawExchange(port, 'GET /\x01bad HTTP/1.1\r\nHost: a\r\n\r\n'));
    for (const a of answers) expect(a.statuses).toEqual([400]);
    const ids = answers.map((a) => a.ids[0] as string);
    const recorded = ids.filter((id) => gateway.recorder.ring.get(id) !== undefined);
    expect(recorded).toEqual(ids.slice(0, PER_SECOND * 2));
    const event = await eventOf(gateway, ids[0] as string);
    expect(event).toMatchObject({
      status: 400,
      action: 'block',
      decidedBy: 'gateway/bad_request',
      ip: '127.0.0.1',
      findings: [{ source: 'gateway/parser', reason: 'request.malformed' }],
    });
    expect(event.findings[0]?.detail).toMatch(/HPE_/);
    expect(await metric('botgate_protocol_errors_unrecorded_total')).toBe(10 - PER_SECOND * 2);
    expect(await metric('botgate_connections_refused_total{reason="bad_request"}')).toBe(10);

    // A second later the bucket holds PER_SECOND again: a head over maxHeaderBytes is recorded.
    clock.advance(1_000);
    const big = await rawExchange(port, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(big.statuses).toEqual([431]);
    expect(await eventOf(gateway, big.ids[0] as string)).toMatchObject({
      status: 431,
      decidedBy: 'gateway/headers_too_large',
      findings: [],
    });
    expect(await metric('botgate_connections_refused_total{reason="headers_too_large"}')).toBe(1);
    expect(forwarded()).toHaveLength(0);
  });

  it('answers 414 to a URL over limits.maxUrlBytes, recorded like any request, and serves one at the limit', async () => {
    const tooLong = await rawExchange(port, `GET /${'a'.repeat(MAX_URL)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(tooLong.statuses).toEqual([414]);
    expect((await eventOf(gateway, tooLong.ids[0] as string)).status).toBe(414);
    expect(forwarded()).toHaveLength(0);
    const atLimit = await rawExchange(port, `GET /${'a'.repeat(MAX_URL - 1)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(atLimit.statuses[0]).toBe(200);
    expect(forwarded()).toHaveLength(1);
  });
});
