/**
 * Stops a node from waiting on a dead dependency. Closed, every call goes through; after
 * `failureThreshold` consecutive failures (errors or timeouts) it opens and calls are refused at
 * once (the caller answers from its fallback) for `coolDownMs`; then it half-opens and lets
 * exactly one trial call through: a success closes it, a failure opens it for another cool-down.
 *
 * Defaults: 5 failures, 1 s cool-down. A lower threshold reacts faster to a dying Redis but opens
 * on a burst of slow replies; a longer cool-down spares a recovering Redis but keeps the node on
 * its local state longer after Redis is back. Time is monotonic (`performance.now`), not the
 * store's Clock: a test's ManualClock moves windows, not the breaker.
 */
import { performance } from 'node:perf_hooks';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open breaker refuses calls before one trial. Default 1000 ms. */
  readonly coolDownMs?: number;
  /** Monotonic milliseconds; `performance.now` by default. */
  readonly now?: () => number;
}

export const BREAKER_DEFAULTS = { failureThreshold: 5, coolDownMs: 1_000 } as const;

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? BREAKER_DEFAULTS.failureThreshold;
    this.coolDownMs = options.coolDownMs ?? BREAKER_DEFAULTS.coolDownMs;
    this.now = options.now ?? (() => performance.now());
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(
        `Cannot build a circuit breaker: failureThreshold must be a positive integer (received ${this.failureThreshold})`,
      );
    }
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go through now. An open breaker past its cool-down admits one trial. */
  allow(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'half-open') return false;
    if (this.now() - this.openedAt < this.coolDownMs) return false;
    this.current = 'half-open';
    return true;
  }

  /** Lets the next call through as a trial now (the connection just came back). */
  probeNow(): void {
    if (this.current === 'open') this.openedAt = this.now() - this.coolDownMs;
  }

  success(): void {
    this.failures = 0;
    this.current = 'closed';
  }

  failure(): void {
    this.failures++;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.current = 'open';
      this.openedAt = this.now();
    }
  }
}
