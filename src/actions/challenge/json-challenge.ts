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
 */
import { CHALLENGE_PATH, CHALLENGE_STATUS } from './page.js';
import type { ActionResponse } from './response.js';

export const POW_ALGORITHM = 'sha256-leading-zero-bits';

export interface JsonChallengeInput {
  readonly token: string;
  readonly difficulty: number;
  readonly expiresAt: number;
  readonly referenceId: string;
  /** Where to post the solution; CHALLENGE_PATH unless the gateway mounts it elsewhere. */
  readonly url?: string;
}

export interface JsonChallengeBody {
  readonly error: 'challenge_required';
  readonly referenceId: string;
  readonly challenge: {
    readonly algorithm: typeof POW_ALGORITHM;
    readonly token: string;
    readonly difficulty: number;
    readonly expiresAt: number;
    readonly submit: {
      readonly method: 'POST';
      readonly url: string;
      readonly contentType: 'application/json';
      readonly body: { readonly challenge: string; readonly solution: '<counter>' };
    };
  };
}

export function jsonChallenge(input: JsonChallengeInput): ActionResponse {
  const body: JsonChallengeBody = {
    error: 'challenge_required',
    referenceId: input.referenceId,
    challenge: {
      algorithm: POW_ALGORITHM,
      token: input.token,
      difficulty: input.difficulty,
      expiresAt: input.expiresAt,
      submit: {
        method: 'POST',
        url: input.url ?? CHALLENGE_PATH,
        contentType: 'application/json',
        body: { challenge: input.token, solution: '<counter>' },
      },
    },
  };
  return {
    status: CHALLENGE_STATUS,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
