import { describe, expect, it } from 'vitest';
import { slidingCount, windowExpiry, windowIndex } from '../../src/state/sliding-window.js';

describe('sliding window arithmetic', () => {
  it('indexes fixed windows from the epoch', () => {
    expect(windowIndex(0, 1_000)).toBe(0);
    expect(windowIndex(999, 1_000)).toBe(0);
    expect(windowIndex(1_000, 1_000)).toBe(1);
    expect(windowIndex(Date.UTC(2026, 0, 1) + 59_999, 60_000)).toBe(Date.UTC(2026, 0, 1) / 60_000);
  });

  it('weights the previous window by what remains of it, rounding down', () => {
    // Window 10 of 1 s spans [10 000, 11 000).
    expect(slidingCount(3, 0, 10, 10_500, 1_000)).toBe(3);
    expect(slidingCount(3, 10, 10, 10_000, 1_000)).toBe(13);
    expect(slidingCount(3, 10, 10, 10_250, 1_000)).toBe(10); // 3 + 7.5
    expect(slidingCount(0, 10, 10, 10_999, 1_000)).toBe(0); // 10 × 0.001
    expect(slidingCount(0, 1_000, 10, 10_999, 1_000)).toBe(1);
  });

  it('counts the previous window in full when the clock is behind the counter', () => {
    expect(slidingCount(2, 10, 10, 9_500, 1_000)).toBe(12);
  });

  it('expires a counter two windows after its current one began', () => {
    expect(windowExpiry(10, 1_000)).toBe(12_000);
  });
});
