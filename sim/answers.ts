/**
 * What happened to a request, read from the outside, the way the scoreboard scores it.
 *
 * A request reached the application exactly when its `x-botgate-id` is in the demo upstream's
 * received log; the response alone cannot say so, because a `deceive` answer is made to look like
 * the application's. When it did not reach the application, botgate answered itself, and its
 * answer tells which action it took:
 * - 429 → rate-limited;
 * - a challenge: JSON `error: "challenge_required"`, an HTML page carrying
 *   `<meta name="botgate-challenge">` or posting to botgate's challenge endpoint (the proof-of-work
 *   interstitial), or botgate's "Verification required" page;
 * - 403 otherwise (JSON `error: "blocked"` or botgate's "Access denied" page) → blocked;
 * - botgate's own failure answers (bad request, too large, upstream unavailable…) or no answer
 *   at all → failed: neither the attacker nor the user was judged, the run was disturbed;
 * - anything else → deceived: it looks like an ordinary failure but never reached the application.
 */
import { ANSWERS } from '../src/actions/answers.js';
import { CHALLENGE_PATH } from '../src/actions/challenge/page.js';
import type { Reply } from './transport.js';

/** botgate's own answer, as far as the response shows it. */
export type OwnAnswer = 'challenge' | 'block' | 'rate-limit' | 'gateway-failure' | 'other' | 'none';

export type Verdict = 'allowed' | 'challenged' | 'blocked' | 'deceived' | 'rateLimited' | 'failed';

const CHALLENGE_META = /<meta\s+name=["']?botgate-challenge["']?/i;
const CHALLENGE_FORM = `action="${CHALLENGE_PATH}"`;
const FAILURE_CODES: ReadonlySet<string> = new Set([
  'bad_request',
  'body_too_large',
  'headers_too_large',
  'request_timeout',
  'upstream_unavailable',
  'upstream_timeout',
]);
const TITLES = {
  challenge: `<title>${ANSWERS.challenge_required.title}</title>`,
  block: `<title>${ANSWERS.blocked.title}</title>`,
  failures: [...FAILURE_CODES].map((code) => `<title>${ANSWERS[code as keyof typeof ANSWERS].title}</title>`),
};

export function readOwnAnswer(reply: Reply): OwnAnswer {
  if (reply.status === 0) return 'none';
  if (reply.status === 429) return 'rate-limit';
  const body = reply.body;
  if (CHALLENGE_META.test(body) || body.includes(CHALLENGE_FORM) || body.includes(TITLES.challenge)) return 'challenge';
  const code = jsonError(reply);
  if (code === 'challenge_required') return 'challenge';
  if (code === 'blocked') return 'block';
  if (code !== null && FAILURE_CODES.has(code)) return 'gateway-failure';
  if (body.includes(TITLES.block)) return 'block';
  if (TITLES.failures.some((title) => body.includes(title))) return 'gateway-failure';
  if (reply.status === 403) return 'block';
  return 'other';
}

export function verdictOf(reached: boolean, answer: OwnAnswer): Verdict {
  if (reached) return 'allowed';
  switch (answer) {
    case 'rate-limit':
      return 'rateLimited';
    case 'challenge':
      return 'challenged';
    case 'block':
      return 'blocked';
    case 'gateway-failure':
    case 'none':
      return 'failed';
    case 'other':
      return 'deceived';
  }
}

function jsonError(reply: Reply): string | null {
  const type = reply.headers['content-type'];
  if (typeof type !== 'string' || !type.includes('json') || !reply.body.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(reply.body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return null;
  }
}
