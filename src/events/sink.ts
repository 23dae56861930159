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
