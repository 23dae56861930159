/** A `challenge` decision meeting the request's verified clearance. */
import { describe, expect, it } from 'vitest';
import type { ClearanceClaims } from '../../src/actions/challenge/clearance.js';
import { withClearance } from '../../src/gateway/clearance-decision.js';
import type { Decision } from '../../src/policy/decide.js';

const CHALLENGED: Decision = {
  action: 'challenge',
  decidedBy: 'rule/scraping',
  score: 55,
  findings: [{ source: 'detector/automation', reason: 'ua.inconsistent', score: 55, detail: 'x' }],
  enforced: true,
  retryAfterSeconds: null,
};

function clearance(level: number, captcha: boolean): ClearanceClaims {
  return { issuedAt: 0, expiresAt: 1, prefix: '203.0.113.0/24', fingerprint: 'fp', level, captcha };
}

describe('withClearance', () => {
  it('allows a request whose clearance is worth the challenge, decided by clearance/valid', () => {
    const decision = withClearance(CHALLENGED, clearance(9, false), { difficulty: 9, captcha: false });
    expect(decision).toMatchObject({ action: 'allow', decidedBy: 'clearance/valid', score: 55 });
    expect(decision.findings.at(-1)).toMatchObject({
      source: 'clearance/valid',
      reason: 'challenge.cleared',
      detail: `a solved challenge's clearance (9 bits, proof of work only) satisfied "rule/scraping"`,
    });
  });

  it('keeps the challenge for a clearance earned at fewer bits, and says both levels', () => {
    const decision = withClearance(CHALLENGED, clearance(4, false), { difficulty: 9, captcha: false });
    expect(decision).toMatchObject({ action: 'challenge', decidedBy: 'rule/scraping', score: 55, enforced: true });
    expect(decision.findings).toHaveLength(2);
    expect(decision.findings[1]).toEqual({
      source: 'clearance/insufficient',
      reason: 'challenge.clearance-insufficient',
      score: 0,
      detail:
        'the clearance (4 bits, proof of work only) falls short of the challenge "rule/scraping" demands here (9 bits, proof of work only): challenged again',
    });
  });

  it('keeps the challenge in the CAPTCHA band for a proof-of-work-only clearance, however many bits', () => {
    const decision = withClearance(CHALLENGED, clearance(30, false), { difficulty: 21, captcha: true });
    expect(decision.action).toBe('challenge');
    expect(decision.findings.at(-1)?.detail).toContain('(21 bits and the CAPTCHA)');
    expect(withClearance(CHALLENGED, clearance(21, true), { difficulty: 21, captcha: true }).action).toBe('allow');
  });
});
