/**
 * The scoreboard: each request the simulator sent, scored against the truth it kept, in the
 * numbers a bot defence is judged by.
 *
 * Per persona: requests, and how each ended (one bucket each, so the buckets add up to
 * `requests`): allowed (reached the application), challenged, blocked, deceived, rateLimited,
 * failed (no answer, or botgate's own failure answer); `reachedUnchallenged` is allowed without a
 * challenge solved first (equal to allowed while personas do not solve challenges).
 *
 * Summary, in the reference deployment's terms:
 * - humanChallengeRate: share of real people's login requests that met a challenge; the
 *   CAPTCHA-on-every-login baseline is 1, so challengeReductionPct = (1 − rate) × 100.
 * - humanBlockRate: share of real people's requests (all kinds) refused outright: blocked,
 *   deceived or rate-limited.
 * - attackReachRate: share of attack attempts (each persona's goal requests: login tries, fake
 *   signups, spam posts, scraped pages) that reached the application unchallenged.
 * - takeovers: real accounts an attacker signed into at the application.
 * - atoSuspected: of those, accounts botgate flagged (`x-botgate-ato: suspected` on the takeover
 *   request or a later request of the same attacker session).
 * - accountsProtected: real accounts whose correct password an attacker sent, none of those
 *   requests reaching the application; estimatedLossAvoidedUsd = that × cost per account.
 */
import { availableParallelism, cpus } from 'node:os';
import { type Verdict, verdictOf } from './answers.js';
import type { PersonaRef } from './plan.js';
import type { Flow, PersonaKind } from './record.js';
import type { RunResult } from './runner.js';
import type { Received } from './upstream-log.js';

export interface Counts {
  requests: number;
  allowed: number;
  challenged: number;
  blocked: number;
  deceived: number;
  rateLimited: number;
  reachedUnchallenged: number;
  failed: number;
}

export interface PersonaScore extends Counts {
  readonly name: string;
  readonly persona: string;
  readonly kind: PersonaKind;
  readonly sessions: number;
  /** Goal requests of an attacker (0 for humans). */
  attempts: number;
  attemptsReached: number;
  /** Distinct real accounts signed into (attackers). */
  takeovers: number;
  readonly flows: Partial<Record<Flow, Counts>>;
}

export interface Summary {
  humanChallengeRate: number | null;
  humanBlockRate: number | null;
  attackReachRate: number | null;
  challengeReductionPct: number | null;
  atoSuspected: number;
  takeovers: number;
  estimatedLossAvoidedUsd: number;
  humanLogins: number;
  humanLoginsChallenged: number;
  humanRequests: number;
  humanRequestsRefused: number;
  attackAttempts: number;
  attackAttemptsStopped: number;
  accountsAtRisk: number;
  accountsProtected: number;
  costPerAccountUsd: number;
  atoFlaggedRequests: { human: number; attacker: number };
}

export interface Scoreboard {
  scenario: string;
  seed: number;
  personas: PersonaScore[];
  summary: Summary;
  run: {
    durationSeconds: number;
    requests: number;
    sessionsPlanned: number;
    sessionsStopped: number;
    stoppedBy: RunResult['stoppedBy'];
    errors: readonly string[];
    /** Requests whose answer carried no x-botgate-id (not answered through botgate). */
    withoutReferenceId: number;
    /** Requests that got no answer, by cause (socket error code, `timeout`). */
    failures: Record<string, number>;
  };
  machine: { cores: number; cpu: string; node: string; platform: string };
}

export interface ScoreInput {
  readonly scenario: string;
  readonly seed: number;
  readonly personas: readonly PersonaRef[];
  readonly run: RunResult;
  readonly received: ReadonlyMap<string, Received>;
  readonly costPerAccountUsd: number;
}

export function emptyCounts(): Counts {
  return {
    requests: 0,
    allowed: 0,
    challenged: 0,
    blocked: 0,
    deceived: 0,
    rateLimited: 0,
    reachedUnchallenged: 0,
    failed: 0,
  };
}

function add(counts: Counts, verdict: Verdict, unchallenged: boolean): void {
  counts.requests++;
  counts[verdict]++;
  if (verdict === 'allowed' && unchallenged) counts.reachedUnchallenged++;
}

export function score(input: ScoreInput): Scoreboard {
  const scores = new Map<string, PersonaScore>();
  for (const ref of input.personas) {
    scores.set(ref.label, {
      name: ref.label,
      persona: ref.persona,
      kind: ref.kind,
      sessions: ref.sessions,
      ...emptyCounts(),
      attempts: 0,
      attemptsReached: 0,
      takeovers: 0,
      flows: {},
    });
  }

  let humanLogins = 0;
  let humanLoginsChallenged = 0;
  let withoutReferenceId = 0;
  const failures: Record<string, number> = {};
  const takenOver = new Map<string, Set<string>>();
  const atRisk = new Set<string>();
  const reachedWithPassword = new Set<string>();
  const flagged = new Set<string>();
  const atoFlaggedRequests = { human: 0, attacker: 0 };
  /** Per attacker session, the account it signed into last: later requests of the session act as it. */
  const sessionAccount = new Map<string, string>();

  for (const request of input.run.requests) {
    const persona = scores.get(request.persona);
    if (persona === undefined) continue;
    if (request.botgateId === null && request.status !== 0) withoutReferenceId++;
    if (request.failure !== null) failures[request.failure] = (failures[request.failure] ?? 0) + 1;
    const received = request.botgateId === null ? undefined : input.received.get(request.botgateId);
    const reached = received !== undefined;
    const verdict = verdictOf(reached, request.answer);
    const unchallenged = !request.solvedChallenge;
    add(persona, verdict, unchallenged);
    const flow = persona.flows[request.flow] ?? emptyCounts();
    persona.flows[request.flow] = flow;
    add(flow, verdict, unchallenged);

    if (request.kind === 'human') {
      if (request.flow === 'login') {
        humanLogins++;
        if (verdict === 'challenged') humanLoginsChallenged++;
      }
      if (received?.ato === 'suspected') atoFlaggedRequests.human++;
      continue;
    }

    if (request.attempt) {
      persona.attempts++;
      if (verdict === 'allowed' && unchallenged) persona.attemptsReached++;
    }
    if (request.realAccount && request.correctPassword && request.username !== null) {
      const account = request.username.toLowerCase();
      atRisk.add(account);
      if (reached) reachedWithPassword.add(account);
    }
    const sessionKey = `${request.persona}#${request.session}`;
    if (reached && request.loginSucceeded && request.realAccount && request.username !== null) {
      const account = request.username.toLowerCase();
      const accounts = takenOver.get(request.persona) ?? new Set<string>();
      takenOver.set(request.persona, accounts);
      accounts.add(account);
      sessionAccount.set(sessionKey, account);
    }
    if (received?.ato === 'suspected') {
      atoFlaggedRequests.attacker++;
      const account = sessionAccount.get(sessionKey);
      if (account !== undefined) flagged.add(account);
    }
  }

  const allTakenOver = new Set<string>();
  for (const [label, accounts] of takenOver) {
    const persona = scores.get(label);
    if (persona) persona.takeovers = accounts.size;
    for (const account of accounts) allTakenOver.add(account);
  }

  const personas = [...scores.values()];
  const humans = personas.filter((p) => p.kind === 'human');
  const attackers = personas.filter((p) => p.kind === 'attacker');
  const humanRequests = sum(humans, (p) => p.requests);
  const humanRequestsRefused = sum(humans, (p) => p.blocked + p.deceived + p.rateLimited);
  const attackAttempts = sum(attackers, (p) => p.attempts);
  const attackReached = sum(attackers, (p) => p.attemptsReached);
  const accountsProtected = [...atRisk].filter((account) => !reachedWithPassword.has(account)).length;
  const humanChallengeRate = ratio(humanLoginsChallenged, humanLogins);

  return {
    scenario: input.scenario,
    seed: input.seed,
    personas,
    summary: {
      humanChallengeRate,
      humanBlockRate: ratio(humanRequestsRefused, humanRequests),
      attackReachRate: ratio(attackReached, attackAttempts),
      challengeReductionPct: humanChallengeRate === null ? null : round((1 - humanChallengeRate) * 100, 2),
      atoSuspected: [...allTakenOver].filter((account) => flagged.has(account)).length,
      takeovers: allTakenOver.size,
      estimatedLossAvoidedUsd: round(accountsProtected * input.costPerAccountUsd, 2),
      humanLogins,
      humanLoginsChallenged,
      humanRequests,
      humanRequestsRefused,
      attackAttempts,
      attackAttemptsStopped: attackAttempts - attackReached,
      accountsAtRisk: atRisk.size,
      accountsProtected,
      costPerAccountUsd: input.costPerAccountUsd,
      atoFlaggedRequests,
    },
    run: {
      durationSeconds: round(input.run.durationMs / 1000, 1),
      requests: input.run.requests.length,
      sessionsPlanned: input.run.sessionsPlanned,
      sessionsStopped: input.run.sessionsStopped,
      stoppedBy: input.run.stoppedBy,
      errors: input.run.errors,
      withoutReferenceId,
      failures,
    },
    machine: machine(),
  };
}

export function machine(): Scoreboard['machine'] {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += pick(item);
  return total;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : round(part / whole, 6);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
