import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveChallenge } from '../../../src/actions/challenge/solver.js';
import { CLIENT, challengeSetup } from './fixtures.js';

/** An independent reading of the rule: the hash's first `difficulty` bits, spelled in binary, are all 0. */
function meetsDifficulty(token: string, counter: string, difficulty: number): boolean {
  const digest = createHash('sha256').update(`${token}:${counter}`).digest();
  const bits = [...digest].map((b) => b.toString(2).padStart(8, '0')).join('');
  return !bits.slice(0, difficulty).includes('1');
}

describe('the reference solver against the server', () => {
  it('finds the smallest valid counter: the server accepts it and refuses every smaller one', () => {
    const { issuer } = challengeSetup();
    for (const difficulty of [0, 1, 5, 8]) {
      const issued = issuer.issue({ ...CLIENT, difficulty, returnTo: '/' });
      const counter = solveChallenge(issued.token, difficulty);
      expect(meetsDifficulty(issued.token, String(counter), difficulty)).toBe(true);
      expect(issuer.verify(issued.token, String(counter), CLIENT).result).toBe('ok');
      for (let smaller = 0; smaller < counter; smaller++) {
        expect(issuer.verify(issued.token, String(smaller), CLIENT).result).toBe('insufficient-work');
      }
    }
  });

  it('refuses other spellings of a valid counter: the hash is over the exact decimal text', () => {
    const { issuer } = challengeSetup();
    const issued = issuer.issue({ ...CLIENT, difficulty: 6, returnTo: '/' });
    const counter = String(solveChallenge(issued.token, 6) + 10_000_000);
    // A valid counter far from 0 is found by search; every spelling of it must be refused.
    let valid = Number(counter);
    while (!meetsDifficulty(issued.token, String(valid), 6)) valid++;
    const spelled = String(valid);
    expect(issuer.verify(issued.token, spelled, CLIENT).result).toBe('ok');
    for (const other of [
      `0${spelled}`,
      `+${spelled}`,
      ` ${spelled}`,
      `${spelled} `,
      `${spelled}.0`,
      `${spelled}e0`,
      '',
      '-1',
      '1'.repeat(16),
    ]) {
      expect(issuer.verify(issued.token, other, CLIENT).result).toBe('insufficient-work');
    }
  });

  it('accepts exactly the counters whose hash has enough leading zero bits', () => {
    const { issuer } = challengeSetup();
    const issued = issuer.issue({ ...CLIENT, difficulty: 3, returnTo: '/' });
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), (n) => {
        const verdict = issuer.verify(issued.token, String(n), CLIENT).result;
        expect(verdict).toBe(meetsDifficulty(issued.token, String(n), 3) ? 'ok' : 'insufficient-work');
      }),
      { numRuns: 500 },
    );
  });
});
