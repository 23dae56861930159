import { describe, expect, it } from 'vitest';
import {
  CLEARANCE_COOKIE,
  createClearanceSigner,
  readClearanceCookie,
} from '../../../src/actions/challenge/clearance.js';
import { createChallengeIssuer } from '../../../src/actions/challenge/proof-of-work.js';
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
    expect(answer.event).toEqual({ result: 'solved', reason: 'ok', solveMs: 1_200, difficulty: DIFFICULTY });
    const check = clearances.verify(readClearanceCookie(answer.headers['set-cookie']), CLIENT);
    expect(check).toMatchObject({ ok: true, claims: { level: DIFFICULTY } });
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
    expect(answer.event).toEqual({ result: 'failed', reason: 'expired', solveMs: 5 * MINUTE, difficulty: DIFFICULTY });
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
      expect(answer.event).toEqual({ result: 'failed', reason, solveMs: null, difficulty: null });
      expect(answer.body).toContain('href="/"');
      expect(answer.body).not.toContain('evil.example');
    }
    const unreadable = await submit({ body: null, respondWith: 'json' });
    expect(unreadable.answer.status).toBe(400);
    expect(JSON.parse(unreadable.answer.body)).toMatchObject({ error: 'challenge_failed', reason: 'malformed' });
  });
});
