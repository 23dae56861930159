import { describe, expect, it } from 'vitest';
import { EventRing } from '../../src/events/ring.js';
import { sampleEvent, sampleEvents } from './sample-events.js';

describe('EventRing', () => {
  it('returns the most recent events newest first', () => {
    const ring = new EventRing(5);
    const events = sampleEvents(3);
    for (const e of events) ring.push(e);
    expect(ring.size).toBe(3);
    expect(ring.recent(10)).toEqual([events[2], events[1], events[0]]);
    expect(ring.recent(2)).toEqual([events[2], events[1]]);
    expect(ring.recent(0)).toEqual([]);
  });

  it('puts a long exchange recorded late back at its arrival time', () => {
    const ring = new EventRing(5);
    const [quick, later, slow] = [
      sampleEvent({ time: 2_000 }),
      sampleEvent({ time: 3_000 }),
      sampleEvent({ time: 1_000 }),
    ];
    for (const e of [quick, later, slow]) ring.push(e); // the slow upload ends last
    expect(ring.recent(3)).toEqual([later, quick, slow]);
  });

  it('evicts the oldest past its capacity and keeps the id index in step', () => {
    const ring = new EventRing(3);
    const events = sampleEvents(7);
    for (const e of events) ring.push(e);
    expect(ring.size).toBe(3);
    expect(ring.recent(10).map((e) => e.id)).toEqual([events[6], events[5], events[4]].map((e) => e?.id));
    for (const evicted of events.slice(0, 4)) expect(ring.get(evicted.id)).toBeUndefined();
    for (const kept of events.slice(4)) expect(ring.get(kept.id)).toBe(kept);
  });

  it('keeps the newer copy when an id repeats and the older copy is evicted', () => {
    const ring = new EventRing(2);
    const first = sampleEvent();
    const again = { ...first, status: 200 };
    ring.push(first);
    ring.push(again);
    ring.push(sampleEvent()); // evicts `first`
    expect(ring.get(first.id)).toBe(again);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new EventRing(0)).toThrow(/positive integer/);
    expect(() => new EventRing(1.5)).toThrow(/positive integer/);
  });
});
