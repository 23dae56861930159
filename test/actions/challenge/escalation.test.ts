/** Which challenge a challenged request calls for: the band that escalates to the external CAPTCHA. */
import { describe, expect, it } from 'vitest';
import { difficultyFor } from '../../../src/actions/challenge/difficulty.js';
import { challengeFor } from '../../../src/actions/challenge/escalation.js';

const RANGE = { base: 16, max: 22 };

describe('challengeFor', () => {
  it('never escalates when the CAPTCHA is off, whatever the score', () => {
    for (const score of [0, 50, 89, 90, 100, Number.NaN]) {
      expect(challengeFor(score, RANGE, null)).toEqual({ difficulty: difficultyFor(score, RANGE), captcha: false });
    }
  });

  it("escalates from minScore up, at the range's highest difficulty", () => {
    expect(challengeFor(89.9, RANGE, 90)).toEqual({ difficulty: difficultyFor(89.9, RANGE), captcha: false });
    expect(challengeFor(90, RANGE, 90)).toEqual({ difficulty: 22, captcha: true });
    expect(challengeFor(100, RANGE, 90)).toEqual({ difficulty: 22, captcha: true });
    expect(challengeFor(0, RANGE, 0)).toEqual({ difficulty: 22, captcha: true });
    // Below the band the proof of work alone still rises with the score.
    expect(challengeFor(0, RANGE, 90).difficulty).toBeLessThan(challengeFor(80, RANGE, 90).difficulty);
  });

  it('treats a score that is not a number as the riskiest', () => {
    expect(challengeFor(Number.NaN, RANGE, 90)).toEqual({ difficulty: 22, captcha: true });
  });

  it('a minScore of 100 escalates only the top score', () => {
    expect(challengeFor(99.99, RANGE, 100).captcha).toBe(false);
    expect(challengeFor(100, RANGE, 100).captcha).toBe(true);
  });
});
