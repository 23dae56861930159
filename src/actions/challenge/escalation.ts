/**
 * Which challenge a challenged request calls for: proof of work whose difficulty rises with the
 * risk score, and in the riskiest band, when challenge.captcha is enabled, the external CAPTCHA
 * as well.
 *
 * The CAPTCHA band's proof of work is always the range's highest difficulty: it runs while the
 * person deals with the widget, so it adds little to their wait, and it is what stands alone
 * when the provider cannot answer (docs/challenge.md, "Escalating to a CAPTCHA").
 *
 * The band depends on the score alone, never on what the client says it accepts: a client that
 * does not ask for HTML gets the JSON challenge, and in the band that JSON names the CAPTCHA it
 * must also pass (json-challenge.ts). Were API clients exempt, a bot would skip the CAPTCHA by
 * leaving text/html out of its Accept header. The same choice is the yardstick a clearance is
 * measured against (sufficiency.ts), so the challenge a request would get and the clearance
 * that spares it from that challenge can never disagree.
 */
import { type DifficultyRange, difficultyFor } from './difficulty.js';

export interface ChallengeChoice {
  /** Leading zero bits the proof of work asks for. */
  readonly difficulty: number;
  /** Whether the external CAPTCHA must be passed as well. */
  readonly captcha: boolean;
}

/** `captchaMinScore`: challenge.captcha.minScore when the CAPTCHA is enabled, null when it is off. */
export function challengeFor(score: number, range: DifficultyRange, captchaMinScore: number | null): ChallengeChoice {
  if (captchaMinScore === null) return { difficulty: difficultyFor(score, range), captcha: false };
  // A score that is not a number is a bug upstream: treated as the riskiest, as difficultyFor does.
  if (Number.isNaN(score) || score >= captchaMinScore) return { difficulty: range.max, captcha: true };
  return { difficulty: difficultyFor(score, range), captcha: false };
}
