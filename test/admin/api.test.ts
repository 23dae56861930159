/**
 * Every admin API endpoint on a real listener: 401 without the token, 400 on each kind of bad
 * parameter, and what each answers for a recorded hour of traffic (the archive contract's scene,
 * whose numbers are worked out by hand there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { scene } from '../events/event-archive-contract.js';
import { sampleEvent } from '../events/sample-events.js';
import { type Harness, NOW, startAdmin } from './harness.js';

let h: Harness;
let events: DecisionEvent[];

beforeAll(async () => {
  h = await startAdmin();
  events = scene();
  await h.record(events);
});
afterAll(() => h.close());

const PROTECTED: [string, string][] = [
  ['GET', '/api/events'],
  ['GET', '/api/events/0123456789abcdef'],
  ['GET', '/api/report'],
  ['GET', '/api/sources'],
  ['GET', '/api/traffic'],
  ['GET', '/api/status'],
  ['GET', '/api/lists'],
  ['POST', '/api/lists'],
  ['DELETE', '/api/lists?id=x&reason=y'],
  ['GET', '/api/session'],
  ['DELETE', '/api/session'],
];

describe('access', () => {
  it.each(PROTECTED)('%s %s answers 401 without the token, and with a wrong one', async (method, path) => {
    const none = await h.call(method, path, { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await h.call(method, path, { token: 'not-the-token-at-all' })).status).toBe(401);
    expect((await h.call(method, path, { token: null, cookie: 'botgate_session=forged' })).status).toBe(401);
  });

  it('serves health, readiness and metrics without the token', async () => {
    expect((await h.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await h.call('GET', '/readyz', { token: null })).body).toEqual({ status: 'ready' });
    expect((await h.call('GET', '/metrics', { token: null })).text).toContain('botgate_up 1');
  });

  it('answers 404 for an unknown endpoint and sends / to the console', async () => {
    expect((await h.call('GET', '/api/nothing-here')).status).toBe(404);
    const root = await h.call('GET', '/', { token: null });
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/console/');
  });

  it('marks every API answer no-store and nosniff', async () => {
    const res = await h.call('GET', '/api/status');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('GET /api/events', () => {
  it('lists the newest events from memory without criteria', async () => {
    const res = await h.call('GET', '/api/events?limit=3');
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('memory');
    // The last three recorded, newest first by time (the scene records some out of time order).
    expect(res.body.events.map((e: DecisionEvent) => e.id)).toEqual(
      events
        .slice(-3)
        .sort((a, b) => b.time - a.time)
        .map((e) => e.id),
    );
  });

  it.each([
    ['q=203.0.113.7', (e: DecisionEvent) => e.ip === '203.0.113.7'],
    ['q=203.0.113.0/24', (e: DecisionEvent) => e.prefix === '203.0.113.0/24'],
    ['q=bbbbbbbbbbbb', (e: DecisionEvent) => e.fingerprint === 'bbbbbbbbbbbb'],
    [
      'q=stuffing.source-failures',
      (e: DecisionEvent) => e.findings.some((f) => f.reason === 'stuffing.source-failures'),
    ],
    ['reason=ua.automation&ip=192.0.2.9', (e: DecisionEvent) => e.ip === '192.0.2.9'],
    ['action=challenge&since=1h', (e: DecisionEvent) => e.action === 'challenge' && e.time >= NOW - 3_600_000],
    ['type=ato.suspected', (e: DecisionEvent) => e.type === 'ato.suspected'],
    ['flow=signup', (e: DecisionEvent) => e.flow === 'signup'],
  ])('searches the archive: %s', async (query, pred) => {
    const res = await h.call('GET', `/api/events?${query}`);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('archive');
    const expected = events
      .filter(pred)
      .sort((a, b) => b.time - a.time)
      .map((e) => e.id);
    expect(res.body.events.map((e: DecisionEvent) => e.id)).toEqual(expected);
  });

  it('finds a reference id typed into the search box', async () => {
    const target = events[5] as DecisionEvent;
    const res = await h.call('GET', `/api/events?q=${target.id}`);
    expect(res.body.events).toEqual([target]);
  });

  it('finds a username hash typed into the search box', async () => {
    const hash = 'f'.repeat(32);
    // Two hours back: outside the hour the report tests below count.
    const event = sampleEvent({ id: 'abcdefabcdef0001', usernameHash: hash, time: NOW - 7_200_000 });
    await h.record([event]);
    const res = await h.call('GET', `/api/events?q=${hash}`);
    expect(res.body.events.map((e: DecisionEvent) => e.id)).toEqual([event.id]);
  });

  it.each([
    'limit=0',
    'limit=1001',
    'limit=abc',
    'q=not%20a%20thing!',
    'q=10.0.0.0/8',
    'ip=300.1.1.1',
    'prefix=10.0.0.0/8',
    'fingerprint=xyz',
    'usernameHash=abc',
    'reason=Not-A-Reason',
    'action=nuke',
    'flow=Bad%20Flow',
    'type=login',
    'since=7x',
    'from=yesterday',
    'since=1h&from=2026-01-01T00:00:00Z',
  ])('answers 400 to %s, naming the problem', async (query) => {
    const res = await h.call('GET', `/api/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(res.body.message).toMatch(/^Cannot /);
  });
});

describe('GET /api/events/:id', () => {
  it('explains one decision: action, rule, findings with scores and words, signals', async () => {
    const target = events[3] as DecisionEvent;
    const res = await h.call('GET', `/api/events/${target.id}`);
    expect(res.status).toBe(200);
    expect(res.body.event).toEqual(target);
    const x = res.body.explanation;
    expect(x.action).toBe('block');
    expect(x.enforced).toBe(true);
    expect(x.decidedBy).toEqual({
      source: 'rule/login-stuffing',
      words: 'Decided by the policy rule "login-stuffing".',
    });
    expect(x.threat).toEqual({ name: 'credential-stuffing', words: 'Credential stuffing', attack: true });
    expect(x.signals).toMatchObject({
      ip: '203.0.113.7',
      prefix: '203.0.113.0/24',
      fingerprint: 'bbbbbbbbbbbb',
      userAgent: { family: 'python-requests' },
    });
    expect(x.findings[0]).toMatchObject({
      reason: 'stuffing.source-failures',
      score: 80,
      detail: 'stuffing.source-failures seen',
    });
    expect(x.findings[0].words).toMatch(/credential stuffing/);
  });

  it('answers 400 to a malformed id and 404 to an unknown one', async () => {
    expect((await h.call('GET', '/api/events/not-an-id')).status).toBe(400);
    expect((await h.call('GET', '/api/events/0000000000000000')).status).toBe(404);
  });
});

describe('GET /api/report', () => {
  it('reports the hour in business terms', async () => {
    const res = await h.call('GET', '/api/report?since=1h');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.range).toEqual({ from: NOW - 3_600_000, to: NOW, since: '1h' });
    expect(r.mode).toBe('enforce');
    expect(r.challenges).toMatchObject({ logins: 8, baseline: 8, challenged: 1, reductionPercent: 87.5 });
    expect(r.challenges.realUsers).toMatchObject({ logins: 2, challenged: 1, challengeRatePercent: 50 });
    expect(r.attacks).toMatchObject({ attempts: 9, stopped: 7, wouldHaveStopped: 1, reachedApplication: 2 });
    expect(r.accounts).toMatchObject({ targeted: 5, protected: 2, compromisedFlagged: 2 });
    expect(r.losses).toEqual({
      costPerAccountUsd: 3.6,
      accountsProtected: 2,
      avoidedUsd: 7.2,
      wouldHaveAvoidedUsd: 3.6,
    });
    expect(r.definitions.lossesAvoided).toMatch(/costPerAccountUsd/);
  });

  it('takes from and to as ISO dates or epoch milliseconds', async () => {
    const from = new Date(NOW - 3_600_000).toISOString();
    const a = await h.call('GET', `/api/report?from=${from}&to=${NOW}`);
    expect(a.status).toBe(200);
    expect(a.body.range).toEqual({ from: NOW - 3_600_000, to: NOW, since: null });
    expect(a.body.attacks.attempts).toBe(9);
  });

  it.each([
    'since=abc',
    'since=0d',
    'since=500d',
    'from=nonsense',
    'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    'since=1h&from=2026-01-01',
  ])('answers 400 to %s', async (query) => {
    const res = await h.call('GET', `/api/report?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Cannot read/);
  });
});

describe('GET /api/sources', () => {
  it('ranks sources by attacks in the range, each with its runtime entry if any', async () => {
    const res = await h.call('GET', '/api/sources?by=ip&since=1h&limit=2');
    expect(res.status).toBe(200);
    expect(res.body.sources[0]).toEqual({
      value: '203.0.113.7',
      requests: 3,
      stopped: 3,
      attacks: 3,
      lastSeen: NOW - 3_600_000 + 12 * 60_000,
      entry: null,
    });
    expect(res.body.sources).toHaveLength(2);
    const byRequests = await h.call('GET', '/api/sources?by=userAgent&order=requests&since=1h');
    expect(byRequests.body.sources[0].value).toBe('chrome');
    expect(byRequests.body.sources.every((s: { entry: unknown }) => s.entry === null)).toBe(true);
  });

  it.each(['by=asn', 'order=loudest', 'limit=0', 'limit=101', 'since=forever'])('answers 400 to %s', async (query) => {
    expect((await h.call('GET', `/api/sources?${query}`)).status).toBe(400);
  });
});

describe('GET /api/traffic', () => {
  it('charts this node’s decisions per bucket, empty buckets included', async () => {
    await h.record([
      sampleEvent({ time: NOW - 25_000, action: 'block' }),
      sampleEvent({ time: NOW - 24_000, action: 'allow', flowKind: 'page' }),
      sampleEvent({ time: NOW - 5_000, action: 'block' }),
    ]);
    const res = await h.call('GET', '/api/traffic?window=1m&bucket=10s');
    expect(res.status).toBe(200);
    expect(res.body.bucketMs).toBe(10_000);
    expect(res.body.points).toHaveLength(6);
    const at = (points: { bucket: number; counts: Record<string, number> }[], t: number) =>
      points.find((p) => p.bucket === t)?.counts;
    expect(at(res.body.points, NOW - 30_000)).toMatchObject({ block: 1, allow: 1 });
    expect(at(res.body.points, NOW - 20_000)).toMatchObject({ block: 0, allow: 0 });
    expect(at(res.body.points, NOW - 10_000)).toMatchObject({ block: 1, allow: 0 });
    const logins = await h.call('GET', '/api/traffic?window=1m&bucket=10s&kind=login');
    expect(at(logins.body.points, NOW - 30_000)).toMatchObject({ block: 1, allow: 0 });
  });

  it.each(['window=2h', 'window=abc', 'bucket=0s', 'bucket=2m&window=1m', 'window=1h&bucket=1s', 'kind=everything'])(
    'answers 400 to %s',
    async (query) => {
      expect((await h.call('GET', `/api/traffic?${query}`)).status).toBe(400);
    },
  );
});

describe('GET /api/status', () => {
  it('says the mode, the archive and the runtime entries', async () => {
    const res = await h.call('GET', '/api/status');
    expect(res.body).toMatchObject({
      now: NOW,
      mode: 'enforce',
      attackMode: [],
      archive: 'sqlite',
      costPerAccountUsd: 3.6,
    });
    expect(typeof res.body.manualEntries).toBe('number');
  });
});

describe('/api/lists', () => {
  it('adds an entry, lists it with its audit record, shows it on the source, and removes it', async () => {
    const added = await h.call('POST', '/api/lists', {
      json: {
        list: 'block',
        target: 'prefix',
        value: '192.0.2.0/24',
        duration: '2h',
        reason: 'spam wave',
        who: 'ops bot',
      },
    });
    expect(added.status).toBe(201);
    expect(added.body.entry).toMatchObject({
      id: 'block:prefix:192.0.2.0/24',
      createdBy: 'ops bot (admin token)',
      createdAt: NOW,
      expiresAt: NOW + 7_200_000,
      reason: 'spam wave',
    });
    const listed = await h.call('GET', '/api/lists');
    expect(listed.body.entries).toEqual([added.body.entry]);
    expect(listed.body.audit[0]).toMatchObject({ change: 'added', who: 'ops bot (admin token)', at: NOW });
    const sources = await h.call('GET', '/api/sources?by=prefix&since=1h');
    expect(sources.body.sources.find((s: { value: string }) => s.value === '192.0.2.0/24').entry).toEqual({
      id: 'block:prefix:192.0.2.0/24',
      list: 'block',
      expiresAt: NOW + 7_200_000,
    });
    const removed = await h.call(
      'DELETE',
      `/api/lists?id=${encodeURIComponent('block:prefix:192.0.2.0/24')}&reason=wave%20over`,
    );
    expect(removed.status).toBe(200);
    const after = await h.call('GET', '/api/lists');
    expect(after.body.entries).toEqual([]);
    expect(after.body.audit[0]).toMatchObject({ change: 'removed', why: 'wave over' });
  });

  it.each([
    [
      { list: 'ban', target: 'ip', value: '192.0.2.1', duration: '1h', reason: 'x' },
      /list must be one of block, allow/,
    ],
    [{ list: 'block', target: 'asn', value: '192.0.2.1', duration: '1h', reason: 'x' }, /target must be one of/],
    [
      { list: 'block', target: 'ip', value: '192.0.2.300', duration: '1h', reason: 'x' },
      /expected an IPv4 or IPv6 address/,
    ],
    [{ list: 'block', target: 'prefix', value: '10.0.0.0/8', duration: '1h', reason: 'x' }, /\/24 \(IPv4\) or \/48/],
    [{ list: 'block', target: 'fingerprint', value: 'nothex', duration: '1h', reason: 'x' }, /12 hex characters/],
    [{ list: 'block', target: 'ip', value: '192.0.2.1', duration: 'forever', reason: 'x' }, /Cannot read "duration"/],
    [{ list: 'block', target: 'ip', value: '192.0.2.1', duration: '30s', reason: 'x' }, /from 1 minute to 30 days/],
    [{ list: 'block', target: 'ip', value: '192.0.2.1', duration: '90d', reason: 'x' }, /from 1 minute to 30 days/],
    [{ list: 'block', target: 'ip', value: '192.0.2.1', duration: '1h' }, /Cannot read "reason"/],
  ])('answers 400 to %j', async (body, message) => {
    const res = await h.call('POST', '/api/lists', { json: body });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('answers 415 to a body that is not JSON, 400 to broken JSON', async () => {
    expect(
      (
        await h.call('POST', '/api/lists', {
          json: 'list=block',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(415);
    expect((await h.call('POST', '/api/lists', { json: '{"list":' })).status).toBe(400);
    expect((await h.call('POST', '/api/lists', { json: '[1,2]' })).status).toBe(400);
  });

  it('answers 400 to a removal without id or reason, 404 to an unknown id, 400 to a bad audit count', async () => {
    expect((await h.call('DELETE', '/api/lists?reason=x')).status).toBe(400);
    expect((await h.call('DELETE', '/api/lists?id=block:ip:192.0.2.1')).status).toBe(400);
    expect((await h.call('DELETE', '/api/lists?id=block:ip:192.0.2.1&reason=x')).status).toBe(404);
    expect((await h.call('GET', '/api/lists?audit=-1')).status).toBe(400);
  });
});

describe('without an event archive', () => {
  let bare: Harness;
  beforeAll(async () => {
    bare = await startAdmin({ archive: false });
    await bare.record(scene());
  });
  afterAll(() => bare.close());

  it('answers 503 to the report and sources, saying how to configure one', async () => {
    for (const path of ['/api/report', '/api/sources']) {
      const res = await bare.call('GET', path);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'no_archive' });
      expect(res.body.message).toMatch(/events\.sqlite .*events\.postgres/);
    }
  });

  it('searches the events still in memory instead', async () => {
    const res = await bare.call('GET', '/api/events?q=203.0.113.7');
    expect(res.body.source).toBe('memory');
    expect(res.body.events.every((e: DecisionEvent) => e.ip === '203.0.113.7')).toBe(true);
    expect(res.body.events.length).toBeGreaterThan(0);
  });
});
