/**
 * Fuzz target: the whole gateway on the wire. Requests of the HTTP corpus
 * (test/fixtures/http-corpus), mutated byte by byte and line by line, sent on raw sockets to the
 * real gateway in front of the raw-socket upstream that records exactly what it receives.
 *
 * Invariants: nothing reaches the upstream that botgate did not judge and record (every request
 * it receives carries exactly one x-botgate-id, distinct, whose event botgate recorded);
 * nothing reaches it that could be framed two ways; the gateway keeps serving. (A client that
 * sends garbage after a good request may lose the good request's answer, since the connection
 * goes: its exchange is still recorded, with status 0.)
 */
import fc from 'fast-check';
import { request } from 'undici';
import type { RunningGateway } from '../src/gateway/start.js';
import { CORPUS_FILES, loadCorpus } from '../test/hardening/support/corpus.js';
import { portOf, rawExchange, startHardenedGateway } from '../test/hardening/support/gateway.js';
import { startRawUpstream } from '../test/hardening/support/raw-upstream.js';
import type { FuzzTarget } from './target.js';

const seeds = CORPUS_FILES.flatMap((file) => loadCorpus(file).map((c) => c.request)).filter((r) => r.length < 4_000);

type Mutation = (input: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => (s: string) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + String.fromCharCode(byte) + s.slice(i);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([at, n]) => (s: string) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + s.slice(i + n);
  }),
  fc.nat().map((at) => (s: string) => {
    const lines = s.split('\r\n');
    const i = at % lines.length;
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\r\n');
  }),
  fc.nat().map((at) => (s: string) => {
    const crlf = [...s.matchAll(/\r\n/g)].map((m) => m.index ?? 0);
    if (crlf.length === 0) return s;
    const i = crlf[at % crlf.length]!;
    return `${s.slice(0, i)}\n${s.slice(i + 2)}`;
  }),
  fc.constantFrom<Mutation>(
    (s) => s.replace(/Content-Length: (\d+)/i, (_, n: string) => `Content-Length: ${Number(n) + 1}`),
    (s) => s.replace(/Content-Length: (\d+)/i, (_, n: string) => `Content-Length: 0${n}`),
    (s) => s.replace(/chunked/i, 'chunked, chunked'),
    (s) => s.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n'),
    (s) => s.replace('\r\n\r\n', '\r\nContent-Length: 5\r\n\r\n'),
    (s) => s + s,
  ),
);

/** Events are recorded when an exchange closes; wait a little for it. */
async function recorded(gateway: RunningGateway, id: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (gateway.recorder.ring.get(id) !== undefined) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

export async function wireTarget(): Promise<FuzzTarget> {
  const upstream = await startRawUpstream();
  const gateway = await startHardenedGateway(upstream.url, (doc) => ({
    ...doc,
    rules: doc.rules.filter((r) => !r.ratelimit),
    // Short timeouts: many mutations leave a request waiting for bytes that never come.
    limits: { ...doc.limits, headersTimeoutMs: 300, requestTimeoutMs: 300, connectionsCheckingIntervalMs: 50 },
  }));
  const port = portOf(gateway);
  return {
    batch: 50,
    property: fc.asyncProperty(
      fc.constantFrom(...seeds),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      async (seed, mutations) => {
        upstream.clear();
        const input = mutations.reduce((s, m) => m(s), seed);
        await rawExchange(port, Buffer.from(input, 'latin1'), { timeoutMs: 3_000 });
        if (upstream.unparsable.length > 0)
          throw new Error(
            `the upstream could not parse: ${JSON.stringify(upstream.unparsable[0]!.toString('latin1').slice(0, 200))}`,
          );
        const seen = new Set<string>();
        for (const received of upstream.received) {
          if (received.framingProblem !== null)
            throw new Error(`forwarded ambiguous framing: ${received.framingProblem}`);
          const ids = upstream.header(received, 'x-botgate-id');
          if (ids.length !== 1)
            throw new Error(
              `the upstream received a request with ${ids.length} reference ids: ${JSON.stringify(received.raw.toString('latin1').slice(0, 300))}`,
            );
          if (seen.has(ids[0]!)) throw new Error('two upstream requests share a reference id');
          seen.add(ids[0]!);
          if (!(await recorded(gateway, ids[0]!)))
            throw new Error(`the upstream received ${ids[0]}, which botgate never recorded`);
        }
        // Still serving: a plain request gets an answer (the upstream's, or botgate's own with a
        // reference id; the policy may well block a client that just sent garbage).
        const health = await request(`${gateway.gatewayUrl}/__health`, {
          headers: { 'user-agent': 'fuzz' },
          headersTimeout: 5_000,
          bodyTimeout: 5_000,
        });
        await health.body.dump();
        if (health.statusCode >= 500 || health.headers['x-botgate-id'] === undefined) {
          throw new Error(`the gateway answered ${health.statusCode} to a plain request afterwards`);
        }
      },
    ),
    async close() {
      await gateway.close();
      await upstream.close();
    },
  };
}
