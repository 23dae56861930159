/**
 * Whether a verified clearance spares a request the challenge its decision calls for.
 *
 * A clearance records what was solved to earn it (clearance.ts): the difficulty in bits and
 * whether the external CAPTCHA was part of it. It satisfies a challenge only when it is worth at
 * least as much as that challenge: its level is at least the difficulty this request's challenge
 * would ask (the same `challengeFor` the challenge itself is issued with), and, in the CAPTCHA
 * band, it was earned through the CAPTCHA. Otherwise the cheapest challenge on the site (a
 * low-risk page at base difficulty) would buy passage through the most expensive one.
 *
 * An insufficient clearance is no reason to treat the client worse: it gets the challenge it
 * would have got without one, and solving it earns a clearance good for both.
 */
import type { ClearanceClaims } from './clearance.js';
import type { ChallengeChoice } from './escalation.js';

/** `sufficient`, or what falls short: the level (too few bits), or the CAPTCHA (not passed). */
export type ClearanceSufficiency = 'sufficient' | 'level' | 'captcha';

export function clearanceSufficiency(
  clearance: Pick<ClearanceClaims, 'level' | 'captcha'>,
  demand: ChallengeChoice,
): ClearanceSufficiency {
  if (demand.captcha && !clearance.captcha) return 'captcha';
  if (clearance.level < demand.difficulty) return 'level';
  return 'sufficient';
}

/** A clearance's worth or a challenge's demand in words, for findings: "18 bits, proof of work only". */
export function challengeInWords(bits: number, captcha: boolean): string {
  return `${bits} bits${captcha ? ' and the CAPTCHA' : ', proof of work only'}`;
}
