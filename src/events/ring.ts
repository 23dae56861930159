/**
 * The most recent decisions, kept in memory for the live view and for explaining a reference id
 * without touching a sink. Fixed capacity: pushing past it evicts the oldest event, so memory
 * stays bounded whatever the traffic. `push` and `get` are O(1); the id index is kept in step
 * with eviction, so `get` never returns an event the ring no longer holds.
 */
import type { DecisionEvent } from './event.js';

export class EventRing {
  readonly capacity: number;
  private readonly slots: (DecisionEvent | undefined)[];
  private readonly byId = new Map<string, DecisionEvent>();
  /** Slot the next push writes; the newest event sits just before it. */
  private next = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create an event ring: capacity must be a positive integer (received "${capacity}")`);
    }
    this.capacity = capacity;
    this.slots = new Array<DecisionEvent | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(event: DecisionEvent): void {
    const evicted = this.slots[this.next];
    // Ids are unique in practice; should one repeat, the index keeps pointing at the newer copy.
    if (evicted !== undefined && this.byId.get(evicted.id) === evicted) this.byId.delete(evicted.id);
    this.slots[this.next] = event;
    this.byId.set(event.id, event);
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  get(id: string): DecisionEvent | undefined {
    return this.byId.get(id);
  }

  /**
   * The last `limit` events recorded, newest first by time. An event is recorded when its
   * exchange ends but carries its arrival time, so a long request (a slow upload, a client that
   * aborts mid-body) lands after quicker ones that came later: they are put back in time order.
   */
  recent(limit: number = this.count): DecisionEvent[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.count));
    const out = new Array<DecisionEvent>(n);
    let slot = this.next;
    for (let i = 0; i < n; i++) {
      slot = slot === 0 ? this.capacity - 1 : slot - 1;
      out[i] = this.slots[slot] as DecisionEvent;
    }
    return out.sort(newestFirst);
  }
}

/** Stable: events of the same millisecond stay in the order they were recorded, newest first. */
function newestFirst(a: DecisionEvent, b: DecisionEvent): number {
  return b.time - a.time;
}
