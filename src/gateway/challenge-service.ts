/**
 * The challenge action wired into the gateway: issuing a proof-of-work challenge (a page for
 * browsers, JSON for API clients), redeeming solutions at `POST /.botgate/challenge`, and
 * honouring clearance cookies. A valid clearance satisfies a `challenge` decision and nothing
 * more severe: a cleared client that is blocked by policy stays blocked.
 *
 * Keys come from the node secret (every node derives the same), so a challenge issued by one
 * node is redeemed on another; nonces are spent in the shared store, so a solution is
 * redeemed once across all nodes.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientBinding } from '../actions/challenge/binding.js';
import { type ClearanceClaims, createClearanceSigner, readClearanceCookie } from '../actions/challenge/clearance.js';
import { difficultyFor } from '../actions/challenge/difficulty.js';
import { jsonChallenge } from '../actions/challenge/json-challenge.js';
import { CHALLENGE_PATH, challengePageCsp, renderChallengePage } from '../actions/challenge/page.js';
import { createChallengeIssuer } from '../actions/challenge/proof-of-work.js';
import type { ActionResponse } from '../actions/challenge/response.js';
import { formReturnTo, safeReturnTo } from '../actions/challenge/return-to.js';
import type { SigningKey } from '../actions/challenge/signing-keys.js';
import { createVerifyEndpoint, type VerifyEvent } from '../actions/challenge/verify-endpoint.js';
import type { ChallengeSettings } from '../config/schema.js';
import type { Clock } from '../state/clock.js';
import type { Store } from '../state/store.js';
import type { Exchange } from './exchange.js';

export { CHALLENGE_PATH };

const VERIFY_BODY_LIMIT = 8_192;

export interface ChallengeService {
  /** The verified clearance the request carries, or null. */
  clearance(req: IncomingMessage, prefix: string): ClearanceClaims | null;
  /** Answers a request with a challenge fitting its client. */
  challenge(x: Exchange, req: IncomingMessage, res: ServerResponse, score: number): void;
  /** Handles `POST /.botgate/challenge`; calls `onResult` with the verification's outcome. */
  verify(req: IncomingMessage, res: ServerResponse, x: Exchange, secure: boolean, onResult: (e: VerifyEvent) => void): Promise<void>;
}

export function createChallengeService(settings: ChallengeSettings, secret: string, store: Store, clock: Clock): ChallengeService {
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
  const endpoint = createVerifyEndpoint({ challenges, clearances, clock });

  const write = (res: ServerResponse, id: string, answer: ActionResponse, extra?: Record<string, string>): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(answer.status, { ...answer.headers, ...extra, 'content-length': Buffer.byteLength(answer.body), 'x-botgate-id': id });
    res.end(answer.body);
  };

  return {
    clearance(req, prefix) {
      const token = readClearanceCookie(req.headers.cookie);
      if (token === null) return null;
      const check = clearances.verify(token, { prefix, fingerprint: clientBinding(req.headers) });
      return check.ok ? check.claims : null;
    },

    challenge(x, req, res, score) {
      const range = settings.flows[x.flow.name] ?? settings.difficulty;
      const difficulty = difficultyFor(score, range);
      const binding = { prefix: x.signals.prefix, fingerprint: clientBinding(req.headers) };
      const accept = req.headers.accept ?? '';
      if (!accept.includes('text/html')) {
        const issued = challenges.issue({ ...binding, difficulty, returnTo: '/' });
        write(res, x.id, jsonChallenge({ token: issued.token, difficulty, expiresAt: issued.expiresAt, referenceId: x.id }));
        return;
      }
      const navigation = x.method === 'GET' || x.method === 'HEAD';
      const returnTo = navigation ? safeReturnTo(req.url) : formReturnTo(headerValue(req.headers.referer), req.headers.host, '/');
      const issued = challenges.issue({ ...binding, difficulty, returnTo });
      const page = renderChallengePage({ challenge: issued.token, difficulty, returnTo, referenceId: x.id, formReplay: !navigation });
      write(res, x.id, page, { 'content-security-policy': challengePageCsp(page.nonce) });
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
      });
      const results = plan.ops.length > 0 ? await store.exec(plan.ops) : [];
      const answer = plan.answer(results);
      onResult(answer.event);
      write(res, x.id, answer);
    },
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
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
