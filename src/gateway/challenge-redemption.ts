/**
 * `POST /.botgate/challenge`: a solved challenge is redeemed (once, across nodes) for a
 * clearance, and the exchange records how it went (solved, failed and why, the CAPTCHA's verdict).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifyEvent } from '../actions/challenge/verify-endpoint.js';
import type { ChallengeMetricResult } from '../events/metrics.js';
import type { Exchange } from './exchange.js';
import { isSecure } from './forward-upstream.js';
import type { GatewayContext } from './gateway-context.js';

/** `POST /.botgate/challenge`: a solution is redeemed (once, across nodes) for a clearance. */
export async function redeemChallenge(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  x: Exchange,
): Promise<void> {
  await ctx.challenges.verify(req, res, x, isSecure(req), (event) => {
    const solved = event.result === 'solved';
    // Counted under the flow that was challenged (signed into the token), not this POST's own
    // flow; the metric bounds the label to the policy's flow names.
    ctx.onChallenge(event.flow ?? x.flow.name, challengeMetric(event));
    x.decision = {
      action: solved ? 'allow' : 'block',
      decidedBy: solved ? 'challenge/solved' : `challenge/${event.reason}`,
      score: 0,
      enforced: true,
      retryAfterSeconds: null,
      findings: [
        {
          source: 'challenge/verify',
          reason: solved ? 'challenge.solved' : 'challenge.failed',
          score: 0,
          detail: `${event.reason}${event.flow === null ? '' : ` (challenged flow "${event.flow}")`}${event.solveMs === null ? '' : `, solved in ${event.solveMs} ms`}${event.difficulty === null ? '' : ` at ${event.difficulty} bits`}${captchaDetail(event)}`,
        },
      ],
    };
  });
}

/** The metric's result: the CAPTCHA path has its own, so its rate and its fallbacks can be watched. */
function challengeMetric(event: VerifyEvent): ChallengeMetricResult {
  switch (event.captcha?.outcome) {
    case 'passed':
      return 'captcha_solved';
    case 'failed':
      return 'captcha_failed';
    case 'unavailable':
      return 'captcha_fallback';
    default:
      return event.result === 'solved' ? 'solved' : 'failed';
  }
}

function captchaDetail(event: VerifyEvent): string {
  const verdict = event.captcha;
  if (verdict === undefined) return '';
  if (verdict.outcome === 'passed') return '; captcha passed';
  if (verdict.outcome === 'failed') return `; captcha refused (${verdict.detail})`;
  return `; captcha provider unavailable (${verdict.kind}: ${verdict.detail}), proof of work stood alone`;
}
