/**
 * `POST /.botgate/challenge`: redeem a solved challenge for a clearance, as data in and data
 * out. The gateway parses the body (form or JSON), runs the planned store operation and writes
 * the answer; no HTTP server lives here.
 *
 * Two phases, like a detector, so the nonce costs one store round trip and only for a solution
 * that passed every other check:
 *
 *   const plan = endpoint.plan(request);
 *   const results = plan.ops.length > 0 ? await store.exec(plan.ops) : [];
 *   const { status, headers, body, event } = await plan.answer(results);
 *
 * A challenge issued with the external CAPTCHA (challenge.captcha) also needs the widget's token
 * in the `captcha` field. It is sent to the provider's siteverify only after the proof of work
 * passed and the nonce was claimed, so each siteverify call costs the client a full proof of
 * work and a token can be tried once per challenge. A refused token (missing, invalid, reused,
 * solved on another host, too old, wrong action) gets the failure page whose link brings a fresh
 * challenge; a provider that could not judge (down, slow, 5xx, not JSON, our secret refused)
 * leaves the proof of work, issued at the range's highest difficulty, to stand alone, and the
 * event says so (`captcha.outcome: unavailable`).
 *
 * Answers:
 *   solved           HTML: 303 to the challenge's returnTo with the clearance cookie.
 *                    JSON: 200 { clearance, expiresAt } with the same cookie.
 *   expired/replayed HTML: 303 to returnTo without a cookie: the gateway challenges again with a
 *                    fresh nonce, which cannot loop (a new challenge is neither expired nor spent).
 *   rebound          HTML: 403 page with a "Try again" link, not a redirect: if the client's
 *                    binding is unstable, redirecting would loop a browser through challenges.
 *   insufficient-work HTML: 403 page with the link (a real browser never sends this).
 *   captcha-*        HTML: 403 page with the link, not a redirect: a widget that passes on its
 *                    own would otherwise loop a browser through challenges that keep failing.
 *   forged/malformed HTML: 400 page linking to "/" (nothing in the request can be trusted).
 *   Every JSON failure: 403 (400 for forged/malformed) { error: "challenge_failed", reason,
 *   retry, message, referenceId }; `retry` says that asking for the original resource again
 *   will bring a fresh challenge worth solving.
 *
 * The returnTo posted by the page is ignored: the one signed into the token is used, so the
 * endpoint cannot be made into an open redirect.
 *
 * The clearance records what was solved (clearance.ts): the challenge's difficulty as its level,
 * and `captcha` for a challenge issued with the CAPTCHA. That includes a redemption where the
 * provider could not answer and the proof of work stood alone: the band's policy is to degrade
 * to its highest-difficulty proof of work during an outage, and a clearance that did not satisfy
 * the band would send the person straight back into the challenge they just passed, in a loop.
 */
import type { Clock } from '../../state/clock.js';
import type { ClaimOp, StoreValue } from '../../state/store.js';
import { type ClearanceSigner, clearanceCookie } from './clearance.js';
import { renderFailurePage } from './failure-page.js';
import { type Challenge, type ChallengeIssuer, type ChallengeResult, claimResult } from './proof-of-work.js';
import type { ActionResponse } from './response.js';
import type { Siteverify } from './siteverify.js';
import type { CaptchaFailure, CaptchaVerdict } from './siteverify-rules.js';

export interface VerifyRequest {
  /** The submitting client's network prefix and fingerprint, as the gateway computed them. */
  readonly prefix: string;
  readonly fingerprint: string;
  /** The posted form (urlencoded) or JSON object; null when it could not be read or parsed. */
  readonly body: Readonly<Record<string, unknown>> | null;
  /** `html` for a browser's form post, `json` for an API client. */
  readonly respondWith: 'html' | 'json';
  readonly referenceId: string;
  /** Whether the client connection is HTTPS (directly or per a trusted proxy): the cookie gets Secure. */
  readonly secure: boolean;
  /** For siteverify: the client's IP, and the Host it asked for as `requestHostname` gives it. */
  readonly remoteIp?: string;
  readonly hostname?: string | null;
}

/** Why a submission was refused; `malformed` is a body without a challenge string. */
export type VerifyReason = ChallengeResult | 'malformed' | CaptchaFailure;

export interface VerifyEvent {
  readonly result: 'solved' | 'failed';
  readonly reason: VerifyReason;
  /** Milliseconds from issue to redemption (server clocks); null when the token is not ours. */
  readonly solveMs: number | null;
  readonly difficulty: number | null;
  /** The flow whose request was challenged, when the token carries it (null when not ours or older). */
  readonly flow: string | null;
  /** For a challenge with the external CAPTCHA: what siteverify said (absent for proof of work only). */
  readonly captcha?: CaptchaVerdict;
}

export interface VerifyAnswer extends ActionResponse {
  readonly event: VerifyEvent;
}

export interface VerifyPlan {
  /** Store operations to run: the nonce claim for an otherwise valid solution, else none. */
  readonly ops: readonly ClaimOp[];
  /** The answer, given the results of exactly `ops`, in order. */
  answer(results: readonly StoreValue[]): Promise<VerifyAnswer>;
}

export interface VerifyEndpoint {
  plan(request: VerifyRequest): VerifyPlan;
}

export interface VerifyEndpointOptions {
  readonly challenges: ChallengeIssuer;
  readonly clearances: ClearanceSigner;
  readonly clock: Clock;
  /** The provider's siteverify, when challenge.captcha is enabled. */
  readonly captcha?: Pick<Siteverify, 'maxTokenLength' | 'verify'>;
}

/** Longest token taken when this node has no provider to ask (a challenge from a node that had one). */
const ANY_PROVIDER_MAX_TOKEN = 8192;

const NO_OPS: readonly ClaimOp[] = [];

/** Words for a person, and whether asking again for the original resource is worth it. */
const FAILURES: { readonly [R in Exclude<VerifyReason, 'ok'>]: { readonly message: string; readonly retry: boolean } } =
  {
    expired: { message: 'The check took too long and expired.', retry: true },
    replayed: { message: 'This check was already used.', retry: true },
    rebound: {
      message: 'Your network or browser changed while the check was running, so it no longer applies to you.',
      retry: true,
    },
    'insufficient-work': { message: 'The answer to the check was not correct.', retry: true },
    forged: { message: 'The check could not be read; it may have been altered.', retry: true },
    malformed: { message: 'The check was incomplete.', retry: true },
    'captcha-missing': { message: 'The second part of the check was not finished.', retry: true },
    'captcha-invalid': { message: 'The second part of the check was not accepted, or was already used.', retry: true },
    'captcha-hostname': { message: 'The second part of the check was done for another site.', retry: true },
    'captcha-stale': { message: 'The second part of the check took too long and expired.', retry: true },
    'captcha-action': { message: 'The second part of the check was done for another page.', retry: true },
  };

export function createVerifyEndpoint(options: VerifyEndpointOptions): VerifyEndpoint {
  const { challenges, clearances, clock } = options;

  function solved(request: VerifyRequest, challenge: Challenge, captcha?: CaptchaVerdict): VerifyAnswer {
    const issued = clearances.sign({
      prefix: request.prefix,
      fingerprint: request.fingerprint,
      level: challenge.difficulty,
      captcha: challenge.captcha === true,
    });
    const cookie = clearanceCookie(issued.token, clearances.ttlMs, request.secure);
    const event = eventFor('ok', challenge, captcha);
    if (request.respondWith === 'json') {
      return {
        status: 200,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'set-cookie': cookie,
        },
        body: JSON.stringify({ clearance: issued.token, expiresAt: issued.claims.expiresAt }),
        event,
      };
    }
    return {
      status: 303,
      headers: { location: challenge.returnTo, 'cache-control': 'no-store', 'set-cookie': cookie },
      body: '',
      event,
    };
  }

  function failed(
    request: VerifyRequest,
    reason: Exclude<VerifyReason, 'ok'>,
    challenge: Challenge | null,
    captcha?: CaptchaVerdict,
  ): VerifyAnswer {
    const event = eventFor(reason, challenge, captcha);
    const untrusted = challenge === null;
    const status = untrusted ? 400 : 403;
    const { message, retry } = FAILURES[reason];
    if (request.respondWith === 'json') {
      return {
        status,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: JSON.stringify({ error: 'challenge_failed', reason, retry, message, referenceId: request.referenceId }),
        event,
      };
    }
    if (challenge !== null && (reason === 'expired' || reason === 'replayed')) {
      return { status: 303, headers: { location: challenge.returnTo, 'cache-control': 'no-store' }, body: '', event };
    }
    const page = renderFailurePage({
      status,
      message,
      retryTo: challenge?.returnTo ?? '/',
      referenceId: request.referenceId,
    });
    return { ...page, event };
  }

  function eventFor(reason: VerifyReason, challenge: Challenge | null, captcha?: CaptchaVerdict): VerifyEvent {
    return {
      result: reason === 'ok' ? 'solved' : 'failed',
      reason,
      solveMs: challenge === null ? null : Math.max(0, clock.now() - challenge.issuedAt),
      difficulty: challenge?.difficulty ?? null,
      flow: challenge?.flow ?? null,
      ...(captcha === undefined ? {} : { captcha }),
    };
  }

  /** The second step of a CAPTCHA challenge, once its proof of work passed and its nonce was spent. */
  async function withCaptcha(request: VerifyRequest, challenge: Challenge): Promise<VerifyAnswer> {
    const token = request.body?.captcha;
    const maxLength = options.captcha?.maxTokenLength ?? ANY_PROVIDER_MAX_TOKEN;
    if (typeof token !== 'string' || token.length === 0 || token.length > maxLength) {
      const detail = typeof token === 'string' && token.length > 0 ? 'token too long' : 'no token';
      return failed(request, 'captcha-missing', challenge, { outcome: 'failed', reason: 'captcha-missing', detail });
    }
    const verdict: CaptchaVerdict =
      options.captcha === undefined
        ? { outcome: 'unavailable', kind: 'misconfigured', detail: 'this node has no CAPTCHA configured' }
        : await options.captcha.verify({
            token,
            remoteIp: request.remoteIp ?? '',
            hostname: request.hostname ?? null,
            redemptionId: challenge.nonce,
          });
    if (verdict.outcome === 'failed') return failed(request, verdict.reason, challenge, verdict);
    return solved(request, challenge, verdict);
  }

  return {
    plan(request) {
      const token = request.body?.challenge;
      if (typeof token !== 'string' || token.length === 0) return settled(failed(request, 'malformed', null));
      const check = challenges.verify(token, solutionText(request.body?.solution), request);
      if (check.result !== 'ok') return settled(failed(request, check.result, check.challenge));
      const challenge = check.challenge;
      return {
        ops: [check.claim],
        answer: async (results) => {
          if (claimResult(results[0]) !== 'ok') return failed(request, 'replayed', challenge);
          return challenge.captcha === true ? withCaptcha(request, challenge) : solved(request, challenge);
        },
      };
    },
  };
}

function settled(answer: VerifyAnswer): VerifyPlan {
  return { ops: NO_OPS, answer: async () => answer };
}

/** A form posts the counter as text; a JSON client may send a number. Anything else is no work. */
function solutionText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return '';
}
