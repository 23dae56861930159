import { describe, expect, it } from 'vitest';
import { LruSlots, NO_SLOT } from '../../src/state/lru-index.js';

/** Slots from the least to the most recently used. */
function order(lru: LruSlots): number[] {
  const slots: number[] = [];
  for (let slot = lru.tail; slot !== NO_SLOT; slot = lru.newerThan(slot)) slots.push(slot);
  return slots;
}

/** The same walked from the head, reversed: both directions must agree. */
function orderFromHead(lru: LruSlots): number[] {
  const slots: number[] = [];
  for (let slot = lru.head; slot !== NO_SLOT; slot = lru.olderThan(slot)) slots.push(slot);
  return slots.reverse();
}

describe('LruSlots', () => {
  it('links new slots as the most recent and moves touched ones to the head', () => {
    const lru = new LruSlots(10);
    const [a, b, c] = [lru.allocate(), lru.allocate(), lru.allocate()];
    expect(order(lru)).toEqual([a, b, c]);
    lru.touch(a);
    expect(order(lru)).toEqual([b, c, a]);
    lru.touch(c);
    lru.touch(c);
    expect(order(lru)).toEqual([b, a, c]);
    expect(orderFromHead(lru)).toEqual(order(lru));
    expect(lru.tail).toBe(b);
    expect(lru.head).toBe(c);
  });

  it('unlinks released slots from anywhere and reuses them first', () => {
    const lru = new LruSlots(10);
    const slots = Array.from({ length: 5 }, () => lru.allocate());
    lru.release(slots[2] as number);
    lru.release(slots[0] as number);
    lru.release(slots[4] as number);
    expect(order(lru)).toEqual([slots[1], slots[3]]);
    expect(orderFromHead(lru)).toEqual(order(lru));
    expect(lru.size).toBe(2);
    expect(new Set([lru.allocate(), lru.allocate(), lru.allocate()])).toEqual(new Set([slots[0], slots[2], slots[4]]));
    expect(lru.allocate()).toBe(5);
    expect(lru.size).toBe(6);
  });

  it('empties to no head and no tail', () => {
    const lru = new LruSlots(2);
    const a = lru.allocate();
    lru.release(a);
    expect([lru.head, lru.tail, lru.size]).toEqual([NO_SLOT, NO_SLOT, 0]);
    lru.allocate();
    lru.allocate();
    lru.reset();
    expect([lru.head, lru.tail, lru.size]).toEqual([NO_SLOT, NO_SLOT, 0]);
    expect(lru.allocate()).toBe(0);
  });

  it('grows by doubling up to maxSlots and refuses to go past it', () => {
    const lru = new LruSlots(3_000);
    expect(lru.capacity).toBe(1_024);
    for (let i = 0; i < 3_000; i++) lru.allocate();
    expect(lru.capacity).toBe(3_000);
    expect(order(lru)).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(() => lru.allocate()).toThrow(/evict before allocating/);
  });

  it('starts at maxSlots when it is small', () => {
    expect(new LruSlots(5).capacity).toBe(5);
    expect(() => new LruSlots(0)).toThrow(RangeError);
  });
});
