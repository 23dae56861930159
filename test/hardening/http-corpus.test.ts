/**
 * The HTTP corpus (test/fixtures/http-corpus/*.json) replayed over raw sockets against the real
 * gateway, in front of a raw-socket upstream that records exactly what it received.
 *
 * The corpus re-expresses the kinds of cases of public collections (defparsio/smuggler's
 * Transfer-Encoding mutations and byte families, http-garden's proxy findings on lengths,
 * chunks, request lines and hop-by-hop headers, PortSwigger's CL.TE and TE.CL) as data: the
 * bytes to send, what botgate must do (`refused` with a status, or `forwarded`), and what Node's
 * own parser does with them on Node 20 and 24 (node-parser.test.ts keeps that record honest).
 *
 * What must hold for every case, whatever the expectation:
 * - every request the upstream receives carries exactly one x-botgate-id, one that botgate gave
 *   the client: nothing reaches the application that botgate did not judge (no smuggling);
 * - every request the upstream receives has one unambiguous framing (checked by the upstream's
 *   own strict parser: one length, digits only, or exactly `chunked`; CRLF only; one Host);
 * - no client copy of an x-botgate-* header reaches the upstream.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/start.js';
import { CORPUS_FILES, loadCorpus } from './support/corpus.js';
import { portOf, rawExchange, SENTINEL_PATH, startHardenedGateway } from './support/gateway.js';
import { type RawUpstream, startRawUpstream } from './support/raw-upstream.js';

let upstream: RawUpstream;
let gateway: RunningGateway;
let port: number;

beforeAll(async () => {
  upstream = await startRawUpstream();
  // Corpus requests come from one address; the scraping rate rule must not answer for them.
  gateway = await startHardenedGateway(upstream.url, (doc) => ({
    ...doc,
    rules: doc.rules.filter((r) => r.name !== 'scraping-client-rate'),
  }));
  port = portOf(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

beforeEach(() => upstream.clear());

for (const file of CORPUS_FILES) {
  describe(`corpus ${file}`, () => {
    for (const c of loadCorpus(file)) {
      it(`${c.expect === 'refused' ? 'refuses' : 'forwards'}: ${c.name}`, async () => {
        const answer = await rawExchange(port, Buffer.from(c.request, 'latin1'));
        expect(answer.closed, 'the gateway closes the connection once it has answered').toBe(true);
        // The sentinel that closed the connection, when it got that far, is not part of the case.
        const received = upstream.received.filter((r) => r.target !== SENTINEL_PATH);
        const statuses = received.length < upstream.received.length ? answer.statuses.slice(0, -1) : answer.statuses;

        // What holds for every case.
        expect(upstream.unparsable).toEqual([]);
        const seen = new Set<string>();
        for (const received of upstream.received) {
          expect(received.framingProblem, received.raw.toString('latin1').slice(0, 200)).toBeNull();
          const ids = upstream.header(received, 'x-botgate-id');
          expect(ids).toHaveLength(1);
          expect(answer.ids).toContain(ids[0]);
          expect(seen.has(ids[0]!)).toBe(false);
          seen.add(ids[0]!);
          const tags = received.headers
            .filter(([n]) => n.toLowerCase().startsWith('x-botgate-'))
            .map(([n]) => n.toLowerCase());
          expect(new Set(tags).size, 'one copy of each tag header, botgate’s').toBe(tags.length);
          expect(upstream.header(received, 'x-botgate-decision')).not.toContain('allow-forged');
        }

        if (c.expect === 'refused') {
          expect(received).toHaveLength(0);
          const status = c.status ?? 400;
          if (status === 0) {
            expect(statuses).toEqual([]);
          } else {
            expect(statuses[0]).toBe(status);
            expect(answer.ids.length, 'a refusal carries a reference id').toBeGreaterThan(0);
          }
        } else {
          expect(received).toHaveLength(c.requests ?? 1);
          expect(statuses).toEqual(c.statuses ?? new Array(c.requests ?? 1).fill(200));
          if (c.body !== undefined) expect(received[0]!.body.toString('latin1')).toBe(c.body);
          if ((c.requests ?? 1) === 1) expect(received[0]!.target).not.toContain('smuggled');
        }
      });
    }
  });
}
