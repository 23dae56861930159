/**
 * How hard a challenge is, from how risky the request looks.
 *
 * Difficulty is in bits: the solution's hash must start with that many zero bits, so the solver
 * tries 2^bits hashes on average and each extra bit doubles the work. The number of tries is
 * geometric: the median solve takes 0.69× the mean, one in twenty takes 3× the mean, one in a
 * hundred 4.6×.
 *
 * Measured by bench/challenge.ts on the 2-core development machine (busy with other work, so a
 * desktop does better), hashes per second on one core:
 *   Chromium worker running the page's SHA-256 (JavaScript, midstate)  ~450 k
 *   Chromium worker, crypto.subtle.digest batched 512 at a time         ~75 k
 *   Node reference solver (node:crypto, hash state copied per try)      ~220 k
 *   the real page end to end with 2 workers                             ~700 k
 * so per bit, on one worker at ~450 k/s, the mean solve is: 16 → 0.15 s, 17 → 0.3 s,
 * 18 → 0.6 s, 19 → 1.2 s, 20 → 2.3 s, 21 → 4.7 s, 22 → 9.3 s. The page runs one worker per core
 * up to 4, which divides these; a phone core is 2–5× slower than this one.
 *
 * The default range (18 to 21) keeps a challenged browser near half a second on a desktop and
 * one or two on a phone, and makes the riskiest requests pay 8× that. A bot farm with native,
 * midstate SHA-256 does millions of hashes per second per core: proof of work prices an attempt,
 * it does not stop one, which is why detectors keep counting after a challenge is solved and a
 * clearance answers a challenge, never a block.
 */

export interface DifficultyRange {
  /** Bits for a request with score 0 (the least suspicious one that was still challenged). */
  readonly base: number;
  /** Bits for a request with score 100. */
  readonly max: number;
}

export const DEFAULT_DIFFICULTY: DifficultyRange = Object.freeze({ base: 18, max: 21 });
/** Highest difficulty a range may name (2^32 hashes is hours in a browser). */
export const DIFFICULTY_LIMIT = 32;

/**
 * Bits for a risk score (0–100): `base` plus the score's share of `max - base`, rounded down,
 * so it never decreases as the score rises and reaches `max` only at 100. Scores outside 0–100
 * are clamped; a score that is not a number is a bug upstream and gets `max` rather than
 * silently the easiest challenge.
 */
export function difficultyFor(score: number, range: DifficultyRange): number {
  const s = Number.isNaN(score) ? 100 : Math.min(100, Math.max(0, score));
  return range.base + Math.floor(((range.max - range.base) * s) / 100);
}

/** Every problem with a range, for the policy loader to report at once (empty when valid). */
export function difficultyRangeProblems(range: DifficultyRange, path = 'difficulty'): string[] {
  const problems: string[] = [];
  for (const key of ['base', 'max'] as const) {
    const v = range[key];
    if (!Number.isInteger(v) || v < 1 || v > DIFFICULTY_LIMIT) {
      problems.push(`${path}.${key} must be an integer from 1 to ${DIFFICULTY_LIMIT} (received "${v}")`);
    }
  }
  if (problems.length === 0 && range.base > range.max) {
    problems.push(`${path}.base must not exceed ${path}.max (received base ${range.base}, max ${range.max})`);
  }
  return problems;
}

/** Mean seconds to solve `bits` at `hashesPerSecond`; for the docs table and the console. */
export function meanSolveSeconds(bits: number, hashesPerSecond: number): number {
  return 2 ** bits / hashesPerSecond;
}
