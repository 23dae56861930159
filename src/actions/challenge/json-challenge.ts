/**
 * The challenge as an API client sees it: a 403 whose JSON body says exactly how to earn a
 * clearance, so an app developer can integrate without an SDK (docs/challenge.md).
 *
 *   { "error": "challenge_required", "referenceId": "…",
 *     "challenge": { "algorithm": "sha256-leading-zero-bits", "token": "v1.…", "difficulty": 18,
 *                    "expiresAt": 1767225900000,
 *                    "submit": { "method": "POST", "url": "/.botgate/challenge",
 *                                "contentType": "application/json",
 *                                "body": { "challenge": "v1.…", "solution": "<counter>" } } } }
 *
 * The client finds a counter such that SHA-256(token + ":" + counter) has `difficulty` leading
 * zero bits, posts it, receives `{ clearance, expiresAt }` and a `__botgate_clearance` cookie,
 * and retries the original request with that cookie.
 *
 * In the CAPTCHA band (escalation.ts) the challenge also carries
 * `"captcha": { "provider": "turnstile", "siteKey": "…", "action"?: "…" }` and the submit body
 * a `"captcha": "<widget token>"` field: the client must render the provider's widget with that
 * site key and post its token beside the counter, as the browser page does. The token is signed
 * into the challenge as "CAPTCHA required", so the proof of work alone earns nothing there.
 */
import type { CaptchaProviderName } from '../../config/schema.js';
import { type CaptchaWidget, CHALLENGE_PATH, CHALLENGE_STATUS } from './page.js';
import type { ActionResponse } from './response.js';

export const POW_ALGORITHM = 'sha256-leading-zero-bits';

export interface JsonChallengeInput {
  readonly token: string;
  readonly difficulty: number;
  readonly expiresAt: number;
  readonly referenceId: string;
  /** Where to post the solution; CHALLENGE_PATH unless the gateway mounts it elsewhere. */
  readonly url?: string;
  /** The external CAPTCHA the client must pass as well (the token was issued with it); absent below the band. */
  readonly captcha?: CaptchaWidget;
}

/** What an app needs to render the provider's widget itself. */
export interface JsonCaptcha {
  readonly provider: CaptchaProviderName;
  readonly siteKey: string;
  /** Turnstile's action, when configured: the widget must be rendered with it. */
  readonly action?: string;
}

export interface JsonChallengeBody {
  readonly error: 'challenge_required';
  readonly referenceId: string;
  readonly challenge: {
    readonly algorithm: typeof POW_ALGORITHM;
    readonly token: string;
    readonly difficulty: number;
    readonly expiresAt: number;
    /** Present only when the CAPTCHA is required too. */
    readonly captcha?: JsonCaptcha;
    readonly submit: {
      readonly method: 'POST';
      readonly url: string;
      readonly contentType: 'application/json';
      readonly body: {
        readonly challenge: string;
        readonly solution: '<counter>';
        readonly captcha?: '<widget token>';
      };
    };
  };
}

export function jsonChallenge(input: JsonChallengeInput): ActionResponse {
  const widget = input.captcha;
  const body: JsonChallengeBody = {
    error: 'challenge_required',
    referenceId: input.referenceId,
    challenge: {
      algorithm: POW_ALGORITHM,
      token: input.token,
      difficulty: input.difficulty,
      expiresAt: input.expiresAt,
      ...(widget === undefined
        ? {}
        : {
            captcha: {
              provider: widget.provider.name,
              siteKey: widget.siteKey,
              ...(widget.action === undefined ? {} : { action: widget.action }),
            },
          }),
      submit: {
        method: 'POST',
        url: input.url ?? CHALLENGE_PATH,
        contentType: 'application/json',
        body: {
          challenge: input.token,
          solution: '<counter>',
          ...(widget === undefined ? {} : { captcha: '<widget token>' as const }),
        },
      },
    },
  };
  return {
    status: CHALLENGE_STATUS,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
