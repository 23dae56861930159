import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/gateway/token-bucket.js';
import { ManualClock } from '../../src/state/clock.js';

const takes = (bucket: TokenBucket, n: number): number =>
  Array.from({ length: n }, () => bucket.take()).filter(Boolean).length;

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and never more than the burst after a long pause', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(5, 10, clock);
    expect(takes(bucket, 20)).toBe(10);
    clock.advance(400);
    expect(takes(bucket, 20)).toBe(2);
    clock.advance(3_600_000);
    expect(takes(bucket, 20)).toBe(10);
  });

  it('refills nothing when the clock steps back', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(5, 10, clock);
    takes(bucket, 10);
    clock.advance(-60_000);
    expect(bucket.take()).toBe(false);
    clock.advance(200);
    expect(bucket.take()).toBe(true);
  });
});
