/**
 * Slot allocation and recency order for a struct-of-arrays table: slots are small integers that
 * index the table's typed arrays, and the least-recently-used list is intrusive (two Int32Arrays
 * of neighbours), so tracking recency costs 8 bytes a slot and no object.
 *
 * The owner decides what to evict (it must also forget the slot's key); this class only keeps
 * the order. Capacity starts small and doubles up to `maxSlots`, so a store configured for a
 * million keys does not pay for them until it holds them. Released slots are reused first.
 */

export const NO_SLOT = -1;

const INITIAL_CAPACITY = 1024;

export class LruSlots {
  /** Neighbour toward the most recent end (the head); unused for free slots. */
  private newer: Int32Array;
  /** Neighbour toward the least recent end (the tail); chains the free list for free slots. */
  private older: Int32Array;
  /** Most recently used slot. */
  head = NO_SLOT;
  /** Least recently used slot: the next to evict. */
  tail = NO_SLOT;
  /** Slots in use. */
  size = 0;
  private freeHead = NO_SLOT;
  /** Slots ever handed out; slots at or above it have never been used. */
  private highWater = 0;

  constructor(readonly maxSlots: number) {
    if (!Number.isInteger(maxSlots) || maxSlots < 1) {
      throw new RangeError(`Cannot size the store: maxEntries must be a positive integer (received ${maxSlots})`);
    }
    const capacity = Math.min(maxSlots, INITIAL_CAPACITY);
    this.newer = new Int32Array(capacity);
    this.older = new Int32Array(capacity);
  }

  /** Slots the arrays can hold right now; the owner sizes its own arrays to match. */
  get capacity(): number {
    return this.older.length;
  }

  /** A free slot, linked as the most recently used. The owner must evict first when `size === maxSlots`. */
  allocate(): number {
    let slot: number;
    if (this.freeHead !== NO_SLOT) {
      slot = this.freeHead;
      this.freeHead = this.older[slot]!;
    } else {
      if (this.highWater === this.older.length) this.grow();
      slot = this.highWater++;
    }
    this.size++;
    this.linkAtHead(slot);
    return slot;
  }

  /** Mark a slot as the most recently used. */
  touch(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.linkAtHead(slot);
  }

  /** Unlink a slot and put it on the free list. */
  release(slot: number): void {
    this.unlink(slot);
    this.older[slot] = this.freeHead;
    this.freeHead = slot;
    this.size--;
  }

  /** The slot used just after `slot` (toward the head), or NO_SLOT: walks from the tail. */
  newerThan(slot: number): number {
    return this.newer[slot]!;
  }

  /** The slot used just before `slot` (toward the tail), or NO_SLOT: walks from the head. */
  olderThan(slot: number): number {
    return this.older[slot]!;
  }

  /** Forget every slot (the arrays keep their size). */
  reset(): void {
    this.head = NO_SLOT;
    this.tail = NO_SLOT;
    this.size = 0;
    this.freeHead = NO_SLOT;
    this.highWater = 0;
  }

  private linkAtHead(slot: number): void {
    this.newer[slot] = NO_SLOT;
    this.older[slot] = this.head;
    if (this.head !== NO_SLOT) this.newer[this.head] = slot;
    else this.tail = slot;
    this.head = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot]!;
    const older = this.older[slot]!;
    if (newer !== NO_SLOT) this.older[newer] = older;
    else this.head = older;
    if (older !== NO_SLOT) this.newer[older] = newer;
    else this.tail = newer;
  }

  private grow(): void {
    const capacity = this.older.length;
    if (capacity >= this.maxSlots) throw new Error('LruSlots is full: evict before allocating');
    const next = Math.min(this.maxSlots, capacity * 2);
    const newer = new Int32Array(next);
    newer.set(this.newer);
    this.newer = newer;
    const older = new Int32Array(next);
    older.set(this.older);
    this.older = older;
  }
}
