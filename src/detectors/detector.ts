/**
 * The shape of a detector: the domain knowledge of one threat, in two phases so that a whole
 * request costs one store batch.
 *
 *   plan(input)            → the store operations it needs (may be none)
 *   judge(input, results)  → findings, given the results of exactly those operations, in order
 *   learn(input, outcome)  → writes to record what the upstream answered (optional, async)
 *
 * Detectors are pure apart from the store: no I/O, no clock of their own (use `input.now`).
 */
import type { Action, FlowKind } from '../config/schema.js';
import type { FlowFields, RequestSignals } from '../signals/request-signals.js';
import type { StoreOp, StoreValue } from '../state/store.js';

/** One piece of evidence. `source` names who found it (`detector/automation`, `rule/login-rate`). */
export interface Finding {
  readonly source: string;
  /** Stable, dotted reason code (`ua.automation`, `body.malformed`) that policy rules refer to. */
  readonly reason: string;
  /** 0–100: how strongly this alone says "automated abuse". */
  readonly score: number;
  /** Words for the explain view; never a password or a clear username. */
  readonly detail?: string;
}

export interface FlowRef {
  readonly name: string;
  readonly kind: FlowKind;
  /** The flow declares where its success answer puts a session (`session`); absent means no. */
  readonly opensSession?: boolean;
}

/** botgate's own signed device cookie, when the client carried a valid one. */
export interface Device {
  /** Random id, stable for the life of the cookie. */
  readonly id: string;
  /** When botgate first issued it, milliseconds since the epoch. */
  readonly issuedAt: number;
}

/**
 * Who the client is, by the evidence it carries: a browser navigating or posting a form
 * (accepts text/html), or an API client (an app, a script, fetch from a page).
 */
export type ClientKind = 'browser' | 'api';

export interface DetectorInput {
  readonly id: string;
  /** Milliseconds since the epoch, from the injected clock. */
  readonly now: number;
  readonly method: string;
  readonly path: string;
  readonly flow: FlowRef;
  readonly signals: RequestSignals;
  /** Extracted fields for flows that declare them; null otherwise. */
  readonly fields: FlowFields | null;
  /** Why the body could not be read (`malformed JSON`), or null. */
  readonly bodyError: string | null;
  readonly device: Device | null;
  readonly client: ClientKind;
  /**
   * Keyed hash of the account the request acts as, from the flow's declared `account` source
   * (a session cookie or bearer token); null when the flow declares none or it is absent.
   */
  readonly account: string | null;
}

/** What learning sees of the decision: the action taken (or recorded) and its evidence. */
export interface DecisionSummary {
  readonly action: Action;
  readonly enforced: boolean;
  readonly findings: readonly Finding[];
}

/** What the upstream answered, as far as detection cares. */
export interface Outcome {
  readonly status: number;
  readonly result: 'success' | 'failure' | 'unknown';
  /**
   * Keyed hash of the session a successful answer opened (the flow's `session`: a cookie it set,
   * a token in its JSON), hashed as a comment flow's `account` is; absent when none was found.
   */
  readonly session?: string;
}

export interface Detector {
  readonly name: string;
  /** Whether this detector looks at a flow at all; asked once per flow at compile time. */
  appliesTo(flow: FlowRef): boolean;
  plan(input: DetectorInput): readonly StoreOp[];
  judge(input: DetectorInput, results: readonly StoreValue[]): readonly Finding[];
  /**
   * Called once the upstream answered a forwarded request whose flow declares outcomes; the
   * returned writes go to `Store.write` (asynchronous, coalesced). Requests botgate answered
   * itself never reach the application and are not learnt from as outcomes.
   */
  learn?(input: DetectorInput, outcome: Outcome, decision: DecisionSummary): readonly StoreOp[];
  /**
   * Called when botgate answered an enforced block or deceive itself, so the application never
   * saw the request: what the request still teaches (a spam account stays suspect although its
   * comment was never posted). The writes go to `Store.write`. The counters and sketches a
   * detector's `plan` updates were already counted, whatever the decision.
   */
  withheld?(input: DetectorInput, decision: DecisionSummary): readonly StoreOp[];
}
