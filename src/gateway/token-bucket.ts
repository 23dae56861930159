/**
 * A token bucket: at most `burst` events at once, refilled at `perSecond`. Used where something
 * an attacker can trigger at will is worth recording, but not at any rate (a flood of malformed
 * requests must not fill the event sinks or the log). O(1), no timer: the refill is computed
 * from the clock on each `take`.
 */
import type { Clock } from '../state/clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes one token if there is one; false means the caller is over the rate. */
  take(): boolean {
    const now = this.clock.now();
    // A clock stepped back refills nothing.
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
