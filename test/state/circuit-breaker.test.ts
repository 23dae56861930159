import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/state/circuit-breaker.js';

function breakerAt(failureThreshold = 3, coolDownMs = 1_000) {
  let time = 0;
  const breaker = new CircuitBreaker({ failureThreshold, coolDownMs, now: () => time });
  return { breaker, advance: (ms: number) => (time += ms) };
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker } = breakerAt(3);
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
  });

  it('opens after consecutive failures and refuses calls for the cool-down', () => {
    const { breaker, advance } = breakerAt(3, 1_000);
    for (let i = 0; i < 3; i++) breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    advance(999);
    expect(breaker.allow()).toBe(false);
  });

  it('half-opens after the cool-down with exactly one trial, closed by a success', () => {
    const { breaker, advance } = breakerAt(2, 1_000);
    breaker.failure();
    breaker.failure();
    advance(1_000);
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // the trial is in flight
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
  });

  it('reopens for another cool-down when the trial fails', () => {
    const { breaker, advance } = breakerAt(2, 1_000);
    breaker.failure();
    breaker.failure();
    advance(1_500);
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
  });

  it('admits a trial at once when told the dependency is back', () => {
    const { breaker } = breakerAt(1, 60_000);
    breaker.failure();
    expect(breaker.allow()).toBe(false);
    breaker.probeNow();
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe('half-open');
  });

  it('refuses a threshold that is not a positive integer', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(/failureThreshold must be a positive integer/);
  });
});
