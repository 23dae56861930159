/**
 * The challenge action wired into the gateway: issuing a proof-of-work challenge (a page for
 * browsers, JSON for API clients), redeeming solutions at `POST /.botgate/challenge`, and
 * reading clearance cookies. A valid clearance satisfies a `challenge` decision when it is worth
 * what that challenge demands (`demand`, sufficiency.ts), and nothing more severe: a cleared
 * client that is blocked by policy stays blocked.
 *
 * Keys come from the node secret (every node derives the same), so a challenge issued by one
 * node is redeemed on another; nonces are spent in the shared store, so a solution is
 * redeemed once across all nodes.
 *
 * With challenge.captcha enabled, requests in the riskiest band (escalation.ts) get the
 * provider's widget beside the proof of work (browsers) or a JSON challenge naming it (every
 * other client), and their redemption calls the provider's siteverify (siteverify.ts) with the
 * client's IP and the Host it asked for.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientBinding } from '../actions/challenge/binding.js';
import { CAPTCHA_PROVIDER } from '../actions/challenge/captcha-provider.js';
import { type ClearanceClaims, createClearanceSigner, readClearanceCookie } from '../actions/challenge/clearance.js';
import type { DifficultyRange } from '../actions/challenge/difficulty.js';
import { type ChallengeChoice, challengeFor } from '../actions/challenge/escalation.js';
import { jsonChallenge } from '../actions/challenge/json-challenge.js';
import { type CaptchaWidget, CHALLENGE_PATH, renderChallengePage } from '../actions/challenge/page.js';
import { createChallengeIssuer } from '../actions/challenge/proof-of-work.js';
import type { ActionResponse } from '../actions/challenge/response.js';
import { formReturnTo, safeReturnTo } from '../actions/challenge/return-to.js';
import type { SigningKey } from '../actions/challenge/signing-keys.js';
import { createSiteverify, type Siteverify } from '../actions/challenge/siteverify.js';
import { type ProviderErrorKind, requestHostname } from '../actions/challenge/siteverify-rules.js';
import { createVerifyEndpoint, type VerifyEvent } from '../actions/challenge/verify-endpoint.js';
import type { CaptchaProviderName, CaptchaSettings, ChallengeSettings } from '../config/schema.js';
import type { Clock } from '../state/clock.js';
import type { Store } from '../state/store.js';
import type { Exchange } from './exchange.js';

export { CHALLENGE_PATH };

// Room for an hCaptcha token (past 4,000 characters) beside the challenge and the solution.
const VERIFY_BODY_LIMIT = 16_384;

export interface ChallengeService {
  /**
   * The challenge a `challenge` decision of this flow and score calls for: the yardstick a
   * clearance is measured against and the challenge issued when it falls short. Arithmetic only.
   */
  demand(flow: string, score: number): ChallengeChoice;
  /** The verified clearance the request carries, or null; what it is worth is for the caller to judge. */
  clearance(req: IncomingMessage, prefix: string): ClearanceClaims | null;
  /** Answers a request with `demand`'s challenge in its client's form; says which kind, for the metric. */
  challenge(
    x: Exchange,
    req: IncomingMessage,
    res: ServerResponse,
    demand: ChallengeChoice,
  ): 'issued' | 'captcha_issued';
  /** Handles `POST /.botgate/challenge`; calls `onResult` with the verification's outcome. */
  verify(
    req: IncomingMessage,
    res: ServerResponse,
    x: Exchange,
    secure: boolean,
    onResult: (e: VerifyEvent) => void,
  ): Promise<void>;
  /** Closes the connections to the CAPTCHA provider, if any. */
  close(): Promise<void>;
}

export interface ChallengeServiceOptions {
  /** A siteverify call the provider could not answer (counted, and logged at most once a minute per kind). */
  readonly onProviderError?: (provider: CaptchaProviderName, kind: ProviderErrorKind, detail: string) => void;
}

export function createChallengeService(
  settings: ChallengeSettings,
  secret: string,
  store: Store,
  clock: Clock,
  options: ChallengeServiceOptions = {},
): ChallengeService {
  const keys: SigningKey[] = [secret, ...settings.previousSecrets].map((s) => ({ id: keyId(s), secret: s }));
  const current = keys[0]!.id;
  const challenges = createChallengeIssuer({ keys, current, clock });
  const clearances = createClearanceSigner({
    keys,
    current,
    clock,
    graceMs: settings.graceMinutes * 60_000,
    ttlMs: settings.clearanceMinutes * 60_000,
  });
  const captcha = settings.captcha.enabled ? captchaParts(settings.captcha, clock) : null;
  // A Map, not the record: a flow named like an Object.prototype key must not find a function.
  const ranges: ReadonlyMap<string, DifficultyRange> = new Map(Object.entries(settings.flows));
  const minScore = captcha === null ? null : settings.captcha.minScore;
  const endpoint = createVerifyEndpoint({
    challenges,
    clearances,
    clock,
    ...(captcha === null ? {} : { captcha: captcha.siteverify }),
  });

  const write = (res: ServerResponse, id: string, answer: ActionResponse, extra?: Record<string, string>): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(answer.status, {
      ...answer.headers,
      ...extra,
      'content-length': Buffer.byteLength(answer.body),
      'x-botgate-id': id,
    });
    res.end(answer.body);
  };

  return {
    demand(flow, score) {
      return challengeFor(score, ranges.get(flow) ?? settings.difficulty, minScore);
    },

    clearance(req, prefix) {
      const token = readClearanceCookie(req.headers.cookie);
      if (token === null) return null;
      const check = clearances.verify(token, { prefix, fingerprint: clientBinding(req.headers) });
      return check.ok ? check.claims : null;
    },

    challenge(x, req, res, demand) {
      const binding = { prefix: x.signals.prefix, fingerprint: clientBinding(req.headers) };
      const flow = x.flow.name;
      const difficulty = demand.difficulty;
      // demand.captcha is only ever true with the CAPTCHA configured (minScore is null otherwise).
      const widget = demand.captcha && captcha !== null ? captcha.widget : undefined;
      const kind = widget === undefined ? 'issued' : 'captcha_issued';
      if (!(req.headers.accept ?? '').includes('text/html')) {
        const issued = challenges.issue({ ...binding, difficulty, returnTo: '/', captcha: widget !== undefined, flow });
        write(
          res,
          x.id,
          jsonChallenge({
            token: issued.token,
            difficulty,
            expiresAt: issued.expiresAt,
            referenceId: x.id,
            ...(widget === undefined ? {} : { captcha: widget }),
          }),
        );
        return kind;
      }
      const navigation = x.method === 'GET' || x.method === 'HEAD';
      const returnTo = navigation
        ? safeReturnTo(req.url)
        : formReturnTo(headerValue(req.headers.referer), req.headers.host, '/');
      const issued = challenges.issue({ ...binding, difficulty, returnTo, captcha: widget !== undefined, flow });
      const page = renderChallengePage({
        challenge: issued.token,
        difficulty,
        returnTo,
        referenceId: x.id,
        formReplay: !navigation,
        ...(widget === undefined ? {} : { captcha: widget }),
      });
      write(res, x.id, page);
      return kind;
    },

    async verify(req, res, x, secure, onResult) {
      const body = await readSmallBody(req);
      const html = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
      const plan = endpoint.plan({
        prefix: x.signals.prefix,
        fingerprint: clientBinding(req.headers),
        body: body === null ? null : parseBody(body, html),
        respondWith: html ? 'html' : 'json',
        referenceId: x.id,
        secure,
        remoteIp: x.signals.ip,
        hostname: requestHostname(req.headers.host),
      });
      const results = plan.ops.length > 0 ? await store.exec(plan.ops) : [];
      const answer = await plan.answer(results);
      const verdict = answer.event.captcha;
      if (verdict?.outcome === 'unavailable' && captcha !== null)
        providerError(captcha.provider, verdict.kind, verdict.detail);
      onResult(answer.event);
      write(res, x.id, answer);
    },

    close: async () => {
      await captcha?.siteverify.close();
    },
  };

  function providerError(provider: CaptchaProviderName, kind: ProviderErrorKind, detail: string): void {
    options.onProviderError?.(provider, kind, detail);
  }
}

/** The widget the page shows and the siteverify client; throws when the secret or site key is missing. */
function captchaParts(
  settings: CaptchaSettings,
  clock: Clock,
): { provider: CaptchaProviderName; widget: CaptchaWidget; siteverify: Siteverify } {
  const provider = CAPTCHA_PROVIDER[settings.provider];
  const { siteKey, secret } = settings;
  if (siteKey === undefined || secret === undefined) {
    throw new Error(
      'Cannot start the CAPTCHA escalation: challenge.captcha.enabled is true but the site key or the secret is missing (set challenge.captcha.siteKey, and BOTGATE_CAPTCHA_SECRET or challenge.captcha.secret)',
    );
  }
  return {
    provider: provider.name,
    widget: { provider, siteKey, scriptUrl: settings.scriptUrl ?? provider.scriptUrl, action: settings.action },
    siteverify: createSiteverify({
      provider,
      verifyUrl: settings.verifyUrl ?? provider.verifyUrl,
      secret,
      siteKey,
      timeoutMs: settings.timeoutMs,
      maxAgeMs: settings.maxAgeSeconds * 1000,
      action: settings.action,
      now: () => clock.now(),
    }),
  };
}

/** A short public id for a secret: nodes with the same secret agree on it, and it reveals nothing. */
function keyId(secret: string): string {
  return createHash('sha256').update(`botgate/key-id/${secret}`).digest('base64url').slice(0, 8);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readSmallBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > VERIFY_BODY_LIMIT) {
        resolve(null);
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function parseBody(text: string, form: boolean): Record<string, unknown> | null {
  if (form) return Object.fromEntries(new URLSearchParams(text));
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
