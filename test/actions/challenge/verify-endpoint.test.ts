import { describe, expect, it } from 'vitest';
import {
  CLEARANCE_COOKIE,
  createClearanceSigner,
  readClearanceCookie,
} from '../../../src/actions/challenge/clearance.js';
import { createChallengeIssuer } from '../../../src/actions/challenge/proof-of-work.js';
import type { Siteverify } from '../../../src/actions/challenge/siteverify.js';
import type { CaptchaVerdict } from '../../../src/actions/challenge/siteverify-rules.js';
import { solveChallenge } from '../../../src/actions/challenge/solver.js';
import { createVerifyEndpoint, type VerifyRequest } from '../../../src/actions/challenge/verify-endpoint.js';
import { ManualClock } from '../../../src/state/clock.js';
import { MemoryStore } from '../../../src/state/memory-store.js';
import { CLIENT, MINUTE, NEW_KEY } from './fixtures.js';

const DIFFICULTY = 6;

function setup() {
  const clock = new ManualClock();
  const challenges = createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock });
  const clearances = createClearanceSigner({ keys: [NEW_KEY], current: NEW_KEY.id, graceMs: MINUTE, clock });
  const endpoint = createVerifyEndpoint({ challenges, clearances, clock });
  const store = new MemoryStore({ maxEntries: 1_000, clock });
  const issued = challenges.issue({ ...CLIENT, difficulty: DIFFICULTY, returnTo: '/login?next=%2Fcart' });
  const solution = String(solveChallenge(issued.token, DIFFICULTY));
  /** What the gateway does: plan, run the planned store operations, answer. */
  async function submit(overrides: Partial<VerifyRequest> = {}) {
    const request: VerifyRequest = {
      ...CLIENT,
      body: { challenge: issued.token, solution, returnTo: '/ignored' },
      respondWith: 'html',
      referenceId: 'ref0000000000001',
      secure: true,
      ...overrides,
    };
    const plan = endpoint.plan(request);
    const results = plan.ops.length > 0 ? await store.exec(plan.ops) : [];
    return { plan, answer: await plan.answer(results) };
  }
  return { clock, clearances, issued, solution, submit };
}

describe('the verify endpoint', () => {
  it('redeems a browser solution: 303 to the signed returnTo with a clearance cookie bound to the client', async () => {
    const { clock, clearances, submit } = setup();
    clock.advance(1_200);
    const { plan, answer } = await submit();
    expect(plan.ops).toHaveLength(1);
    expect(plan.ops[0]).toMatchObject({ kind: 'claim' });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/login?next=%2Fcart');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['set-cookie']).toMatch(
      /^__botgate_clearance=v1\.[^;]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(answer.event).toEqual({
      result: 'solved',
      reason: 'ok',
      solveMs: 1_200,
      difficulty: DIFFICULTY,
      flow: null,
    });
    const check = clearances.verify(readClearanceCookie(answer.headers['set-cookie']), CLIENT);
    // Earned by proof of work alone: worth its level, and nothing in the CAPTCHA band.
    expect(check).toMatchObject({ ok: true, claims: { level: DIFFICULTY, captcha: false } });
  });

  it('redeems an API solution as JSON, with the cookie too, and a numeric counter', async () => {
    const { issued, solution, clearances, submit } = setup();
    const { answer } = await submit({
      respondWith: 'json',
      secure: false,
      body: { challenge: issued.token, solution: Number(solution) },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(answer.body) as { clearance: string; expiresAt: number };
    expect(body.expiresAt).toBe(issued.issuedAt + 60 * MINUTE);
    expect(answer.headers['set-cookie']).toBe(
      `${CLEARANCE_COOKIE}=${body.clearance}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax`,
    );
    expect(clearances.verify(body.clearance, CLIENT).ok).toBe(true);
  });

  it('spends the nonce: a second redemption of the same solution is a replay and earns no cookie', async () => {
    const { submit } = setup();
    expect((await submit()).answer.event.result).toBe('solved');
    const again = await submit();
    expect(again.answer.event).toMatchObject({ result: 'failed', reason: 'replayed' });
    expect(again.answer.status).toBe(303);
    expect(again.answer.headers.location).toBe('/login?next=%2Fcart');
    expect(again.answer.headers['set-cookie']).toBeUndefined();
    const json = await submit({ respondWith: 'json' });
    expect(json.answer.status).toBe(403);
    expect(JSON.parse(json.answer.body)).toEqual({
      error: 'challenge_failed',
      reason: 'replayed',
      retry: true,
      message: 'This check was already used.',
      referenceId: 'ref0000000000001',
    });
  });

  it('sends an expired browser back for a fresh challenge, without touching the store', async () => {
    const { clock, submit } = setup();
    clock.advance(5 * MINUTE);
    const { plan, answer } = await submit();
    expect(plan.ops).toEqual([]);
    expect(answer).toMatchObject({ status: 303, headers: { location: '/login?next=%2Fcart' }, body: '' });
    expect(answer.event).toEqual({
      result: 'failed',
      reason: 'expired',
      solveMs: 5 * MINUTE,
      difficulty: DIFFICULTY,
      flow: null,
    });
  });

  it('shows a page with a way to try again, not a redirect loop, when the client changed or the work is wrong', async () => {
    const { submit, issued } = setup();
    for (const [overrides, reason] of [
      [{ prefix: '198.51.100.0/24' }, 'rebound'],
      [{ body: { challenge: issued.token, solution: 'nope' } }, 'insufficient-work'],
    ] as const) {
      const { plan, answer } = await submit(overrides);
      expect(plan.ops).toEqual([]);
      expect(answer.status).toBe(403);
      expect(answer.event.reason).toBe(reason);
      expect(answer.headers.location).toBeUndefined();
      expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
      expect(answer.body).toContain('<a class="button" href="/login?next=%2Fcart">Try again</a>');
      expect(answer.body).toContain('<code>ref0000000000001</code>');
    }
  });

  it('answers 400 to a forged or incomplete submission and never redirects where it was told to', async () => {
    const { submit, solution } = setup();
    const cases = [
      [
        {
          challenge: 'v1.e30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          solution,
          returnTo: 'https://evil.example/',
        },
        'forged',
      ],
      [{ solution }, 'malformed'],
      [{ challenge: 42, solution }, 'malformed'],
    ] as const;
    for (const [body, reason] of cases) {
      const { plan, answer } = await submit({ body });
      expect(plan.ops).toEqual([]);
      expect(answer.status).toBe(400);
      expect(answer.event).toEqual({ result: 'failed', reason, solveMs: null, difficulty: null, flow: null });
      expect(answer.body).toContain('href="/"');
      expect(answer.body).not.toContain('evil.example');
    }
    const unreadable = await submit({ body: null, respondWith: 'json' });
    expect(unreadable.answer.status).toBe(400);
    expect(JSON.parse(unreadable.answer.body)).toMatchObject({ error: 'challenge_failed', reason: 'malformed' });
  });
});

/**
 * A challenge issued with the CAPTCHA (the riskiest band). The provider's siteverify is a stub
 * here, answering a fixed verdict: its HTTP contract is siteverify.contract.test.ts's business,
 * this is about what the endpoint does with each verdict.
 */
describe('the verify endpoint, in the CAPTCHA band', () => {
  function bandSetup(verdict: CaptchaVerdict) {
    const clock = new ManualClock();
    const challenges = createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock });
    const clearances = createClearanceSigner({ keys: [NEW_KEY], current: NEW_KEY.id, graceMs: MINUTE, clock });
    const asked: string[] = [];
    const captcha: Pick<Siteverify, 'maxTokenLength' | 'verify'> = {
      maxTokenLength: 2048,
      verify: async (request) => {
        asked.push(request.token);
        return verdict;
      },
    };
    const endpoint = createVerifyEndpoint({ challenges, clearances, clock, captcha });
    const store = new MemoryStore({ maxEntries: 1_000, clock });
    const issued = challenges.issue({ ...CLIENT, difficulty: DIFFICULTY, returnTo: '/', captcha: true, flow: 'login' });
    const solution = String(solveChallenge(issued.token, DIFFICULTY));
    async function submit(body: Record<string, unknown>) {
      const plan = endpoint.plan({ ...CLIENT, body, respondWith: 'json', referenceId: 'ref-band', secure: false });
      return plan.answer(plan.ops.length > 0 ? await store.exec(plan.ops) : []);
    }
    return { clearances, issued, solution, submit, asked };
  }

  it('marks the clearance earned with the CAPTCHA (c: 1), and names the challenged flow', async () => {
    const { clearances, issued, solution, submit } = bandSetup({ outcome: 'passed' });
    const answer = await submit({ challenge: issued.token, solution, captcha: 'widget-token' });
    expect(answer.status).toBe(200);
    expect(answer.event).toMatchObject({ result: 'solved', flow: 'login', captcha: { outcome: 'passed' } });
    const { clearance } = JSON.parse(answer.body) as { clearance: string };
    const payload = JSON.parse(Buffer.from(clearance.split('.')[2]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload.c).toBe(1);
    expect(clearances.verify(clearance, CLIENT)).toMatchObject({
      ok: true,
      claims: { level: DIFFICULTY, captcha: true },
    });
  });

  it('gives an API client that posts the proof of work alone no clearance at all (captcha-missing), and never asks the provider', async () => {
    const { issued, solution, submit, asked } = bandSetup({ outcome: 'passed' });
    const answer = await submit({ challenge: issued.token, solution });
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(answer.body)).toMatchObject({
      error: 'challenge_failed',
      reason: 'captcha-missing',
      retry: true,
    });
    expect(asked).toEqual([]);
  });

  it('refuses a token the provider refused', async () => {
    const { issued, solution, submit } = bandSetup({
      outcome: 'failed',
      reason: 'captcha-invalid',
      detail: 'invalid-input-response',
    });
    const answer = await submit({ challenge: issued.token, solution, captcha: 'widget-token' });
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it("marks a fallback clearance (provider down) as the band's too, so an outage does not loop a person", async () => {
    const { clearances, issued, solution, submit } = bandSetup({
      outcome: 'unavailable',
      kind: 'timeout',
      detail: 'no answer within 300 ms',
    });
    const answer = await submit({ challenge: issued.token, solution, captcha: 'widget-token' });
    expect(answer.status).toBe(200);
    const { clearance } = JSON.parse(answer.body) as { clearance: string };
    expect(clearances.verify(clearance, CLIENT)).toMatchObject({ ok: true, claims: { captcha: true } });
  });
});
