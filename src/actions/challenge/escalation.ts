/**
 * Which challenge a challenged request gets: proof of work whose difficulty rises with the risk
 * score, and for the riskiest band of browsers, when challenge.captcha is enabled, the external
 * CAPTCHA as well.
 *
 * The CAPTCHA band's proof of work is always the range's highest difficulty: it runs while the
 * person deals with the widget, so it adds little to their wait, and it is what stands alone
 * when the provider cannot answer (docs/challenge.md, "Escalating to a CAPTCHA"). API clients
 * never get the CAPTCHA: they cannot render a widget, and a JSON challenge they cannot solve
 * would lock out integrations rather than bots.
 */
import { type DifficultyRange, difficultyFor } from './difficulty.js';

export interface ChallengeChoice {
  readonly difficulty: number;
  readonly captcha: boolean;
}

/** `minScore` of an enabled challenge.captcha, or null when it is off. */
export function challengeFor(
  score: number,
  range: DifficultyRange,
  captchaMinScore: number | null,
  browser: boolean,
): ChallengeChoice {
  // A score that is not a number is a bug upstream: treated as the riskiest, as difficultyFor does.
  const risky = Number.isNaN(score) || (captchaMinScore !== null && score >= captchaMinScore);
  if (browser && captchaMinScore !== null && risky) return { difficulty: range.max, captcha: true };
  return { difficulty: difficultyFor(score, range), captcha: false };
}
