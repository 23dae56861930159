import { describe, expect, it } from 'vitest';
import { jsonChallenge } from '../../../src/actions/challenge/json-challenge.js';
import { solveChallenge } from '../../../src/actions/challenge/solver.js';
import { CLIENT, challengeSetup } from './fixtures.js';

describe('the JSON challenge for API clients', () => {
  it('answers 403 with everything a client needs to earn a clearance', () => {
    const { issuer } = challengeSetup();
    const issued = issuer.issue({ ...CLIENT, difficulty: 6, returnTo: '/api/listings' });
    const answer = jsonChallenge({
      token: issued.token,
      difficulty: 6,
      expiresAt: issued.expiresAt,
      referenceId: 'abc',
    });
    expect(answer.status).toBe(403);
    expect(answer.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    const body = JSON.parse(answer.body);
    expect(body).toEqual({
      error: 'challenge_required',
      referenceId: 'abc',
      challenge: {
        algorithm: 'sha256-leading-zero-bits',
        token: issued.token,
        difficulty: 6,
        expiresAt: issued.expiresAt,
        submit: {
          method: 'POST',
          url: '/.botgate/challenge',
          contentType: 'application/json',
          body: { challenge: issued.token, solution: '<counter>' },
        },
      },
    });
    // Following the body alone is enough to produce an accepted solution.
    const solution = String(solveChallenge(body.challenge.token, body.challenge.difficulty));
    expect(issuer.verify(body.challenge.submit.body.challenge, solution, CLIENT).result).toBe('ok');
  });
});
