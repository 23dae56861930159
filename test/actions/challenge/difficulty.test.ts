import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DIFFICULTY,
  difficultyFor,
  difficultyRangeProblems,
  meanSolveSeconds,
} from '../../../src/actions/challenge/difficulty.js';

const range = fc
  .tuple(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 32 }))
  .map(([a, b]) => ({ base: Math.min(a, b), max: Math.max(a, b) }));
const score = fc.double({ min: -50, max: 150, noNaN: true });

describe('difficultyFor', () => {
  it('never decreases as the risk score rises', () => {
    fc.assert(
      fc.property(range, score, score, (r, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(difficultyFor(low, r)).toBeLessThanOrEqual(difficultyFor(high, r));
      }),
    );
  });

  it('stays within the range, is a whole number of bits, base at 0 and max at 100', () => {
    fc.assert(
      fc.property(range, score, (r, s) => {
        const d = difficultyFor(s, r);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(r.base);
        expect(d).toBeLessThanOrEqual(r.max);
        expect(difficultyFor(0, r)).toBe(r.base);
        expect(difficultyFor(100, r)).toBe(r.max);
      }),
    );
  });

  it('maps the default range step by step, and gives a score that is not a number the maximum', () => {
    expect([0, 33, 34, 66, 67, 99, 100].map((s) => difficultyFor(s, DEFAULT_DIFFICULTY))).toEqual([
      18, 18, 19, 19, 20, 20, 21,
    ]);
    expect(difficultyFor(Number.NaN, DEFAULT_DIFFICULTY)).toBe(21);
    expect(difficultyFor(Number.POSITIVE_INFINITY, DEFAULT_DIFFICULTY)).toBe(21);
    expect(difficultyFor(Number.NEGATIVE_INFINITY, DEFAULT_DIFFICULTY)).toBe(18);
  });

  it('doubles the mean solve time with each bit', () => {
    expect(meanSolveSeconds(21, 1_000) / meanSolveSeconds(20, 1_000)).toBe(2);
  });
});

describe('difficultyRangeProblems', () => {
  it('accepts the default and reports every problem of a bad range with its path', () => {
    expect(difficultyRangeProblems(DEFAULT_DIFFICULTY)).toEqual([]);
    expect(difficultyRangeProblems({ base: 0, max: 40 }, 'flows[1].difficulty')).toEqual([
      'flows[1].difficulty.base must be an integer from 1 to 32 (received "0")',
      'flows[1].difficulty.max must be an integer from 1 to 32 (received "40")',
    ]);
    expect(difficultyRangeProblems({ base: 20, max: 18 })).toEqual([
      'difficulty.base must not exceed difficulty.max (received base 20, max 18)',
    ]);
    expect(difficultyRangeProblems({ base: 1.5, max: 18 })).toHaveLength(1);
  });
});
