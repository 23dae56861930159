/**
 * The business report folded from an archive's aggregates: the hand-counted hour of the archive
 * contract's scene, a deployment in monitor mode, an empty range, a threat written by a newer
 * node, and attack-mode periods paired across the range's edges.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { attackModePeriods, buildReport } from '../../src/events/report.js';
import type { EventArchive } from '../../src/events/sink.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { scene } from './event-archive-contract.js';
import { sampleEvent } from './sample-events.js';

const T0 = Date.UTC(2026, 0, 10, 9);
const HOUR = 3_600_000;
const RANGE = { from: T0, to: T0 + HOUR };

let dir: string;
let archive: SqliteEventSink;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-report-'));
  archive = new SqliteEventSink(join(dir, 'events.db'));
  await archive.write(scene());
});
afterAll(async () => {
  await archive.close();
  await rm(dir, { recursive: true, force: true });
});

describe('buildReport', () => {
  it('counts the hour in the reference deployment’s terms', async () => {
    const r = await buildReport(archive, RANGE, {
      costPerAccountUsd: 3.6,
      now: T0 + HOUR,
      since: '1h',
      mode: 'enforce',
    });
    expect(r.range).toEqual({ from: T0, to: T0 + HOUR, since: '1h' });
    expect(r.traffic.requests).toBe(13);
    expect(r.traffic.byAction).toEqual({
      allow: 3,
      tag: 1,
      tarpit: 0,
      ratelimit: 1,
      challenge: 2,
      deceive: 1,
      block: 5,
    });
    expect(r.traffic.byFlow[0]).toMatchObject({ flow: 'login-form', kind: 'login', requests: 9 });
    expect(r.traffic.series.points.reduce((n, p) => n + Object.values(p.counts).reduce((a, b) => a + b, 0), 0)).toBe(
      13,
    );
    // Challenges: 8 logins (the clearance's second request is not one), 1 challenged.
    expect(r.challenges).toEqual({
      logins: 8,
      baseline: 8,
      challenged: 1,
      applied: 1,
      reductionPercent: 87.5,
      allFlows: 2,
      realUsers: { logins: 2, challenged: 1, refused: 0, challengeRatePercent: 50, refusalRatePercent: 0 },
    });
    expect(r.attacks).toMatchObject({
      attempts: 9,
      stopped: 7,
      wouldHaveStopped: 1,
      reachedApplication: 2,
      stoppedWithoutAttackEvidence: 1,
    });
    expect(r.attacks.byThreat[0]).toEqual({
      threat: 'credential-stuffing',
      words: 'Credential stuffing',
      attempts: 5,
      stopped: 3,
      wouldHaveStopped: 1,
      reachedApplication: 2,
    });
    expect(r.attacks.byThreat.map((t) => t.threat)).toEqual([
      'credential-stuffing',
      'credential-cracking',
      'fake-accounts',
      'comment-spam',
      'scraping',
    ]);
    // a1, a2, a3 defended; a1 then suspected of takeover, so not counted as protected.
    expect(r.accounts).toEqual({
      targeted: 5,
      protected: 2,
      compromisedFlagged: 2,
      takeoverEvents: 2,
      wouldHaveProtected: 1,
    });
    expect(r.losses).toEqual({
      costPerAccountUsd: 3.6,
      accountsProtected: 2,
      avoidedUsd: 7.2,
      wouldHaveAvoidedUsd: 3.6,
    });
    expect(r.monitor).toEqual({
      decisions: 1,
      wouldHaveStopped: 1,
      wouldHaveStoppedAttacks: 1,
      wouldHaveChallengedLogins: 0,
      wouldHaveRefusedRealUsers: 0,
    });
    expect(r.attackMode.periods).toEqual([
      {
        flow: 'login-form',
        startedAt: T0 - HOUR,
        endedAt: T0 + 30 * 60_000,
        durationMs: 30 * 60_000,
        detail: 'failure ratio 0.9',
      },
      {
        flow: 'login-form',
        startedAt: T0 + 50 * 60_000,
        endedAt: null,
        durationMs: 10 * 60_000,
        detail: 'failure ratio 0.9',
      },
    ]);
    expect(r.topSources.ip[0]?.value).toBe('203.0.113.7');
    expect(r.definitions.realUsers).toMatch(/errs against botgate/);
  });

  it('says what monitor mode would have done, and challenges it did not apply still count as decided', async () => {
    const base = T0 + 10 * HOUR;
    const local = await mkdtemp(join(tmpdir(), 'botgate-report-'));
    const monitor = new SqliteEventSink(join(local, 'events.db'));
    try {
      const ev = (i: number, e: Partial<DecisionEvent>) =>
        sampleEvent({
          time: base + i,
          flowKind: 'login',
          flow: 'login',
          enforced: false,
          mode: 'monitor',
          usernameHash: `acct-${i}`,
          ...e,
        });
      await monitor.write([
        ev(1, { action: 'block', findings: [{ source: 'x', reason: 'stuffing.source-failures', score: 80 }] }),
        ev(2, { action: 'challenge', findings: [{ source: 'x', reason: 'login.too-fast', score: 30 }] }),
        ev(3, { action: 'allow', findings: [] }),
        ev(4, { action: 'ratelimit', findings: [{ source: 'x', reason: 'login.unknown-username', score: 20 }] }),
      ]);
      const r = await buildReport(
        monitor,
        { from: base, to: base + HOUR },
        { costPerAccountUsd: 10, now: base + HOUR },
      );
      expect(r.challenges).toMatchObject({ logins: 4, challenged: 1, applied: 0, reductionPercent: 75 });
      expect(r.attacks).toMatchObject({ attempts: 1, stopped: 0, wouldHaveStopped: 1, reachedApplication: 1 });
      expect(r.monitor).toEqual({
        decisions: 4,
        wouldHaveStopped: 3,
        wouldHaveStoppedAttacks: 1,
        wouldHaveChallengedLogins: 1,
        wouldHaveRefusedRealUsers: 1,
      });
      expect(r.losses).toEqual({ costPerAccountUsd: 10, accountsProtected: 0, avoidedUsd: 0, wouldHaveAvoidedUsd: 10 });
      expect(r.mode).toBeNull();
    } finally {
      await monitor.close();
      await rm(local, { recursive: true, force: true });
    }
  });

  it('answers an empty range with zeros and no percentages', async () => {
    const r = await buildReport(
      archive,
      { from: T0 - 5 * HOUR, to: T0 - 4 * HOUR },
      { costPerAccountUsd: 3.6, now: T0 },
    );
    expect(r.traffic.requests).toBe(0);
    expect(r.challenges.reductionPercent).toBeNull();
    expect(r.challenges.realUsers.challengeRatePercent).toBeNull();
    expect(r.attacks.byThreat).toEqual([]);
    expect(r.traffic.series.points.length).toBeGreaterThan(0);
    expect(r.attackMode.periods).toEqual([]);
  });

  it('counts an attack whose threat this version does not know as other', async () => {
    const fake: EventArchive = {
      get: async () => undefined,
      recent: async () => [],
      search: async () => [],
      decisionCounts: async () => [
        {
          type: 'decision',
          flowKind: 'login',
          flow: 'x',
          action: 'block',
          enforced: true,
          attack: true,
          threat: 'quantum-stuffing',
          cleared: false,
          count: 4,
        },
      ],
      accountCounts: async () => ({
        targeted: 0,
        defended: 0,
        defendedInMonitor: 0,
        takeoverSuspected: 0,
        defendedButSuspected: 0,
        takeoverEvents: 0,
      }),
      series: async () => [],
      topSources: async () => [],
      attackModeTransitions: async () => [],
    };
    const r = await buildReport(fake, RANGE, { costPerAccountUsd: 1, now: T0 });
    expect(r.attacks.byThreat).toEqual([
      {
        threat: 'other',
        words: 'Other (unknown to this version)',
        attempts: 4,
        stopped: 4,
        wouldHaveStopped: 0,
        reachedApplication: 0,
      },
    ]);
  });
});

describe('attackModePeriods', () => {
  const t = (time: number, state: 'started' | 'ended', flow = 'login') =>
    sampleEvent({
      time,
      type: `attack-mode.${state}`,
      flow,
      findings: [{ source: 'detector/attack-mode', reason: `attack-mode.${state}`, score: 0 }],
    });

  it('pairs starts and ends per flow, clips durations to the range, leaves an open one ongoing', () => {
    const { periods, totalMs } = attackModePeriods(
      [
        t(T0 - 10, 'started'),
        t(T0 + 100, 'ended'),
        t(T0 + 200, 'started', 'api-login'),
        t(T0 + 300, 'started'),
        t(T0 + HOUR + 5, 'ended'),
      ],
      RANGE,
    );
    expect(periods).toEqual([
      { flow: 'login', startedAt: T0 - 10, endedAt: T0 + 100, durationMs: 100, detail: null },
      { flow: 'api-login', startedAt: T0 + 200, endedAt: null, durationMs: HOUR - 200, detail: null },
      { flow: 'login', startedAt: T0 + 300, endedAt: null, durationMs: HOUR - 300, detail: null },
    ]);
    expect(totalMs).toBe(100 + 2 * HOUR - 500);
  });

  it('ignores a period that ended before the range and an end without a start', () => {
    expect(
      attackModePeriods([t(T0 - 100, 'started'), t(T0 - 50, 'ended'), t(T0 + 10, 'ended')], RANGE).periods,
    ).toEqual([]);
  });
});
