/**
 * A scenario laid out: every session of every persona with its start time, address, client and
 * random stream, before anything is sent. The same scenario and seed always give the same plan.
 */
import type { DemoUser } from '../src/demo/users.js';
import { sharedAddresses } from './addresses.js';
import type { ClientIdentity } from './headers/template.js';
import { Pace } from './pace.js';
import type { PlannedSession } from './persona.js';
import { createRandom, type Random } from './random.js';
import type { PersonaKind } from './record.js';
import type { Scenario } from './scenario.js';

export interface PlannedRun {
  readonly label: string;
  readonly kind: PersonaKind;
  readonly index: number;
  readonly startMs: number;
  readonly ip: string;
  readonly identity: ClientIdentity;
  readonly keepsCookies: boolean;
  /** Shared-cookie key, prefixed with the persona's label; undefined for a client of its own. */
  readonly client: string | undefined;
  /** The session's stream; a run forks it (`fork('run')`), so a plan can be acted out again identically. */
  readonly random: Random;
  readonly run: PlannedSession['run'];
}

export interface PersonaRef {
  readonly label: string;
  readonly persona: string;
  readonly kind: PersonaKind;
  readonly sessions: number;
}

export interface ScenarioPlan {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly pace: Pace;
  readonly personas: readonly PersonaRef[];
  /** Ordered by start time (ties: scenario order, then session index). */
  readonly sessions: readonly PlannedRun[];
}

/** `pace` replaces the scenario's human timing (tests use a faster one; runs never should). */
export function planScenario(
  scenario: Scenario,
  seed: number,
  users: readonly DemoUser[],
  pace: Pace = new Pace(scenario.thinkTimeScale),
): ScenarioPlan {
  const root = createRandom(seed);
  const shared = sharedAddresses(root.fork('shared-addresses'), scenario.sharedAddresses);
  const personas: PersonaRef[] = [];
  const sessions: PlannedRun[] = [];
  for (const entry of scenario.entries) {
    const random = root.fork('persona', entry.label);
    const planned = entry.persona.plan({
      random,
      label: entry.label,
      sessions: entry.sessions,
      window: { startMs: entry.startSeconds * 1000, durationMs: entry.durationSeconds * 1000 },
      options: entry.options,
      users,
      sharedAddresses: shared,
      pace,
    });
    personas.push({
      label: entry.label,
      persona: entry.persona.name,
      kind: entry.persona.kind,
      sessions: planned.length,
    });
    planned.forEach((session, index) => {
      sessions.push({
        label: entry.label,
        kind: entry.persona.kind,
        index,
        startMs: session.startMs,
        ip: session.ip,
        identity: session.identity,
        keepsCookies: session.keepsCookies,
        client: session.client === undefined ? undefined : `${entry.label}/${session.client}`,
        random: random.fork('session', index),
        run: session.run,
      });
    });
  }
  // Array.prototype.sort is stable: equal start times keep scenario and index order.
  sessions.sort((a, b) => a.startMs - b.startMs);
  return { scenario, seed, pace, personas, sessions };
}
