/** Shared setup for the challenge tests: fixed keys, a manual clock, one client binding. */
import { createClearanceSigner } from '../../../src/actions/challenge/clearance.js';
import { createChallengeIssuer } from '../../../src/actions/challenge/proof-of-work.js';
import type { SigningKey } from '../../../src/actions/challenge/signing-keys.js';
import { ManualClock } from '../../../src/state/clock.js';

export const OLD_KEY: SigningKey = { id: 'k2025', secret: 'old-secret-0123456789abcdef' };
export const NEW_KEY: SigningKey = { id: 'k2026', secret: 'new-secret-0123456789abcdef' };
export const CLIENT = { prefix: '203.0.113.0/24', fingerprint: 'fp-3f9a1c2b' } as const;
export const MINUTE = 60_000;

export function challengeSetup(ttlMs = 5 * MINUTE) {
  const clock = new ManualClock();
  const issuer = createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock, ttlMs });
  return { clock, issuer };
}

export function clearanceSetup(graceMs = 10 * MINUTE, ttlMs = 60 * MINUTE) {
  const clock = new ManualClock();
  const signer = createClearanceSigner({ keys: [NEW_KEY], current: NEW_KEY.id, graceMs, ttlMs, clock });
  return { clock, signer };
}

/** A token with one character of `part` (payload or mac) changed to another base64url letter. */
export function tamper(token: string, part: 'payload' | 'mac', at = 5): string {
  const dots = [...token].flatMap((c, i) => (c === '.' ? [i] : []));
  const start = part === 'mac' ? dots[dots.length - 1]! + 1 : dots[dots.length - 2]! + 1;
  const i = start + at;
  const replacement = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + replacement + token.slice(i + 1);
}
