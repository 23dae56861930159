/**
 * Where events go after the in-memory ring. A sink receives batches from the recorder's timer,
 * never from request handling, one batch at a time (the next `write` waits for the previous one
 * to settle). A rejected `write` means "nothing of this batch is known to be stored": the
 * recorder keeps the batch and retries it, so a sink should make rewriting a batch harmless.
 */
import type { DecisionEvent } from './event.js';

export interface EventSink {
  /** Short fixed name (`sqlite`, `ndjson`), used as the `sink` metric label. */
  readonly name: string;
  write(batch: readonly DecisionEvent[]): Promise<void>;
  /** Releases the sink's resources; called once, after the last write settled. */
  close(): Promise<void>;
}

/**
 * A sink that can be read back: the admin API asks it for events the ring no longer holds.
 * Asynchronous so that a networked store (Postgres) fits the same shape.
 */
export interface EventQuery {
  get(id: string): Promise<DecisionEvent | undefined>;
  /** Up to `limit` events, newest first. */
  recent(limit: number): Promise<DecisionEvent[]>;
}

export function isEventQuery(sink: object): sink is EventQuery {
  const candidate = sink as Partial<EventQuery>;
  return typeof candidate.get === 'function' && typeof candidate.recent === 'function';
}

/** A time range in milliseconds since the epoch: `from` included, `to` excluded. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** What an event search may filter on; every given criterion must hold. Newest first. */
export interface EventCriteria {
  readonly id?: string;
  readonly ip?: string;
  readonly prefix?: string;
  readonly fingerprint?: string;
  readonly usernameHash?: string;
  /** A reason code carried by one of the event's findings (`stuffing.source-failures`). */
  readonly reason?: string;
  readonly action?: DecisionEvent['action'];
  readonly flow?: string;
  readonly type?: DecisionEvent['type'];
  readonly range?: TimeRange;
  readonly limit: number;
}

/** One group of events with the same shape, counted. The report folds these few rows. */
export interface DecisionCount {
  readonly type: DecisionEvent['type'];
  readonly flowKind: DecisionEvent['flowKind'];
  readonly flow: string;
  readonly action: DecisionEvent['action'];
  readonly enforced: boolean;
  /** events/threat.ts: the findings carry strong attack evidence. */
  readonly attack: boolean;
  readonly threat: string | null;
  /** Decided by a clearance from a solved challenge: the second half of a challenged request. */
  readonly cleared: boolean;
  readonly count: number;
}

/** Distinct accounts (username hashes) in a range; see report.ts for how each is used. */
export interface AccountCounts {
  /** Targeted by at least one login judged an attack. */
  readonly targeted: number;
  /** Targeted, with an attack login stopped by an enforced decision. */
  readonly defended: number;
  /** Targeted, with an attack login that monitor mode would have stopped. */
  readonly defendedInMonitor: number;
  /** Named by an `ato.suspected` event: a login succeeded with attack evidence. */
  readonly takeoverSuspected: number;
  /** Defended (enforced) and also named by an `ato.suspected` event in the range. */
  readonly defendedButSuspected: number;
  /** `ato.suspected` events (one account may have several). */
  readonly takeoverEvents: number;
}

export interface SeriesPoint {
  /** Start of the bucket, ms since the epoch. */
  readonly bucket: number;
  readonly action: DecisionEvent['action'];
  readonly count: number;
}

export const SOURCE_KEYS = ['ip', 'prefix', 'fingerprint', 'userAgent'] as const;
export type SourceKey = (typeof SOURCE_KEYS)[number];

export interface SourceCount {
  /** The IP, prefix, fingerprint or user-agent family. */
  readonly value: string;
  readonly requests: number;
  /** Requests whose decision kept them from the application (enforced or not). */
  readonly stopped: number;
  /** Requests judged attacks (events/threat.ts). */
  readonly attacks: number;
  /** Time of its latest decision event, ms since the epoch. */
  readonly lastSeen: number;
}

/**
 * A sink that keeps events and answers questions over a time range: the console's search and
 * the business report. Implemented by SQLite and Postgres with the aggregates computed in SQL
 * (one shared conformance suite, test/events/event-archive-contract.ts); only decision events
 * (`type: decision`) are counted as requests, the other types only where named.
 */
export interface EventArchive extends EventQuery {
  search(criteria: EventCriteria): Promise<DecisionEvent[]>;
  /** Events grouped by type, flow, action, enforcement, attack, threat and clearance. */
  decisionCounts(range: TimeRange): Promise<DecisionCount[]>;
  accountCounts(range: TimeRange): Promise<AccountCounts>;
  /** Decision events per bucket of `bucketMs` and action; empty buckets are absent. */
  series(range: TimeRange, bucketMs: number): Promise<SeriesPoint[]>;
  /** The sources with the most decision events (or attacks, with `by: 'attacks'`), most first. */
  topSources(range: TimeRange, key: SourceKey, limit: number, order?: 'requests' | 'attacks'): Promise<SourceCount[]>;
  /**
   * Attack-mode transitions (`attack-mode.started|ended` events) in the range, oldest first,
   * preceded by each flow's last transition before the range (to know what was on at `from`).
   */
  attackModeTransitions(range: TimeRange): Promise<DecisionEvent[]>;
}

export function isEventArchive(sink: object): sink is EventArchive {
  const candidate = sink as Partial<EventArchive>;
  return isEventQuery(sink) && typeof candidate.search === 'function' && typeof candidate.decisionCounts === 'function';
}
