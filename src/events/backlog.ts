/**
 * The events one sink has not stored yet, oldest first, bounded by `limit`. When full, a push
 * drops the oldest waiting event: under a long outage the freshest events are the useful ones,
 * and a bound is what keeps a stalled sink from exhausting memory. The store grows by doubling
 * up to the limit, so an idle sink with a large `maxBacklog` costs little.
 */
import type { DecisionEvent } from './event.js';

const INITIAL_CAPACITY = 1024;

export class Backlog {
  readonly limit: number;
  private slots: (DecisionEvent | undefined)[];
  private head = 0;
  private count = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(
        `Cannot create an event backlog: the limit must be a positive integer (received "${limit}")`,
      );
    }
    this.limit = limit;
    this.slots = new Array<DecisionEvent | undefined>(Math.min(limit, INITIAL_CAPACITY));
  }

  get size(): number {
    return this.count;
  }

  /** Appends an event; returns how many old events were dropped to make room (0 or 1). */
  push(event: DecisionEvent): number {
    let dropped = 0;
    if (this.count === this.limit) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.slots.length;
      this.count--;
      dropped = 1;
    } else if (this.count === this.slots.length) {
      this.grow(this.count + 1);
    }
    this.slots[(this.head + this.count) % this.slots.length] = event;
    this.count++;
    return dropped;
  }

  /** Removes and returns up to `max` of the oldest events. */
  take(max: number): DecisionEvent[] {
    const n = Math.min(max, this.count);
    const batch = new Array<DecisionEvent>(n);
    for (let i = 0; i < n; i++) {
      batch[i] = this.slots[this.head] as DecisionEvent;
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.slots.length;
    }
    this.count -= n;
    return batch;
  }

  /**
   * Puts a batch that could not be written back in front of the events that arrived meanwhile.
   * What does not fit under the limit is dropped from the batch's old end; returns how many.
   */
  restore(batch: readonly DecisionEvent[]): number {
    const kept = Math.min(batch.length, this.limit - this.count);
    if (this.count + kept > this.slots.length) this.grow(this.count + kept);
    for (let i = batch.length - 1; i >= batch.length - kept; i--) {
      this.head = this.head === 0 ? this.slots.length - 1 : this.head - 1;
      this.slots[this.head] = batch[i];
    }
    this.count += kept;
    return batch.length - kept;
  }

  private grow(needed: number): void {
    let capacity = this.slots.length;
    while (capacity < needed) capacity *= 2;
    capacity = Math.min(capacity, this.limit);
    const slots = new Array<DecisionEvent | undefined>(capacity);
    for (let i = 0; i < this.count; i++) slots[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = slots;
    this.head = 0;
  }
}
