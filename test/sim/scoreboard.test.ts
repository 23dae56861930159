/**
 * Every persona against the real gateway and the real demo marketplace (in this process, on
 * loopback ports), and the scoreboard's arithmetic checked against what the marketplace itself
 * counted: no request uncounted, none counted twice, every outcome where the truth says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Verdict, verdictOf } from '../../sim/answers.js';
import { type EvalEnvironment, startEvalEnvironment } from '../../sim/environment.js';
import { planScenario } from '../../sim/plan.js';
import type { SentRequest } from '../../sim/record.js';
import { type RunResult, runPlan } from '../../sim/runner.js';
import { compileScenario } from '../../sim/scenario.js';
import { type Scoreboard, score } from '../../sim/scoreboard.js';
import { httpTransport, type OutgoingRequest, type Transport } from '../../sim/transport.js';
import { type Received, readReceived, receivedCursor } from '../../sim/upstream-log.js';
import type { DemoStats } from '../../src/demo/accounting.js';
import { generateDemoUsers } from '../../src/demo/users.js';
import { ALL_PERSONA_NAMES, EVERY_PERSONA } from './every-persona.js';
import { FastPace } from './fast-pace.js';

const users = generateDemoUsers(200);
const scenario = compileScenario(EVERY_PERSONA, 'test');

interface Measured {
  readonly board: Scoreboard;
  readonly run: RunResult;
  readonly received: Map<string, Received>;
  readonly sent: number;
  readonly stats: DemoStats;
  readonly logSize: number;
}

/** A transport that counts what it really sends, apart from the simulator's own records. */
function counting(inner: Transport): Transport & { sent: number } {
  const counter = {
    host: inner.host,
    origin: inner.origin,
    sent: 0,
    send(req: OutgoingRequest) {
      counter.sent++;
      return inner.send(req);
    },
    close: () => inner.close(),
  };
  return counter;
}

async function measure(mode: 'monitor' | 'enforce'): Promise<Measured> {
  const env: EvalEnvironment = await startEvalEnvironment({ users, mode });
  try {
    const before = await receivedCursor(env.upstreamUrl);
    expect(before).toBe(0);
    const plan = planScenario(scenario, scenario.seed, users, new FastPace());
    const transport = counting(httpTransport(env.gatewayUrl));
    const run = await runPlan({ plan, transport });
    await transport.close();
    const received = await readReceived(env.upstreamUrl, before);
    const stats = (await (await fetch(`${env.upstreamUrl}/__demo/stats`)).json()) as DemoStats;
    const log = (await (await fetch(`${env.upstreamUrl}/__demo/received?after=0`)).json()) as { items: unknown[] };
    const board = score({
      scenario: scenario.name,
      seed: scenario.seed,
      personas: plan.personas,
      run,
      received,
      costPerAccountUsd: 3.6,
    });
    return { board, run, received, sent: transport.sent, stats, logSize: log.items.length };
  } finally {
    await env.close();
  }
}

function verdict(m: Measured, r: SentRequest): Verdict {
  return verdictOf(r.botgateId !== null && m.received.has(r.botgateId), r.answer);
}

function reached(m: Measured, filter: (r: SentRequest) => boolean): number {
  return m.run.requests.filter((r) => filter(r) && verdict(m, r) === 'allowed').length;
}

function checkArithmetic(m: Measured): void {
  const { board, run } = m;
  // Every request sent is recorded once, with botgate's reference id, and ends in exactly one bucket.
  expect(run.errors).toEqual([]);
  expect(run.stoppedBy).toBe('completed');
  expect(run.requests.length).toBe(m.sent);
  expect(board.run.requests).toBe(m.sent);
  const ids = run.requests.map((r) => r.botgateId);
  expect(ids.every((id) => id !== null)).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of board.personas) {
    expect(p.allowed + p.challenged + p.blocked + p.deceived + p.rateLimited + p.failed, p.name).toBe(p.requests);
    expect(p.requests, `${p.name} sent nothing`).toBeGreaterThan(0);
  }
  expect(board.personas.map((p) => p.name).sort()).toEqual([...ALL_PERSONA_NAMES].sort());
  const total = (key: 'requests' | 'allowed' | 'failed') => board.personas.reduce((sum, p) => sum + p[key], 0);
  expect(total('requests')).toBe(m.sent);
  expect(total('failed')).toBe(0);

  // What reached the application is exactly what the marketplace counted and logged.
  expect(total('allowed')).toBe(m.stats.requests);
  expect(total('allowed')).toBe(m.logSize);
  expect(m.received.size).toBe(m.logSize);
  for (const id of m.received.keys()) expect(ids).toContain(id);

  // Outcomes the marketplace counted itself agree with the simulator's records of what reached it.
  const logins = (r: SentRequest) => r.flow === 'login';
  expect(reached(m, logins)).toBe(m.stats.logins.success + m.stats.logins.failure);
  expect(reached(m, (r) => logins(r) && r.loginSucceeded)).toBe(m.stats.logins.success);
  expect(reached(m, (r) => r.flow === 'signup')).toBe(m.stats.signups.created + m.stats.signups.rejected);
  expect(reached(m, (r) => r.flow === 'comment')).toBe(m.stats.comments.created + m.stats.comments.rejected);

  // The summary is made of the table's numbers.
  const humans = board.personas.filter((p) => p.kind === 'human');
  const attackers = board.personas.filter((p) => p.kind === 'attacker');
  const s = board.summary;
  expect(s.humanRequests).toBe(humans.reduce((sum, p) => sum + p.requests, 0));
  expect(s.humanRequestsRefused).toBe(humans.reduce((sum, p) => sum + p.blocked + p.deceived + p.rateLimited, 0));
  expect(s.humanLogins).toBe(run.requests.filter((r) => r.kind === 'human' && logins(r)).length);
  expect(s.attackAttempts).toBe(attackers.reduce((sum, p) => sum + p.attempts, 0));
  expect(s.attackAttemptsStopped).toBe(s.attackAttempts - attackers.reduce((sum, p) => sum + p.attemptsReached, 0));
  expect(s.takeovers).toBeLessThanOrEqual(s.accountsAtRisk);
  expect(s.accountsProtected).toBeLessThanOrEqual(s.accountsAtRisk - s.takeovers);
  expect(s.estimatedLossAvoidedUsd).toBeCloseTo(s.accountsProtected * 3.6, 6);
}

describe('the scoreboard against the real gateway and marketplace', () => {
  let monitor: Measured;
  let enforce: Measured;

  beforeAll(async () => {
    // Side by side: each run is its own marketplace and gateway; both mostly wait on persona timing.
    [monitor, enforce] = await Promise.all([measure('monitor'), measure('enforce')]);
  }, 60_000);

  it('in monitor mode, counts every request as reaching the application, and every tried real password as a takeover', () => {
    checkArithmetic(monitor);
    const { board } = monitor;
    for (const p of board.personas) expect(p.allowed, p.name).toBe(p.requests);
    expect(board.summary.attackReachRate).toBe(1);
    expect(board.summary.humanChallengeRate).toBe(0);
    expect(board.summary.challengeReductionPct).toBe(100);
    expect(board.summary.accountsAtRisk).toBeGreaterThan(0);
    expect(board.summary.takeovers).toBe(board.summary.accountsAtRisk);
    expect(board.summary.accountsProtected).toBe(0);
    expect(board.summary.estimatedLossAvoidedUsd).toBe(0);
  });

  it('in enforce mode, accounts for every request, stopped or not', () => {
    checkArithmetic(enforce);
    // The default policy blocks declared attack tools on login forms, whatever else is built.
    const hydra = enforce.board.personas.find((p) => p.name === 'hydra');
    expect(hydra?.allowed).toBe(0);
    expect(enforce.board.summary.attackAttemptsStopped).toBeGreaterThan(0);
  });

  it('sends the same requests in both runs: decisions change outcomes, never the plan', () => {
    // Tools that go down their list whatever the answers (others stop on success or on a refused page).
    const blind = new Set(['stuffing-one-host', 'stuffing-distributed', 'spraying', 'hydra', 'scraper']);
    const key = (m: Measured) =>
      m.run.requests
        .filter((r) => blind.has(r.persona) && r.attempt)
        .map((r) => `${r.persona} ${r.method} ${r.path} ${r.username}`)
        .sort();
    expect(key(enforce)).toEqual(key(monitor));
  });
});
