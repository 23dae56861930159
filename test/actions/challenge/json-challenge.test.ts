import { describe, expect, it } from 'vitest';
import { CAPTCHA_PROVIDER } from '../../../src/actions/challenge/captcha-provider.js';
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

  it('in the CAPTCHA band, names the provider and site key, and the token field the submission needs', () => {
    const { issuer } = challengeSetup();
    const issued = issuer.issue({ ...CLIENT, difficulty: 6, returnTo: '/', captcha: true });
    const widget = {
      provider: CAPTCHA_PROVIDER.turnstile,
      siteKey: '0x4AAAAAAAsite-key',
      scriptUrl: CAPTCHA_PROVIDER.turnstile.scriptUrl,
      action: 'login',
    };
    const body = JSON.parse(
      jsonChallenge({
        token: issued.token,
        difficulty: 6,
        expiresAt: issued.expiresAt,
        referenceId: 'abc',
        captcha: widget,
      }).body,
    );
    expect(body.challenge.captcha).toEqual({ provider: 'turnstile', siteKey: '0x4AAAAAAAsite-key', action: 'login' });
    expect(body.challenge.submit.body).toEqual({
      challenge: issued.token,
      solution: '<counter>',
      captcha: '<widget token>',
    });
    // No action configured: none named.
    const { action: _unused, ...plain } = widget;
    const hcaptcha = { ...plain, provider: CAPTCHA_PROVIDER.hcaptcha };
    const again = JSON.parse(
      jsonChallenge({ token: issued.token, difficulty: 6, expiresAt: 1, referenceId: 'abc', captcha: hcaptcha }).body,
    );
    expect(again.challenge.captcha).toEqual({ provider: 'hcaptcha', siteKey: '0x4AAAAAAAsite-key' });
  });

  it('below the band, says nothing of a CAPTCHA', () => {
    const body = JSON.parse(jsonChallenge({ token: 'v1.x.y', difficulty: 6, expiresAt: 1, referenceId: 'abc' }).body);
    expect(body.challenge).not.toHaveProperty('captcha');
    expect(body.challenge.submit.body).not.toHaveProperty('captcha');
  });
});
