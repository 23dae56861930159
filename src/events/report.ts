/**
 * The business report over a time range, in the reference deployment's terms: challenges against
 * a challenge-every-login baseline, attack attempts stopped by threat, accounts protected and the
 * losses that avoided, accounts flagged as possibly taken over, and what monitor mode recorded.
 *
 * Everything is computed from an EventArchive's aggregates (SQL GROUP BY on SQLite or Postgres);
 * this file only folds their few rows into named numbers. The definitions below are returned
 * with the report, because a number is only as honest as the sentence that says what it counts.
 */
import type { Action, Mode } from '../config/schema.js';
import { ACTIONS } from '../config/schema.js';
import type { DecisionEvent } from './event.js';
import { bucketFor } from './report-range.js';
import type { DecisionCount, EventArchive, SeriesPoint, SourceCount, SourceKey, TimeRange } from './sink.js';
import { isStopAction, isThreat, THREAT_WORDS, THREATS, type Threat } from './threat.js';

export const REPORT_DEFINITIONS = {
  logins:
    'Login requests botgate decided (every login flow). The second request of a challenged login, let in by its clearance, is not counted again.',
  baseline: 'A CAPTCHA on every login: as many challenges as logins.',
  challenged:
    'Logins botgate decided to challenge, applied or only recorded in monitor mode, so monitor mode does not flatter the reduction.',
  attack:
    'A request is an attack attempt when one of its findings is strong evidence on its own (a tool’s User-Agent posting a form, a source whose logins mostly fail, a password tried on many accounts, a rate rule tripped, a deny-list entry). Weak signals alone (an unknown username, fast typing, a missing browser header) do not make an attack.',
  realUsers:
    'Real users are estimated as logins without attack evidence. Weak-signal logins count as real users, so the real-user challenge rate errs against botgate; the simulator’s scoreboard measures it against ground truth.',
  stopped:
    'Stopped: the decision kept the request from the application (block, deceive, challenge, rate limit or tarpit) and was enforced.',
  accountsProtected:
    'Distinct accounts (username hashes) targeted by at least one login attack that was stopped, minus those flagged as possibly taken over in the same range.',
  lossesAvoided: 'Accounts protected × the configured cost of one account taken over (report.costPerAccountUsd).',
  compromised: 'Accounts named by an ato.suspected event: a login that succeeded with attack evidence.',
  monitor: 'Decisions recorded with enforced: false (mode monitor): computed in full, never applied.',
} as const;

export interface ThreatLine {
  /** A THREATS name, or `other` for one this version does not know (written by a newer node). */
  readonly threat: Threat | 'other';
  readonly words: string;
  readonly attempts: number;
  readonly stopped: number;
  /** Recorded in monitor mode with a stopping action: would have been stopped. */
  readonly wouldHaveStopped: number;
  /** Reached the application: allowed or tagged, or decided in monitor mode. */
  readonly reachedApplication: number;
}

export interface FlowLine {
  readonly flow: string;
  readonly kind: DecisionEvent['flowKind'];
  readonly requests: number;
  readonly byAction: Readonly<Record<Action, number>>;
}

export interface AttackModePeriod {
  readonly flow: string;
  readonly startedAt: number;
  /** null while still on at the end of the range. */
  readonly endedAt: number | null;
  /** Within the range only. */
  readonly durationMs: number;
  readonly detail: string | null;
}

export interface BusinessReport {
  readonly range: { readonly from: number; readonly to: number; readonly since: string | null };
  readonly generatedAt: number;
  /** The policy mode when the report was made (events say which mode decided each request). */
  readonly mode: Mode | null;
  readonly traffic: {
    readonly requests: number;
    readonly byAction: Readonly<Record<Action, number>>;
    readonly byFlow: readonly FlowLine[];
    /** Decisions per bucket and action, every bucket of the range present (the chart's gaps are data). */
    readonly series: {
      readonly from: number;
      readonly to: number;
      readonly bucketMs: number;
      readonly points: readonly { readonly bucket: number; readonly counts: Readonly<Record<Action, number>> }[];
    };
  };
  readonly challenges: {
    readonly logins: number;
    readonly baseline: number;
    readonly challenged: number;
    /** Of `challenged`, those applied (enforced). */
    readonly applied: number;
    /** 100 × (1 − challenged / baseline), one decimal; null without logins. */
    readonly reductionPercent: number | null;
    /** Challenges decided on every flow, logins included. */
    readonly allFlows: number;
    readonly realUsers: {
      readonly logins: number;
      readonly challenged: number;
      /** Refused outright: block, deceive, rate limit or tarpit. */
      readonly refused: number;
      readonly challengeRatePercent: number | null;
      readonly refusalRatePercent: number | null;
    };
  };
  readonly attacks: {
    readonly attempts: number;
    readonly stopped: number;
    readonly wouldHaveStopped: number;
    readonly reachedApplication: number;
    readonly byThreat: readonly ThreatLine[];
    /** Requests stopped on weak signals only: stopped, but not claimed as attacks. */
    readonly stoppedWithoutAttackEvidence: number;
  };
  readonly accounts: {
    readonly targeted: number;
    readonly protected: number;
    readonly compromisedFlagged: number;
    readonly takeoverEvents: number;
    readonly wouldHaveProtected: number;
  };
  readonly losses: {
    readonly costPerAccountUsd: number;
    readonly accountsProtected: number;
    readonly avoidedUsd: number;
    /** What monitor mode's decisions would have avoided, had they been enforced. */
    readonly wouldHaveAvoidedUsd: number;
  };
  readonly monitor: {
    readonly decisions: number;
    readonly wouldHaveStopped: number;
    readonly wouldHaveStoppedAttacks: number;
    readonly wouldHaveChallengedLogins: number;
    readonly wouldHaveRefusedRealUsers: number;
  };
  readonly attackMode: { readonly periods: readonly AttackModePeriod[]; readonly totalMs: number };
  readonly topSources: Readonly<Record<SourceKey, readonly SourceCount[]>>;
  readonly definitions: typeof REPORT_DEFINITIONS;
}

export interface ReportOptions {
  readonly costPerAccountUsd: number;
  readonly mode?: Mode;
  readonly now: number;
  readonly since?: string | null;
  /** Sources listed per key. Default 5. */
  readonly topSources?: number;
}

const REFUSALS: ReadonlySet<string> = new Set(['block', 'deceive', 'ratelimit', 'tarpit']);

export async function buildReport(
  archive: EventArchive,
  range: TimeRange,
  options: ReportOptions,
): Promise<BusinessReport> {
  const top = options.topSources ?? 5;
  const bucketMs = bucketFor(range);
  const [counts, accounts, points, transitions, ip, prefix, fingerprint, userAgent] = await Promise.all([
    archive.decisionCounts(range),
    archive.accountCounts(range),
    archive.series(range, bucketMs),
    archive.attackModeTransitions(range),
    archive.topSources(range, 'ip', top, 'attacks'),
    archive.topSources(range, 'prefix', top, 'attacks'),
    archive.topSources(range, 'fingerprint', top, 'attacks'),
    archive.topSources(range, 'userAgent', top, 'attacks'),
  ]);
  const decisions = counts.filter((c) => c.type === 'decision');
  const sum = (pred: (c: DecisionCount) => boolean) => decisions.reduce((n, c) => (pred(c) ? n + c.count : n), 0);

  const login = (c: DecisionCount) => c.flowKind === 'login' && !c.cleared;
  const logins = sum(login);
  const challenged = sum((c) => login(c) && c.action === 'challenge');
  const applied = sum((c) => login(c) && c.action === 'challenge' && c.enforced);
  const real = (c: DecisionCount) => login(c) && !c.attack;
  const realLogins = sum(real);
  const realChallenged = sum((c) => real(c) && c.action === 'challenge');
  const realRefused = sum((c) => real(c) && REFUSALS.has(c.action));

  const attack = (c: DecisionCount) => c.attack;
  const stopped = (c: DecisionCount) => c.enforced && isStopAction(c.action);
  const wouldStop = (c: DecisionCount) => !c.enforced && isStopAction(c.action);
  const byThreat = threatLines(decisions.filter(attack), stopped, wouldStop);

  const costPerAccountUsd = options.costPerAccountUsd;
  const accountsProtected = Math.max(0, accounts.defended - accounts.defendedButSuspected);
  return {
    range: { from: range.from, to: range.to, since: options.since ?? null },
    generatedAt: options.now,
    mode: options.mode ?? null,
    traffic: {
      requests: sum(() => true),
      byAction: byAction(decisions, () => true),
      byFlow: flowLines(decisions),
      series: filledSeries(points, range, bucketMs),
    },
    challenges: {
      logins,
      baseline: logins,
      challenged,
      applied,
      reductionPercent: logins === 0 ? null : round1(100 * (1 - challenged / logins)),
      allFlows: sum((c) => c.action === 'challenge'),
      realUsers: {
        logins: realLogins,
        challenged: realChallenged,
        refused: realRefused,
        challengeRatePercent: realLogins === 0 ? null : round2((100 * realChallenged) / realLogins),
        refusalRatePercent: realLogins === 0 ? null : round2((100 * realRefused) / realLogins),
      },
    },
    attacks: {
      attempts: sum(attack),
      stopped: sum((c) => attack(c) && stopped(c)),
      wouldHaveStopped: sum((c) => attack(c) && wouldStop(c)),
      reachedApplication: sum((c) => attack(c) && !stopped(c)),
      byThreat,
      stoppedWithoutAttackEvidence: sum((c) => !attack(c) && stopped(c)),
    },
    accounts: {
      targeted: accounts.targeted,
      protected: accountsProtected,
      compromisedFlagged: accounts.takeoverSuspected,
      takeoverEvents: accounts.takeoverEvents,
      wouldHaveProtected: accounts.defendedInMonitor,
    },
    losses: {
      costPerAccountUsd,
      accountsProtected,
      avoidedUsd: round2(accountsProtected * costPerAccountUsd),
      wouldHaveAvoidedUsd: round2(accounts.defendedInMonitor * costPerAccountUsd),
    },
    monitor: {
      decisions: sum((c) => !c.enforced),
      wouldHaveStopped: sum(wouldStop),
      wouldHaveStoppedAttacks: sum((c) => attack(c) && wouldStop(c)),
      wouldHaveChallengedLogins: sum((c) => login(c) && !c.enforced && c.action === 'challenge'),
      wouldHaveRefusedRealUsers: sum((c) => real(c) && !c.enforced && REFUSALS.has(c.action)),
    },
    attackMode: attackModePeriods(transitions, range),
    topSources: { ip, prefix, fingerprint, userAgent },
    definitions: REPORT_DEFINITIONS,
  };
}

function threatLines(
  attacks: readonly DecisionCount[],
  stopped: (c: DecisionCount) => boolean,
  wouldStop: (c: DecisionCount) => boolean,
): ThreatLine[] {
  const lines = new Map<
    Threat | 'other',
    { attempts: number; stopped: number; wouldHaveStopped: number; reachedApplication: number }
  >();
  for (const c of attacks) {
    const threat = c.threat !== null && isThreat(c.threat) ? c.threat : 'other';
    const line = lines.get(threat) ?? { attempts: 0, stopped: 0, wouldHaveStopped: 0, reachedApplication: 0 };
    line.attempts += c.count;
    if (stopped(c)) line.stopped += c.count;
    else line.reachedApplication += c.count;
    if (wouldStop(c)) line.wouldHaveStopped += c.count;
    lines.set(threat, line);
  }
  const rank = (t: Threat | 'other') => (t === 'other' ? THREATS.length : THREATS.indexOf(t));
  return [...lines]
    .map(([threat, l]) => ({
      threat,
      words: threat === 'other' ? 'Other (unknown to this version)' : THREAT_WORDS[threat],
      ...l,
    }))
    .sort((a, b) => b.attempts - a.attempts || rank(a.threat) - rank(b.threat));
}

/** The archive's rows (bucket, action, count) as one point per bucket, empty buckets included. */
function filledSeries(rows: readonly SeriesPoint[], range: TimeRange, bucketMs: number) {
  const first = Math.floor(range.from / bucketMs) * bucketMs;
  const points: { bucket: number; counts: Record<Action, number> }[] = [];
  for (let bucket = first; bucket < range.to; bucket += bucketMs) points.push({ bucket, counts: emptyActions() });
  for (const row of rows) {
    const point = points[Math.floor((row.bucket - first) / bucketMs)];
    if (point !== undefined && row.action in point.counts) point.counts[row.action] += row.count;
  }
  return { from: first, to: range.to, bucketMs, points };
}

function emptyActions(): Record<Action, number> {
  return Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
}

function byAction(counts: readonly DecisionCount[], pred: (c: DecisionCount) => boolean): Record<Action, number> {
  const out = emptyActions();
  for (const c of counts) if (pred(c) && c.action in out) out[c.action] += c.count;
  return out;
}

function flowLines(counts: readonly DecisionCount[]): FlowLine[] {
  const flows = new Map<
    string,
    { kind: DecisionEvent['flowKind']; requests: number; byAction: Record<Action, number> }
  >();
  for (const c of counts) {
    let line = flows.get(c.flow);
    if (line === undefined) {
      line = { kind: c.flowKind, requests: 0, byAction: emptyActions() };
      flows.set(c.flow, line);
    }
    line.requests += c.count;
    if (c.action in line.byAction) line.byAction[c.action] += c.count;
  }
  return [...flows]
    .map(([flow, l]) => ({ flow, ...l }))
    .sort((a, b) => b.requests - a.requests || (a.flow < b.flow ? -1 : 1));
}

/** Pairs each flow's starts and ends; a period on at `from` starts at its real start, clipped in `durationMs`. */
export function attackModePeriods(
  transitions: readonly DecisionEvent[],
  range: TimeRange,
): { periods: AttackModePeriod[]; totalMs: number } {
  const open = new Map<string, DecisionEvent>();
  const periods: AttackModePeriod[] = [];
  const close = (start: DecisionEvent, endedAt: number | null): void => {
    const end = endedAt ?? range.to;
    periods.push({
      flow: start.flow,
      startedAt: start.time,
      endedAt,
      durationMs: Math.max(0, Math.min(end, range.to) - Math.max(start.time, range.from)),
      detail: start.findings[0]?.detail ?? null,
    });
  };
  for (const t of [...transitions].sort((a, b) => a.time - b.time)) {
    if (t.time >= range.to) break;
    if (t.type === 'attack-mode.started') {
      if (!open.has(t.flow)) open.set(t.flow, t);
    } else if (t.type === 'attack-mode.ended') {
      const start = open.get(t.flow);
      if (start !== undefined) {
        open.delete(t.flow);
        if (t.time > range.from) close(start, t.time);
      }
    }
  }
  for (const start of open.values()) close(start, null);
  periods.sort((a, b) => a.startedAt - b.startedAt);
  return { periods, totalMs: periods.reduce((n, p) => n + p.durationMs, 0) };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
