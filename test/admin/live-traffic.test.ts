/** The live chart's counters: per second, by kind and action, fixed memory, old seconds forgotten. */
import { describe, expect, it } from 'vitest';
import { LiveTraffic } from '../../src/admin/live-traffic.js';
import { ManualClock } from '../../src/state/clock.js';
import { sampleEvent } from '../events/sample-events.js';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('LiveTraffic', () => {
  it('counts decisions per bucket and action, for all kinds or one', () => {
    const clock = new ManualClock(NOW);
    const live = new LiveTraffic(clock, 600);
    live.observe(sampleEvent({ time: NOW - 9_500, action: 'block' }));
    live.observe(sampleEvent({ time: NOW - 9_000, action: 'block', flowKind: 'page' }));
    live.observe(sampleEvent({ time: NOW - 100, action: 'allow' }));
    live.observe(sampleEvent({ time: NOW - 100, type: 'ato.suspected', action: 'allow' }));
    const all = live.series(20_000, 5_000);
    expect(all.bucketMs).toBe(5_000);
    expect(all.to).toBe(NOW + 5_000);
    expect(all.points.map((p) => p.bucket)).toEqual([NOW - 15_000, NOW - 10_000, NOW - 5_000, NOW]);
    expect(all.points[1]?.counts.block).toBe(2);
    expect(all.points[2]?.counts.allow).toBe(1);
    expect(all.totals).toMatchObject({ block: 2, allow: 1, challenge: 0 });
    expect(live.series(20_000, 5_000, 'page').totals).toMatchObject({ block: 1, allow: 0 });
  });

  it('forgets what is older than its window, and ignores a late event for a reused second', () => {
    const clock = new ManualClock(NOW);
    const live = new LiveTraffic(clock, 60);
    live.observe(sampleEvent({ time: NOW - 30_000, action: 'block' }));
    clock.advance(60_000);
    live.observe(sampleEvent({ time: NOW + 30_000, action: 'allow' }));
    // The same slot now holds a newer second: the old event's second is gone.
    live.observe(sampleEvent({ time: NOW - 30_000, action: 'block' }));
    expect(live.series(60_000, 10_000).totals).toMatchObject({ block: 0, allow: 1 });
  });

  it('never reaches past its window, however wide the request', () => {
    const live = new LiveTraffic(new ManualClock(NOW), 60);
    const series = live.series(3_600_000, 10_000);
    expect(series.to - series.from).toBe(60_000);
  });
});
