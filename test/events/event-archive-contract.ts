/**
 * The contract every EventArchive meets (SQLite, Postgres): the same events in, the same answers
 * out. Aggregates are checked twice: against numbers worked out by hand for a small scene, and
 * against a naive fold over the same events in JavaScript (the reference below) for random ones,
 * so SQL and reference must agree on every grouping, bucket and ranking.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import type {
  AccountCounts,
  DecisionCount,
  EventArchive,
  EventSink,
  SeriesPoint,
  SourceCount,
  SourceKey,
  TimeRange,
} from '../../src/events/sink.js';
import { classifyThreat, STOP_ACTIONS } from '../../src/events/threat.js';
import { sampleEvent } from './sample-events.js';

export type Archive = EventArchive & EventSink;

export interface ArchiveHarness {
  /** A fresh, empty archive. */
  open(): Promise<Archive>;
  /** Drops whatever `open` created. */
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 10, 9);
const MIN = 60_000;
const HOUR = 60 * MIN;
const RANGE: TimeRange = { from: T0, to: T0 + HOUR };

let ids = 0;
function ev(at: number, overrides: Partial<DecisionEvent>): DecisionEvent {
  ids++;
  return sampleEvent({
    id: `c0ffee${ids.toString(16).padStart(10, '0')}`,
    time: T0 + at,
    flow: 'login-form',
    flowKind: 'login',
    ip: '198.51.100.1',
    prefix: '198.51.100.0/24',
    fingerprint: 'aaaaaaaaaaaa',
    userAgentClass: 'browser',
    userAgentFamily: 'chrome',
    usernameHash: null,
    action: 'allow',
    enforced: true,
    mode: 'enforce',
    decidedBy: 'default/allow',
    score: 0,
    findings: [],
    status: 200,
    upstreamStatus: 200,
    upstreamMs: 3,
    outcome: 'success',
    ...overrides,
  });
}

const finding = (reason: string, score = 60) => ({ source: 'detector/test', reason, score, detail: `${reason} seen` });
const blocked = { action: 'block', status: 403, upstreamStatus: null, upstreamMs: null, outcome: null } as const;

/** A small hour of traffic whose every number is worked out by hand in the tests below. */
export function scene(): DecisionEvent[] {
  return [
    // Real users: a plain login, one challenged on weak signals, one let in by its clearance.
    ev(1 * MIN, { usernameHash: 'acct-u1' }),
    ev(2 * MIN, {
      ip: '198.51.100.2',
      usernameHash: 'acct-u2',
      action: 'challenge',
      decidedBy: 'rule/forms-suspicious',
      findings: [finding('login.unknown-username', 20), finding('ua.inconsistent', 50)],
      status: 200,
      upstreamStatus: null,
    }),
    ev(3 * MIN, {
      ip: '198.51.100.2',
      usernameHash: 'acct-u2',
      decidedBy: 'clearance/valid',
      findings: [finding('challenge.cleared', 0)],
    }),
    // A stuffing run from one /24, blocked; one account also cracked (deceived).
    ...['acct-a1', 'acct-a2', 'acct-a3'].map((u, i) =>
      ev((10 + i) * MIN, {
        ...blocked,
        ip: '203.0.113.7',
        prefix: '203.0.113.0/24',
        fingerprint: 'bbbbbbbbbbbb',
        userAgentFamily: 'python-requests',
        userAgentClass: 'automation',
        usernameHash: u,
        decidedBy: 'rule/login-stuffing',
        score: 90,
        findings: [finding('stuffing.source-failures', 80), finding('ua.automation', 60)],
      }),
    ),
    ev(14 * MIN, {
      ip: '203.0.113.8',
      prefix: '203.0.113.0/24',
      fingerprint: 'bbbbbbbbbbbb',
      userAgentFamily: 'python-requests',
      usernameHash: 'acct-a1',
      action: 'deceive',
      decidedBy: 'rule/login-cracking',
      findings: [finding('cracking.many-passwords', 80)],
      status: 401,
      upstreamStatus: null,
    }),
    // Recorded in monitor mode: would have been blocked.
    ev(20 * MIN, {
      ...blocked,
      ip: '192.0.2.9',
      prefix: '192.0.2.0/24',
      userAgentFamily: 'curl',
      usernameHash: 'acct-a4',
      enforced: false,
      mode: 'monitor',
      status: 200,
      decidedBy: 'rule/forms-automation',
      findings: [finding('ua.automation', 60)],
    }),
    // An attack that got through (tagged only), and the takeover it led to.
    ev(21 * MIN, {
      ip: '192.0.2.10',
      prefix: '192.0.2.0/24',
      usernameHash: 'acct-a5',
      action: 'tag',
      decidedBy: 'rule/login-rate',
      findings: [finding('rate.exceeded', 50)],
    }),
    ev(21 * MIN + 1, {
      type: 'ato.suspected',
      ip: '192.0.2.10',
      prefix: '192.0.2.0/24',
      usernameHash: 'acct-a5',
      findings: [finding('ato.suspected', 100)],
    }),
    ev(22 * MIN, {
      type: 'ato.suspected',
      ip: '203.0.113.8',
      prefix: '203.0.113.0/24',
      usernameHash: 'acct-a1',
      findings: [finding('ato.suspected', 100)],
    }),
    // Other flows: a fake signup, a spam comment, a page, an API scraper.
    ev(30 * MIN, {
      ...blocked,
      flow: 'signup',
      flowKind: 'signup',
      ip: '192.0.2.20',
      prefix: '192.0.2.0/24',
      usernameHash: 'acct-s1',
      findings: [finding('signup.password-reuse')],
    }),
    ev(31 * MIN, {
      flow: 'comment',
      flowKind: 'comment',
      action: 'challenge',
      ip: '192.0.2.21',
      prefix: '192.0.2.0/24',
      findings: [finding('comment.near-duplicate')],
    }),
    ev(32 * MIN, { flow: 'default', flowKind: 'page', ip: '198.51.100.1', outcome: null }),
    ev(33 * MIN, {
      flow: 'listings',
      flowKind: 'api',
      action: 'ratelimit',
      ip: '192.0.2.22',
      prefix: '192.0.2.0/24',
      userAgentFamily: '',
      findings: [finding('rate.exceeded', 50)],
      status: 429,
    }),
    // Attack mode: on since before the range, off at :30, on again at :50.
    transition(-HOUR, 'started'),
    transition(30 * MIN, 'ended'),
    transition(50 * MIN, 'started'),
    // Outside the range on both sides.
    ev(-1, {
      ip: '203.0.113.7',
      prefix: '203.0.113.0/24',
      usernameHash: 'acct-a9',
      ...blocked,
      findings: [finding('stuffing.source-failures')],
    }),
    ev(HOUR, {
      ip: '203.0.113.7',
      prefix: '203.0.113.0/24',
      usernameHash: 'acct-a9',
      ...blocked,
      findings: [finding('stuffing.source-failures')],
    }),
  ];
}

function transition(at: number, state: 'started' | 'ended'): DecisionEvent {
  return ev(at, {
    type: `attack-mode.${state}`,
    method: '',
    path: '',
    host: null,
    ip: '',
    prefix: '',
    fingerprint: '',
    userAgentClass: 'unknown',
    userAgentFamily: '',
    action: 'tag',
    decidedBy: 'detector/attack-mode',
    findings: [
      { source: 'detector/attack-mode', reason: `attack-mode.${state}`, score: 0, detail: 'failure ratio 0.9' },
    ],
    status: 0,
    upstreamStatus: null,
    upstreamMs: null,
    outcome: null,
  });
}

// ---- the reference: what the SQL must compute, as a plain fold ---------------------------------

const STOP: ReadonlySet<string> = new Set(STOP_ACTIONS);
const inRange = (e: DecisionEvent, r: TimeRange) => e.time >= r.from && e.time < r.to;

export function referenceDecisionCounts(events: readonly DecisionEvent[], range: TimeRange): DecisionCount[] {
  const groups = new Map<string, DecisionCount>();
  for (const e of events) {
    if (!inRange(e, range)) continue;
    const { threat, attack } = classifyThreat(e.findings, e.flowKind);
    const g = {
      type: e.type,
      flowKind: e.flowKind,
      flow: e.flow,
      action: e.action,
      enforced: e.enforced,
      attack,
      threat,
      cleared: e.decidedBy === 'clearance/valid',
    };
    const key = JSON.stringify(g);
    const prior = groups.get(key);
    groups.set(key, { ...g, count: (prior?.count ?? 0) + 1 });
  }
  return sortCounts([...groups.values()]);
}

export function sortCounts(counts: readonly DecisionCount[]): DecisionCount[] {
  return [...counts].sort((a, b) => (JSON.stringify({ ...a }) < JSON.stringify({ ...b }) ? -1 : 1));
}

function referenceSeries(events: readonly DecisionEvent[], range: TimeRange, bucketMs: number): SeriesPoint[] {
  const m = new Map<string, SeriesPoint>();
  for (const e of events) {
    if (!inRange(e, range) || e.type !== 'decision') continue;
    const bucket = Math.floor(e.time / bucketMs) * bucketMs;
    const key = `${bucket}/${e.action}`;
    m.set(key, { bucket, action: e.action, count: (m.get(key)?.count ?? 0) + 1 });
  }
  return [...m.values()].sort((a, b) => a.bucket - b.bucket || (a.action < b.action ? -1 : 1));
}

const SOURCE_FIELD: Record<SourceKey, (e: DecisionEvent) => string> = {
  ip: (e) => e.ip,
  prefix: (e) => e.prefix,
  fingerprint: (e) => e.fingerprint,
  userAgent: (e) => e.userAgentFamily,
};

function referenceSources(
  events: readonly DecisionEvent[],
  range: TimeRange,
  key: SourceKey,
  limit: number,
  order: 'requests' | 'attacks',
): SourceCount[] {
  const m = new Map<string, { value: string; requests: number; stopped: number; attacks: number; lastSeen: number }>();
  for (const e of events) {
    const value = SOURCE_FIELD[key](e);
    if (!inRange(e, range) || e.type !== 'decision' || value === '') continue;
    const s = m.get(value) ?? { value, requests: 0, stopped: 0, attacks: 0, lastSeen: 0 };
    s.requests++;
    if (STOP.has(e.action)) s.stopped++;
    if (classifyThreat(e.findings, e.flowKind).attack) s.attacks++;
    s.lastSeen = Math.max(s.lastSeen, e.time);
    m.set(value, s);
  }
  const [first, second] =
    order === 'requests' ? (['requests', 'attacks'] as const) : (['attacks', 'requests'] as const);
  return [...m.values()]
    .sort(
      (a, b) => b[first] - a[first] || b[second] - a[second] || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    )
    .slice(0, limit);
}

// ---- the suite -----------------------------------------------------------------------------------

export function eventArchiveContract(name: string, harness: () => ArchiveHarness): void {
  describe(`${name} as an EventArchive`, () => {
    let h: ArchiveHarness;
    let archive: Archive;
    let events: DecisionEvent[];

    beforeAll(async () => {
      h = harness();
      archive = await h.open();
      events = scene();
      // Two batches, the second written twice: a retried batch must not double anything.
      await archive.write(events.slice(0, 8));
      await archive.write(events.slice(8));
      await archive.write(events.slice(8));
    });
    afterAll(async () => {
      await archive?.close();
      await h?.cleanup();
    });

    it('reads every event back whole, by id and newest first', async () => {
      for (const e of events) expect(await archive.get(e.id)).toEqual(e);
      expect(await archive.get('ffffffffffffffff')).toBeUndefined();
      const newest = [...events].sort((a, b) => b.time - a.time).slice(0, 3);
      expect(await archive.recent(3)).toEqual(newest);
    });

    it('searches by id, address, network, fingerprint, account, reason, action, flow and type', async () => {
      const idsOf = (list: DecisionEvent[]) => list.map((e) => e.id);
      const expected = (pred: (e: DecisionEvent) => boolean) =>
        idsOf(events.filter(pred).sort((a, b) => b.time - a.time || events.indexOf(b) - events.indexOf(a)));
      const target = events[4] as DecisionEvent;
      expect(idsOf(await archive.search({ id: target.id, limit: 10 }))).toEqual([target.id]);
      expect(idsOf(await archive.search({ ip: '203.0.113.7', limit: 50 }))).toEqual(
        expected((e) => e.ip === '203.0.113.7'),
      );
      expect(idsOf(await archive.search({ prefix: '192.0.2.0/24', limit: 50 }))).toEqual(
        expected((e) => e.prefix === '192.0.2.0/24'),
      );
      expect(idsOf(await archive.search({ fingerprint: 'bbbbbbbbbbbb', limit: 50 }))).toEqual(
        expected((e) => e.fingerprint === 'bbbbbbbbbbbb'),
      );
      expect(idsOf(await archive.search({ usernameHash: 'acct-a1', limit: 50 }))).toEqual(
        expected((e) => e.usernameHash === 'acct-a1'),
      );
      const stuffing = (e: DecisionEvent) => e.findings.some((f) => f.reason === 'stuffing.source-failures');
      expect(idsOf(await archive.search({ reason: 'stuffing.source-failures', limit: 50 }))).toEqual(
        expected(stuffing),
      );
      expect(idsOf(await archive.search({ reason: 'stuffing.source-failures', range: RANGE, limit: 50 }))).toEqual(
        expected((e) => stuffing(e) && inRange(e, RANGE)),
      );
      expect(idsOf(await archive.search({ reason: 'ua.automation', ip: '192.0.2.9', limit: 50 }))).toEqual(
        expected((e) => e.ip === '192.0.2.9'),
      );
      expect(idsOf(await archive.search({ action: 'challenge', limit: 50 }))).toEqual(
        expected((e) => e.action === 'challenge'),
      );
      expect(idsOf(await archive.search({ flow: 'signup', limit: 50 }))).toEqual(expected((e) => e.flow === 'signup'));
      expect(idsOf(await archive.search({ type: 'ato.suspected', limit: 50 }))).toEqual(
        expected((e) => e.type === 'ato.suspected'),
      );
      expect(await archive.search({ reason: 'no.such-reason', limit: 50 })).toEqual([]);
      expect(await archive.search({ ip: '203.0.113.7', limit: 2 })).toHaveLength(2);
      expect(idsOf(await archive.search({ limit: 4 }))).toEqual(idsOf(await archive.recent(4)));
    });

    it('counts decisions by type, flow, action, enforcement, attack, threat and clearance', async () => {
      const counts = sortCounts(await archive.decisionCounts(RANGE));
      expect(counts).toEqual(referenceDecisionCounts(events, RANGE));
      // The same by hand, for the numbers the report leans on.
      const sum = (pred: (c: DecisionCount) => boolean) => counts.filter(pred).reduce((n, c) => n + c.count, 0);
      const logins = (c: DecisionCount) => c.type === 'decision' && c.flowKind === 'login';
      expect(sum(logins)).toBe(9);
      expect(sum((c) => logins(c) && !c.attack && !c.cleared)).toBe(2);
      expect(sum((c) => logins(c) && c.attack)).toBe(6);
      expect(sum((c) => logins(c) && c.cleared)).toBe(1);
      expect(sum((c) => c.threat === 'credential-stuffing' && c.attack && c.enforced && c.action === 'block')).toBe(3);
      expect(sum((c) => c.threat === 'credential-cracking')).toBe(1);
      expect(sum((c) => c.threat === 'fake-accounts')).toBe(1);
      expect(sum((c) => c.threat === 'comment-spam')).toBe(1);
      expect(sum((c) => c.threat === 'scraping')).toBe(1);
      expect(sum((c) => !c.enforced)).toBe(1);
      expect(sum((c) => c.type === 'ato.suspected')).toBe(2);
      expect(sum((c) => c.type === 'attack-mode.started' || c.type === 'attack-mode.ended')).toBe(2);
      expect(sum(() => true)).toBe(17);
    });

    it('counts accounts targeted, defended, defended in monitor mode and suspected taken over', async () => {
      const expected: AccountCounts = {
        targeted: 5,
        defended: 3,
        defendedInMonitor: 1,
        takeoverSuspected: 2,
        defendedButSuspected: 1,
        takeoverEvents: 2,
      };
      expect(await archive.accountCounts(RANGE)).toEqual(expected);
    });

    it('counts decisions per time bucket and action', async () => {
      const series = await archive.series(RANGE, 10 * MIN);
      expect(series).toEqual(referenceSeries(events, RANGE, 10 * MIN));
      expect(series.find((p) => p.bucket === T0 + 10 * MIN && p.action === 'block')?.count).toBe(3);
      expect(series.reduce((n, p) => n + p.count, 0)).toBe(13);
    });

    it('ranks sources by requests or by attacks, for each key', async () => {
      for (const key of ['ip', 'prefix', 'fingerprint', 'userAgent'] as const) {
        for (const order of ['requests', 'attacks'] as const) {
          expect(await archive.topSources(RANGE, key, 3, order), `${key}/${order}`).toEqual(
            referenceSources(events, RANGE, key, 3, order),
          );
        }
      }
      const [top] = await archive.topSources(RANGE, 'ip', 1, 'attacks');
      expect(top).toEqual({ value: '203.0.113.7', requests: 3, stopped: 3, attacks: 3, lastSeen: T0 + 12 * MIN });
      const [network] = await archive.topSources(RANGE, 'prefix', 1, 'attacks');
      expect(network).toEqual({ value: '192.0.2.0/24', requests: 5, stopped: 4, attacks: 5, lastSeen: T0 + 33 * MIN });
    });

    it('lists attack-mode transitions with the one in force when the range starts', async () => {
      const transitions = await archive.attackModeTransitions(RANGE);
      expect(transitions.map((e) => [e.type, e.time - T0])).toEqual([
        ['attack-mode.started', -HOUR],
        ['attack-mode.ended', 30 * MIN],
        ['attack-mode.started', 50 * MIN],
      ]);
    });

    it('answers an empty range with nothing', async () => {
      const empty = { from: T0 - 10 * HOUR, to: T0 - 9 * HOUR };
      expect(await archive.decisionCounts(empty)).toEqual([]);
      expect(await archive.series(empty, MIN)).toEqual([]);
      expect(await archive.topSources(empty, 'ip', 5)).toEqual([]);
      expect(await archive.accountCounts(empty)).toEqual({
        targeted: 0,
        defended: 0,
        defendedInMonitor: 0,
        takeoverSuspected: 0,
        defendedButSuspected: 0,
        takeoverEvents: 0,
      });
    });

    it('writes a batch whole or not at all', async () => {
      const base = T0 + 100 * HOUR;
      const good = [ev(base - T0, { ip: '10.9.9.9' }), ev(base - T0 + 1, { ip: '10.9.9.9' })];
      const bad = { ...ev(base - T0 + 2, {}), ip: null } as unknown as DecisionEvent;
      await expect(archive.write([...good, bad])).rejects.toThrow();
      expect(await archive.search({ ip: '10.9.9.9', limit: 10 })).toEqual([]);
    });

    it('agrees with the reference on random traffic, any range and bucket', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(randomEvent(), { minLength: 1, maxLength: 40 }),
          // Ranges cut minutes and hours anywhere (the rollups' edges), short and long.
          fc.integer({ min: 0, max: 30 * MIN }),
          fc.constantFrom(7 * MIN + 123, 2 * HOUR, 7 * HOUR + 4_567),
          fc.constantFrom(10_000, 30_000, MIN, 5 * MIN, 17 * MIN, HOUR),
          async (drafts, start, span, bucketMs) => {
            // Each run lives in a day of its own, so runs never see each other's events.
            const day = T0 + (1000 + run++) * 24 * HOUR;
            const batch = drafts.map((d) => ev(day - T0 + d.at, d.fields));
            await archive.write(batch);
            const range = { from: day + start, to: day + start + span };
            expect(sortCounts(await archive.decisionCounts(range))).toEqual(referenceDecisionCounts(batch, range));
            expect(await archive.series(range, bucketMs)).toEqual(referenceSeries(batch, range, bucketMs));
            expect(await archive.topSources(range, 'ip', 5, 'attacks')).toEqual(
              referenceSources(batch, range, 'ip', 5, 'attacks'),
            );
            expect(await archive.topSources(range, 'userAgent', 5)).toEqual(
              referenceSources(batch, range, 'userAgent', 5, 'requests'),
            );
            expect(await archive.topSources(range, 'prefix', 3)).toEqual(
              referenceSources(batch, range, 'prefix', 3, 'requests'),
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}

const REASON_POOL = [
  'stuffing.source-failures',
  'stuffing.many-usernames',
  'ua.automation',
  'ua.inconsistent',
  'login.too-fast',
  'rate.exceeded',
  'challenge.cleared',
  'signup.password-reuse',
  'comment.links',
  'future.unknown-code',
];

function randomEvent() {
  return fc.record({
    at: fc.integer({ min: -10 * MIN, max: 3 * HOUR }),
    fields: fc.record({
      flowKind: fc.constantFrom('login', 'signup', 'comment', 'api', 'page') as fc.Arbitrary<DecisionEvent['flowKind']>,
      flow: fc.constantFrom('a', 'b'),
      type: fc.constantFrom('decision', 'decision', 'decision', 'ato.suspected') as fc.Arbitrary<DecisionEvent['type']>,
      action: fc.constantFrom(...(['allow', 'tag', 'tarpit', 'ratelimit', 'challenge', 'deceive', 'block'] as const)),
      enforced: fc.boolean(),
      decidedBy: fc.constantFrom('default/allow', 'clearance/valid', 'rule/x'),
      ip: fc.constantFrom('192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::1'),
      prefix: fc.constantFrom('192.0.2.0/24', '198.51.100.0/24', '2001:db8::/48'),
      userAgentFamily: fc.constantFrom('chrome', 'curl', ''),
      usernameHash: fc.constantFrom(null, 'acct-1', 'acct-2'),
      findings: fc.array(
        fc.constantFrom(...REASON_POOL).map((reason) => ({ source: 'detector/x', reason, score: 50 })),
        { maxLength: 3 },
      ),
    }),
  });
}
