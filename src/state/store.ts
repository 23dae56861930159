/**
 * The one interface every state backend implements (memory now, Redis later).
 *
 * A request's detectors describe the state they need as a list of operations; the engine runs
 * the whole list as one batch, so a request costs exactly one store round trip whatever the
 * number of detectors. Learning after the upstream answers uses `write`, which is fire and
 * forget: a backend may coalesce writes across requests.
 *
 * Keys are opaque strings built by detectors (`ip:203.0.113.7`, `u:3f9a…`); a backend adds its
 * own prefix. Values never contain a password or a clear username.
 */

/** Sliding-window counter: add `by` (default 1) and return the count over the last `windowMs`. */
export interface HitOp {
  readonly kind: 'hit';
  readonly key: string;
  readonly windowMs: number;
  readonly by?: number;
}

/** Read a sliding-window counter without changing it. */
export interface PeekOp {
  readonly kind: 'peek';
  readonly key: string;
  readonly windowMs: number;
}

/**
 * Distinct-count sketch (HyperLogLog): add `member` (when given) and return the estimated number
 * of distinct members seen over roughly the last `windowMs` (between one and two windows).
 */
export interface DistinctOp {
  readonly kind: 'distinct';
  readonly key: string;
  readonly windowMs: number;
  readonly member?: string;
}

/** Read a flag set by `flagSet`; null when absent or expired. */
export interface FlagGetOp {
  readonly kind: 'flagGet';
  readonly key: string;
}

/** Set a flag with a time to live. Returns null. */
export interface FlagSetOp {
  readonly kind: 'flagSet';
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
}

/** Set-if-absent with a time to live: true for the first claim of a key, false afterwards (nonces). */
export interface ClaimOp {
  readonly kind: 'claim';
  readonly key: string;
  readonly ttlMs: number;
}

export type StoreOp = HitOp | PeekOp | DistinctOp | FlagGetOp | FlagSetOp | ClaimOp;

/** hit/peek/distinct → number, flagGet → string | null, flagSet → null, claim → boolean. */
export type StoreValue = number | string | boolean | null;

export interface StoreHealth {
  readonly ok: boolean;
  /** True while requests are decided on degraded (local or fail-mode) state. */
  readonly degraded: boolean;
  readonly detail?: string;
}

export interface Store {
  /** Backend name for metrics and health (`memory`, `redis`). */
  readonly name: string;
  /**
   * Run a batch and return one value per operation, in order. Must not reject for a backend
   * fault: a degraded backend answers from its fallback and says so in `health()`.
   */
  exec(ops: readonly StoreOp[]): Promise<StoreValue[]>;
  /** Apply writes later; never blocks or fails the caller. */
  write(ops: readonly StoreOp[]): void;
  health(): StoreHealth;
  close(): Promise<void>;
}
