/**
 * Sliding-window counting approximated with two fixed buckets, as nginx, Cloudflare and most
 * Redis rate limiters do: exact enough for abuse thresholds, two numbers per key instead of a log
 * of timestamps.
 *
 * The contract every backend reproduces exactly (the Redis store does the same arithmetic in
 * Lua, on IEEE doubles, in the same order):
 *
 *   index     = floor(now / windowMs)                 the fixed window `now` falls in
 *   on access, with `last` the index the counter's `current` bucket belongs to:
 *     index == last       nothing moves
 *     index == last + 1   previous = current, current = 0
 *     index >= last + 2   previous = 0,       current = 0     (the counter has expired)
 *     index <  last       the clock went back (node skew, a test): stay in window `last`
 *   count     = current + floor(previous × remaining / windowMs)
 *   remaining = min(windowMs, (last + 1) × windowMs − now)   the part of the previous window
 *                                                            still inside the sliding window
 *
 * Rounded down, so a count never over-reports, and because `current` is whole it is always
 * counted in full: a hit returns at least the number of hits in the current fixed window,
 * including itself. A counter is dead (reclaimable) from `(last + 2) × windowMs` on.
 */

/** The fixed window `now` falls in. */
export function windowIndex(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/** The sliding count at `now` of a counter whose `current` bucket belongs to window `last`. */
export function slidingCount(current: number, previous: number, last: number, now: number, windowMs: number): number {
  if (previous === 0) return current;
  let remaining = (last + 1) * windowMs - now;
  if (remaining > windowMs) remaining = windowMs;
  return current + Math.floor((previous * remaining) / windowMs);
}

/** First instant at which a counter whose `current` bucket belongs to window `last` counts nothing. */
export function windowExpiry(last: number, windowMs: number): number {
  return (last + 2) * windowMs;
}
