/** What a clearance is worth against the challenge a request calls for. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challengeFor } from '../../../src/actions/challenge/escalation.js';
import { challengeInWords, clearanceSufficiency } from '../../../src/actions/challenge/sufficiency.js';

describe('clearanceSufficiency', () => {
  it('needs at least the bits the challenge demands', () => {
    const demand = { difficulty: 20, captcha: false };
    expect(clearanceSufficiency({ level: 19, captcha: false }, demand)).toBe('level');
    expect(clearanceSufficiency({ level: 20, captcha: false }, demand)).toBe('sufficient');
    expect(clearanceSufficiency({ level: 24, captcha: false }, demand)).toBe('sufficient');
    // A CAPTCHA does not stand in for missing bits.
    expect(clearanceSufficiency({ level: 19, captcha: true }, demand)).toBe('level');
  });

  it('in the CAPTCHA band, needs a clearance earned with the CAPTCHA, whatever its bits', () => {
    const demand = { difficulty: 21, captcha: true };
    expect(clearanceSufficiency({ level: 21, captcha: false }, demand)).toBe('captcha');
    expect(clearanceSufficiency({ level: 32, captcha: false }, demand)).toBe('captcha');
    expect(clearanceSufficiency({ level: 20, captcha: true }, demand)).toBe('level');
    expect(clearanceSufficiency({ level: 21, captcha: true }, demand)).toBe('sufficient');
  });

  it('a clearance earned at one score satisfies every challenge at that score or below, and none above that asks more', () => {
    const range = fc
      .tuple(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 0, max: 31 }))
      .map(([base, spread]) => ({ base, max: Math.min(32, base + spread) }));
    const minScore = fc.option(fc.integer({ min: 0, max: 100 }), { nil: null });
    const score = fc.integer({ min: 0, max: 100 });
    fc.assert(
      fc.property(range, minScore, score, score, (r, m, earnedAt, askedAt) => {
        const solved = challengeFor(earnedAt, r, m);
        const clearance = { level: solved.difficulty, captcha: solved.captcha };
        const asked = challengeFor(askedAt, r, m);
        const verdict = clearanceSufficiency(clearance, asked);
        if (askedAt <= earnedAt) expect(verdict).toBe('sufficient');
        // Sufficient exactly when the demand asks no more bits and no CAPTCHA the clearance lacks.
        expect(verdict === 'sufficient').toBe(
          asked.difficulty <= solved.difficulty && (!asked.captcha || solved.captcha),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('says what a clearance or a challenge is worth in words', () => {
    expect(challengeInWords(18, false)).toBe('18 bits, proof of work only');
    expect(challengeInWords(21, true)).toBe('21 bits and the CAPTCHA');
  });
});
