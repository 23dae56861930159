/**
 * Credential cracking: guessing one account's password. A person who forgot a password tries
 * two or three; a cracker tries dozens, from one source or spread over many. Counted as
 * distinct password hashes per account (keyed hashes: a password is never stored), so
 * retrying the same wrong password does not add up.
 *
 * The count is the account's, not the source's, so whoever guesses passwords could lock the
 * owner out of the account. A device that logged this user in before (botgate's signed device
 * cookie, which a cracker cannot forge) is exempt: whoever holds it already knew the password.
 */
import type { LoginDetection } from '../config/schema.js';
import type { Detector, Finding } from './detector.js';
import { loginKeys as k } from './login-keys.js';

const NONE: readonly never[] = [];
export const CRACKING_SCORE = 75;

export function createCredentialCrackingDetector(config: LoginDetection): Detector {
  const windowMs = config.crackingWindowSeconds * 1000;
  return {
    name: 'credential-cracking',
    appliesTo: (flow) => flow.kind === 'login',
    plan(input) {
      const user = input.fields?.usernameHash;
      const password = input.fields?.passwordHash;
      if (user === undefined || password === undefined) return NONE;
      const count = { kind: 'distinct', key: k.passwordsForAccount(user), windowMs, member: password } as const;
      if (input.device === null) return [count];
      return [count, { kind: 'flagGet', key: k.knownDevice(input.device.id, user) }];
    },
    judge(_input, results): readonly Finding[] {
      const passwords = results[0];
      if (typeof passwords !== 'number' || passwords < config.passwordsPerAccount) return NONE;
      const knownDevice = results[1];
      if (knownDevice !== undefined && knownDevice !== null) return NONE;
      return [
        {
          source: 'detector/credential-cracking',
          reason: 'cracking.many-passwords',
          score: CRACKING_SCORE,
          detail: `${passwords} different passwords tried on this account within ${config.crackingWindowSeconds} s`,
        },
      ];
    },
  };
}
