/**
 * What a shared store does when its backend is slow or down, and how it tells the rest of the
 * gateway without importing it (state/ never imports outward: the gateway passes an observer in).
 *
 * A degraded store keeps answering every batch, from the node's local memory store, and says so
 * in `health().degraded`. The fail mode decides what the engine makes of those answers:
 * - `open` (the default): decide on the local answers. The node keeps protecting with what it
 *   saw itself (per-node counts: an attack spread over N nodes looks N times smaller), and no real
 *   user is bothered by an outage they did not cause.
 * - `closed`: the engine challenges every request on a protected flow (login, signup, comment)
 *   that is not already blocked, decided by `store/degraded`: no credential-stuffing run slips
 *   through while the shared counters are blind, at the price of challenging real users too.
 */
import type { Store } from './store.js';

export const FAIL_MODES = ['open', 'closed'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

/** The decision source of a request challenged because the store failed closed. */
export const DEGRADED_SOURCE = 'store/degraded';

/** Told of backend faults and of entering or leaving degraded mode (metrics, logs). */
export interface StoreObserver {
  /** One failed or timed-out backend call (`botgate_store_errors_total{store}`). */
  error(store: string, cause: unknown): void;
  /** Entered (true) or left (false) degraded mode; called on transitions only. */
  degraded(store: string, degraded: boolean, detail: string): void;
}

export const SILENT_OBSERVER: StoreObserver = { error() {}, degraded() {} };

/** A store that declares a fail mode (the Redis store does; the memory store never degrades). */
export interface FailModeAware {
  readonly failMode: FailMode;
}

/** True when `store` fails closed: while it is degraded, protected flows must be challenged. */
export function failsClosed(store: Store): boolean {
  return (store as Partial<FailModeAware>).failMode === 'closed';
}
