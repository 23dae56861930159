/**
 * SQLite ranks top sources from `event_sources` (decisions rolled up per hour and source) for the
 * whole hours of a range and from the rows for the partial hours at each end. Whatever the range
 * and however the events were written (batches retried, batches failed), the ranking must be the
 * one a GROUP BY over the rows gives (the query the rollup replaced), ties and lastSeen included.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { SOURCE_KEYS, type TimeRange } from '../../src/events/sink.js';
import { rangeEdges, SqliteArchive } from '../../src/events/sqlite-archive.js';
import { sampleEvent } from './sample-events.js';
import { sourcesFromRows } from './sources-from-rows.js';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = Date.UTC(2026, 2, 1);
const ORDERS = ['requests', 'attacks'] as const;

let dir: string;
let archive: SqliteArchive;
let rows: Database.Database;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-sources-'));
  archive = new SqliteArchive(join(dir, 'events.db'));
  rows = new Database(join(dir, 'events.db'), { readonly: true });
});

afterEach(async () => {
  rows.close();
  archive.close();
  await rm(dir, { recursive: true, force: true });
});

const stuffing = [{ source: 'detector/credential-stuffing', reason: 'stuffing.source-failures', score: 80 }];

function decision(time: number, ip: string, overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  return sampleEvent({
    time,
    ip,
    prefix: `${ip.split('.').slice(0, 3).join('.')}.0/24`,
    fingerprint: `fp-${ip}`,
    userAgentFamily: 'chrome',
    action: 'allow',
    findings: [],
    ...overrides,
  });
}

function expectRowsRanking(range: TimeRange, limit = 10): void {
  for (const key of SOURCE_KEYS) {
    for (const order of ORDERS) {
      const label = `${key}/${order} in [T0${signed(range.from - T0)}, T0${signed(range.to - T0)})`;
      expect(archive.topSources(range, key, limit, order), label).toEqual(
        sourcesFromRows(rows, range, key, limit, order),
      );
    }
  }
}

const signed = (ms: number) => (ms < 0 ? ` - ${-ms}` : ` + ${ms}`);

describe('SqliteArchive top sources from the hourly rollup', () => {
  it('answers ranges on, off and across whole hours as the rows do', () => {
    archive.write([
      decision(T0 - 1, '10.0.0.1', { action: 'block', findings: stuffing }),
      decision(T0, '10.0.0.1'),
      decision(T0 + 20 * MIN, '10.0.0.2', { userAgentFamily: '' }),
      decision(T0 + 10 * MIN, '10.0.0.9', { type: 'ato.suspected' }),
      decision(T0 + H - 1, '10.0.0.1', { action: 'block', findings: stuffing }),
      decision(T0 + H, '10.0.0.2', { action: 'challenge' }),
      decision(T0 + H + 30 * MIN, '10.0.1.3', { action: 'deceive', findings: stuffing, userAgentFamily: 'curl' }),
      decision(T0 + 2 * H + 1, '10.0.0.2'),
      decision(T0 + 3 * H - 1, '10.0.1.3', { userAgentFamily: 'curl' }),
    ]);
    const ranges: TimeRange[] = [
      { from: T0, to: T0 + H }, // one whole hour
      { from: T0, to: T0 + 3 * H }, // whole hours
      { from: T0 + 1, to: T0 + H }, // under an hour, inside one
      { from: T0 + 30 * MIN, to: T0 + H + 30 * MIN }, // an hour across a boundary, no whole hour inside
      { from: T0 - 1, to: T0 + H + 1 }, // a whole hour and a millisecond each side
      { from: T0 + 20 * MIN, to: T0 + 2 * H + 20 * MIN }, // partial hours around a whole one
      { from: T0 - H, to: T0 + 4 * H }, // everything
      { from: T0 + H, to: T0 + H + 1 }, // one millisecond
      { from: T0 + 5 * H, to: T0 + 6 * H }, // nothing
    ];
    for (const range of ranges) expectRowsRanking(range);
    // The reference itself, worked out by hand for the range with a millisecond each side.
    expect(archive.topSources({ from: T0 - 1, to: T0 + H + 1 }, 'ip', 5)).toEqual([
      { value: '10.0.0.1', requests: 3, stopped: 2, attacks: 2, lastSeen: T0 + H - 1 },
      { value: '10.0.0.2', requests: 2, stopped: 1, attacks: 0, lastSeen: T0 + H },
    ]);
    expect(archive.topSources({ from: T0, to: T0 + 3 * H }, 'userAgent', 5, 'attacks')).toEqual([
      // As many attacks each: the one with more requests first.
      { value: 'chrome', requests: 4, stopped: 2, attacks: 1, lastSeen: T0 + 2 * H + 1 },
      { value: 'curl', requests: 2, stopped: 1, attacks: 1, lastSeen: T0 + 3 * H - 1 },
    ]);
  });

  it('counts decisions only, and no empty value', () => {
    archive.write([
      decision(T0 + MIN, '10.0.0.1', { type: 'ato.suspected' }),
      decision(T0 + 2 * MIN, '10.0.0.1', { type: 'attack-mode.started', userAgentFamily: '' }),
      decision(T0 + 3 * MIN, '10.0.0.2', { userAgentFamily: '' }),
    ]);
    const hours = { from: T0, to: T0 + 2 * H };
    expect(archive.topSources(hours, 'ip', 5).map((s) => [s.value, s.requests])).toEqual([['10.0.0.2', 1]]);
    expect(archive.topSources(hours, 'userAgent', 5)).toEqual([]);
    expectRowsRanking(hours);
  });

  it('counts a batch written again, in part or after a failed attempt, once', async () => {
    const batch = Array.from({ length: 30 }, (_, i) =>
      decision(T0 + i * 5 * MIN, `10.0.0.${i % 4}`, i % 3 === 0 ? { action: 'block', findings: stuffing } : {}),
    );
    archive.write(batch);
    archive.write(batch);
    archive.write([...batch.slice(20), decision(T0 + 3 * H, '10.0.0.7')]);
    const bad = { ...decision(T0 + 4 * H, '10.0.0.8'), ip: null } as unknown as DecisionEvent;
    const retried = [decision(T0 + 4 * H + 1, '10.0.0.8'), decision(T0 + 4 * H + 2, '10.0.0.8')];
    expect(() => archive.write([...retried, bad])).toThrow();
    archive.write(retried);

    const rolledUp = rows.prepare("SELECT sum(requests) FROM event_sources WHERE key = 'ip'").pluck().get();
    expect(rolledUp).toBe(batch.length + 1 + retried.length);
    expect(archive.topSources({ from: T0, to: T0 + 5 * H }, 'ip', 10)).toEqual(
      sourcesFromRows(rows, { from: T0, to: T0 + 5 * H }, 'ip', 10, 'requests'),
    );
    expectRowsRanking({ from: T0 + 7 * MIN, to: T0 + 4 * H + 2 });
  });

  it('agrees with a GROUP BY over the rows on random traffic, batches and ranges', () => {
    let run = 0;
    // Times and range ends near hour boundaries as often as anywhere.
    const instant = fc.oneof(
      fc.integer({ min: -H, max: 5 * H }),
      fc.tuple(fc.integer({ min: -1, max: 5 }), fc.constantFrom(-1, 0, 1)).map(([h, ms]) => h * H + ms),
    );
    const event = fc.record({
      at: instant,
      type: fc.constantFrom('decision', 'decision', 'decision', 'ato.suspected') as fc.Arbitrary<DecisionEvent['type']>,
      ip: fc.constantFrom('192.0.2.1', '192.0.2.2', '198.51.100.3', '2001:db8::1'),
      fingerprint: fc.constantFrom('aaaaaaaaaaaa', 'bbbbbbbbbbbb', ''),
      userAgentFamily: fc.constantFrom('chrome', 'curl', ''),
      action: fc.constantFrom('allow', 'tag', 'ratelimit', 'challenge', 'block') as fc.Arbitrary<
        DecisionEvent['action']
      >,
      attack: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.tuple(instant, instant), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(1, 2, 10),
        (drafts, batchSize, ends, limit) => {
          // Each run lives in a week of its own, so runs never see each other's events.
          const base = T0 + (10 + run++) * 7 * 24 * H;
          const events = drafts.map((d) =>
            decision(base + d.at, d.ip, {
              type: d.type,
              fingerprint: d.fingerprint,
              userAgentFamily: d.userAgentFamily,
              action: d.action,
              findings: d.attack ? stuffing : [],
            }),
          );
          for (let i = 0; i < events.length; i += batchSize) archive.write(events.slice(i, i + batchSize));
          archive.write(events.slice(0, batchSize)); // a retry
          for (const [a, b] of ends) {
            const from = base + Math.min(a, b);
            expectRowsRanking({ from, to: Math.max(base + Math.max(a, b), from + 1) }, limit);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('rangeEdges', () => {
  it('splits on whole minutes by default, as decision counts and series always did', () => {
    const range = { from: 90_000, to: 250_000 };
    expect(rangeEdges(range, MIN)).toEqual({ from: 90_000, to: 250_000, fullFrom: 120_000, fullTo: 240_000 });
    expect(rangeEdges(range, 5 * MIN)).toEqual({ from: 90_000, to: 250_000, fullFrom: 120_000, fullTo: 240_000 });
    // Buckets that are not whole minutes, or no whole minute inside: everything from the rows.
    expect(rangeEdges(range, 10_000)).toEqual({ from: 90_000, to: 250_000, fullFrom: 250_000, fullTo: 250_000 });
    expect(rangeEdges({ from: 90_000, to: 110_000 }, MIN)).toEqual({
      from: 90_000,
      to: 110_000,
      fullFrom: 110_000,
      fullTo: 110_000,
    });
  });

  it('splits on whole hours for the hourly rollup', () => {
    expect(rangeEdges({ from: T0 - 1, to: T0 + 2 * H + 1 }, H, H)).toEqual({
      from: T0 - 1,
      to: T0 + 2 * H + 1,
      fullFrom: T0,
      fullTo: T0 + 2 * H,
    });
    expect(rangeEdges({ from: T0 + 1, to: T0 + 2 * H - 1 }, H, H)).toEqual({
      from: T0 + 1,
      to: T0 + 2 * H - 1,
      fullFrom: T0 + 2 * H - 1,
      fullTo: T0 + 2 * H - 1,
    });
  });
});
