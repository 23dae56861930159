import { describe, expect, it } from 'vitest';
import { readOwnAnswer, verdictOf } from '../../sim/answers.js';
import type { Reply } from '../../sim/transport.js';
import { ANSWERS } from '../../src/actions/answers.js';
import { renderChallengePage } from '../../src/actions/challenge/page.js';

function reply(status: number, body: string, type = 'application/json; charset=utf-8'): Reply {
  return { status, headers: { 'content-type': type }, body, botgateId: 'abc', failure: null };
}

const html = (title: string, extra = ''): string =>
  `<!doctype html><html><head>${extra}<title>${title}</title></head><body></body></html>`;

describe('reading botgate’s own answers', () => {
  it('tells rate limits, challenges, blocks and botgate failures apart', () => {
    expect(readOwnAnswer(reply(429, '{"error":"rate_limited"}'))).toBe('rate-limit');
    expect(readOwnAnswer(reply(403, '{"error":"challenge_required","referenceId":"x"}'))).toBe('challenge');
    expect(
      readOwnAnswer(
        reply(403, html('Checking your browser', '<meta name="botgate-challenge" content="1">'), 'text/html'),
      ),
    ).toBe('challenge');
    expect(readOwnAnswer(reply(403, html(ANSWERS.challenge_required.title), 'text/html'))).toBe('challenge');
    const page = renderChallengePage({ challenge: 't', difficulty: 8, returnTo: '/login', referenceId: 'abc' });
    expect(readOwnAnswer(reply(403, page.body, 'text/html'))).toBe('challenge');
    expect(readOwnAnswer(reply(403, '{"error":"blocked","referenceId":"x"}'))).toBe('block');
    expect(readOwnAnswer(reply(403, html(ANSWERS.blocked.title), 'text/html'))).toBe('block');
    expect(readOwnAnswer(reply(502, '{"error":"upstream_unavailable"}'))).toBe('gateway-failure');
    expect(readOwnAnswer(reply(504, html(ANSWERS.upstream_timeout.title), 'text/html'))).toBe('gateway-failure');
    expect(readOwnAnswer({ status: 0, headers: {}, body: '', botgateId: null, failure: 'ECONNRESET' })).toBe('none');
  });

  it('takes an answer that looks like the application’s for what it is: other', () => {
    expect(readOwnAnswer(reply(401, '{"error":"Invalid username or password"}'))).toBe('other');
    expect(readOwnAnswer(reply(200, html('Sign in · Demo Market'), 'text/html'))).toBe('other');
  });

  it('scores by the upstream log first: what reached the application is allowed, whatever it looks like', () => {
    expect(verdictOf(true, 'block')).toBe('allowed');
    expect(verdictOf(false, 'other')).toBe('deceived');
    expect(verdictOf(false, 'challenge')).toBe('challenged');
    expect(verdictOf(false, 'block')).toBe('blocked');
    expect(verdictOf(false, 'rate-limit')).toBe('rateLimited');
    expect(verdictOf(false, 'gateway-failure')).toBe('failed');
    expect(verdictOf(false, 'none')).toBe('failed');
  });
});
