/**
 * Account reputation carried from signup and login to what the account then does, without an
 * SDK. botgate sees the signup that creates an account (and how suspect it looked), the login
 * that opens a session for it, and the session credential the application hands back in that
 * answer (a cookie it sets, a token in its JSON: the flow's `session`). Binding the credential's
 * keyed hash to the account's record here lets a later request that presents the credential (a
 * comment flow's `account`) carry the account's origin and age:
 *
 *   signup succeeds        → the account's creation time (by username hash); a session the
 *                            signup answer opened is bound at once
 *   login succeeds         → the session it opened is bound to what botgate knows of the
 *                            account: when it was created here, and whether the signup that
 *                            created it had findings (account-creation's suspect account)
 *   comment (comment-spam) → reads the binding of the credential it presents
 *
 * Nothing is bound when botgate knows nothing about the account (created before botgate, and
 * never suspect): no write for the common case. Keys hold keyed hashes only; every key has a TTL
 * and the store's LRU caps them like any key.
 */
import type { AccountCreationSettings, CommentSpamSettings } from '../config/schema.js';
import type { StoreOp, StoreValue } from '../state/store.js';
import { reasonList, signupKeys } from './account-creation.js';
import { combinedScore } from './combined-score.js';
import type { Detector, DetectorInput, Finding } from './detector.js';

const NONE: readonly never[] = [];
const DAY_MS = 86_400_000;

export const accountKeys = {
  /** When an account was created through botgate (flag by username hash; value: epoch ms). */
  created: (usernameHash: string) => `acc:new:${usernameHash}`,
  /** What a session credential's account is known for (flag by credential hash; see encodeBinding). */
  session: (credentialHash: string) => `acc:ses:${credentialHash}`,
} as const;

/** What a session credential says about its account. */
export interface AccountBinding {
  /** When the account was created through botgate (epoch ms); null when botgate did not see it. */
  readonly createdAt: number | null;
  /** Reason codes of the signup that created it, when that signup was suspect; null otherwise. */
  readonly suspectSignup: string | null;
}

export function encodeBinding(binding: AccountBinding): string {
  return `${binding.createdAt ?? ''}|${binding.suspectSignup ?? ''}`;
}

export function decodeBinding(value: string | null): AccountBinding | null {
  if (value === null) return null;
  const bar = value.indexOf('|');
  if (bar < 0) return null;
  const created = bar === 0 ? null : Number(value.slice(0, bar));
  const reasons = value.slice(bar + 1);
  return {
    createdAt: created === null || !Number.isFinite(created) ? null : created,
    suspectSignup: reasons === '' ? null : reasons,
  };
}

interface Prepared {
  at: { created: number; suspect: number };
  binding: AccountBinding | null;
}

export function createAccountSessionsDetector(
  signup: AccountCreationSettings,
  comments: CommentSpamSettings,
): Detector {
  const ttlMs = comments.accountMemoryDays * DAY_MS;
  const prepared = new WeakMap<DetectorInput, Prepared>();

  return {
    name: 'account-sessions',
    // Every signup records its account's creation; a login only matters when it opens a session.
    appliesTo: (flow) => flow.kind === 'signup' || (flow.kind === 'login' && flow.opensSession === true),

    plan(input) {
      const username = input.fields?.usernameHash;
      if (input.flow.kind !== 'login' || username === undefined) return NONE;
      prepared.set(input, { at: { created: 0, suspect: 1 }, binding: null });
      return [
        { kind: 'flagGet', key: accountKeys.created(username) },
        { kind: 'flagGet', key: signupKeys.suspectAccount(username) },
      ];
    },

    judge(input, results: readonly StoreValue[]): readonly Finding[] {
      const p = prepared.get(input);
      if (p === undefined) return NONE;
      const created = results[p.at.created];
      const suspect = results[p.at.suspect];
      const createdAt = typeof created === 'string' && Number.isFinite(Number(created)) ? Number(created) : null;
      const suspectSignup = typeof suspect === 'string' && suspect !== '' ? suspect : null;
      if (createdAt !== null || suspectSignup !== null) p.binding = { createdAt, suspectSignup };
      return NONE;
    },

    learn(input, outcome, decision) {
      if (outcome.result !== 'success') return NONE;
      const ops: StoreOp[] = [];
      let binding: AccountBinding | null;
      if (input.flow.kind === 'signup') {
        const username = input.fields?.usernameHash;
        if (username !== undefined) {
          ops.push({ kind: 'flagSet', key: accountKeys.created(username), value: String(input.now), ttlMs });
        }
        const suspect = combinedScore(decision.findings) >= signup.suspectScore;
        binding = { createdAt: input.now, suspectSignup: suspect ? reasonList(decision.findings) : null };
      } else {
        binding = prepared.get(input)?.binding ?? null;
      }
      if (binding !== null && outcome.session !== undefined) {
        ops.push({ kind: 'flagSet', key: accountKeys.session(outcome.session), value: encodeBinding(binding), ttlMs });
      }
      return ops;
    },
  };
}
