import { describe, expect, it } from 'vitest';
import { Backlog } from '../../src/events/backlog.js';
import { sampleEvents } from './sample-events.js';

describe('Backlog', () => {
  it('keeps order across growth and wrap-around', () => {
    const backlog = new Backlog(5_000);
    const events = sampleEvents(3_000);
    for (const e of events.slice(0, 1_500)) backlog.push(e);
    expect(backlog.take(1_000)).toEqual(events.slice(0, 1_000));
    for (const e of events.slice(1_500)) backlog.push(e);
    expect(backlog.size).toBe(2_000);
    expect(backlog.take(5_000)).toEqual(events.slice(1_000));
    expect(backlog.size).toBe(0);
  });

  it('drops the oldest past its limit and says so', () => {
    const backlog = new Backlog(3);
    const events = sampleEvents(5);
    const dropped = events.map((e) => backlog.push(e));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(backlog.take(10)).toEqual(events.slice(2));
  });

  it('puts a failed batch back in front, dropping its oldest events when full', () => {
    const backlog = new Backlog(4);
    const events = sampleEvents(6);
    for (const e of events.slice(0, 3)) backlog.push(e);
    const batch = backlog.take(3);
    for (const e of events.slice(3)) backlog.push(e);
    expect(backlog.restore(batch)).toBe(2);
    expect(backlog.take(10)).toEqual([events[2], ...events.slice(3)]);
  });
});
