import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureRatioLowerBound } from '../../src/detectors/failure-evidence.js';

describe('failure ratio lower bound (Wilson, one-sided 95 %)', () => {
  it('matches worked values', () => {
    expect(failureRatioLowerBound(5, 5)).toBeCloseTo(0.649, 3);
    expect(failureRatioLowerBound(3, 5)).toBeCloseTo(0.272, 3);
    expect(failureRatioLowerBound(4, 5)).toBeCloseTo(0.435, 3);
    expect(failureRatioLowerBound(9, 10)).toBeCloseTo(0.652, 3);
    expect(failureRatioLowerBound(0, 10)).toBe(0);
    expect(failureRatioLowerBound(0, 0)).toBe(0);
  });

  it('never exceeds the observed ratio, and grows towards it with volume', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, p) => {
        const failures = Math.round(n * p);
        const bound = failureRatioLowerBound(failures, n);
        expect(bound).toBeGreaterThanOrEqual(0);
        expect(bound).toBeLessThanOrEqual(failures / n + 1e-12);
        expect(failureRatioLowerBound(failures * 4, n * 4)).toBeGreaterThanOrEqual(bound - 1e-12);
      }),
    );
  });
});
