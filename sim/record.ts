/**
 * The simulator's ground truth: one record per request sent, with what only the simulator knows
 * (who sent it, whether the password was right, whether the account is real) next to what came
 * back. Records never leave the simulator; botgate sees only the request.
 */
import type { OwnAnswer } from './answers.js';

export type PersonaKind = 'human' | 'attacker';

/** What the request was for, in the scoreboard's terms (not botgate's flow names). */
export type Flow = 'page' | 'asset' | 'api' | 'login' | 'signup' | 'comment';

export const FLOWS: readonly Flow[] = ['page', 'asset', 'api', 'login', 'signup', 'comment'];

export interface CredentialFacts {
  readonly username: string;
  /** An account of the demo marketplace's seed population (generateDemoUsers). */
  readonly realAccount: boolean;
  /** The password sent is the account's password. */
  readonly correct: boolean;
}

export interface SentRequest {
  /** The persona's label in the scenario. */
  readonly persona: string;
  readonly kind: PersonaKind;
  readonly session: number;
  readonly flow: Flow;
  readonly attempt: boolean;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  readonly username: string | null;
  readonly realAccount: boolean;
  readonly correctPassword: boolean;
  /** Milliseconds since the run started. */
  readonly sentAt: number;
  readonly latencyMs: number;
  /** 0 when no answer arrived. */
  readonly status: number;
  readonly botgateId: string | null;
  /** Why no answer arrived (socket error code, `timeout`), or null. */
  readonly failure: string | null;
  readonly answer: OwnAnswer;
  /** The answer was the application's login success (redirect to /account, or a token). */
  readonly loginSucceeded: boolean;
  readonly solvedChallenge: boolean;
}
