/**
 * A persona: a kind of client, human or attacker, that a scenario puts to work. Its `plan` lays
 * out its sessions up front (when each starts, from which address, with which client stack, and
 * what it will try), from its own random stream; each session's `run` then acts it out against
 * the site. Nothing a persona does depends on wall-clock time or on other personas, so a seed
 * fixes its request sequence.
 *
 * Options are validated by the persona's own zod schema, with every default stated there.
 */
import type { z } from 'zod';
import type { DemoUser } from '../src/demo/users.js';
import type { ClientIdentity } from './headers/template.js';
import type { Pace } from './pace.js';
import type { Random } from './random.js';
import type { PersonaKind } from './record.js';
import type { Session } from './session.js';

export interface PlanContext<Options> {
  /** The persona's own stream (already forked by its label). */
  readonly random: Random;
  readonly label: string;
  /** How many sessions the scenario asks for; each persona says what a session is. */
  readonly sessions: number;
  /** When its sessions may start, in milliseconds from the run's start. */
  readonly window: { readonly startMs: number; readonly durationMs: number };
  readonly options: Options;
  /** The demo marketplace's accounts, with their passwords. */
  readonly users: readonly DemoUser[];
  /** The scenario's carrier NAT and office addresses. */
  readonly sharedAddresses: readonly string[];
  readonly pace: Pace;
}

export interface PlannedSession {
  readonly startMs: number;
  readonly ip: string;
  readonly identity: ClientIdentity;
  readonly keepsCookies: boolean;
  /**
   * Sessions with the same client key are one browser or app install (a person's later visits):
   * they share cookies. Default: a client of its own.
   */
  readonly client?: string;
  run(session: Session): Promise<void>;
}

export interface Persona<Options = unknown> {
  readonly name: string;
  readonly kind: PersonaKind;
  /** One line for `botgate eval --list` and the docs. */
  readonly summary: string;
  /** What one session is, for scenario authors. */
  readonly session: string;
  readonly options: z.ZodType<Options>;
  plan(ctx: PlanContext<Options>): PlannedSession[];
}

/** `count` start times spread uniformly over the window, in increasing order. */
export function spreadStarts(random: Random, count: number, window: PlanContext<unknown>['window']): number[] {
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(window.startMs + random.next() * window.durationMs);
  return starts.sort((a, b) => a - b);
}
