/**
 * A `challenge` decision meets the clearance the request carries (already verified: signature,
 * expiry, binding). A clearance worth what this request's challenge demands (sufficiency.ts)
 * turns the decision into `allow`, decided by `clearance/valid`; one that falls short leaves the
 * challenge standing, with a `clearance/insufficient` finding saying what it was worth and what
 * was demanded, so the event explains why a client holding a clearance was challenged again.
 */
import type { ClearanceClaims } from '../actions/challenge/clearance.js';
import type { ChallengeChoice } from '../actions/challenge/escalation.js';
import { challengeInWords, clearanceSufficiency } from '../actions/challenge/sufficiency.js';
import type { Decision } from '../policy/decide.js';

export function withClearance(decision: Decision, clearance: ClearanceClaims, demand: ChallengeChoice): Decision {
  const worth = challengeInWords(clearance.level, clearance.captcha);
  if (clearanceSufficiency(clearance, demand) === 'sufficient') {
    return {
      ...decision,
      action: 'allow',
      decidedBy: 'clearance/valid',
      findings: [
        ...decision.findings,
        {
          source: 'clearance/valid',
          reason: 'challenge.cleared',
          score: 0,
          detail: `a solved challenge's clearance (${worth}) satisfied "${decision.decidedBy}"`,
        },
      ],
    };
  }
  return {
    ...decision,
    findings: [
      ...decision.findings,
      {
        source: 'clearance/insufficient',
        reason: 'challenge.clearance-insufficient',
        score: 0,
        detail: `the clearance (${worth}) falls short of the challenge "${decision.decidedBy}" demands here (${challengeInWords(demand.difficulty, demand.captcha)}): challenged again`,
      },
    ],
  };
}
