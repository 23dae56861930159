/**
 * The proof-of-work challenge: issued as a signed token, redeemed with a counter.
 *
 * A challenge token is `v1.<payload>.<mac>` (base64url JSON, then HMAC-SHA256 of `v1.<payload>`
 * under the challenge key named in the payload). The server keeps nothing until redemption: the
 * token carries its own difficulty, expiry and binding, and only a redeemed nonce is stored
 * (the caller's `claim` op), so issuing a challenge costs no store round trip.
 *
 * A solution is a counter (decimal, no leading zeros) such that
 * SHA-256(token + ":" + counter) starts with at least `difficulty` zero bits: 2^difficulty
 * hashes on average for the solver, one for the verifier.
 *
 * Verification order: MAC (forged), expiry (expired), binding (rebound), work (insufficient-work).
 * Replay is decided last by the caller, with `nonceClaim` run on the shared store, so a nonce is
 * spent only by a solution that is otherwise valid and a flood of bad submissions writes nothing.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../state/clock.js';
import type { ClaimOp, StoreValue } from '../../state/store.js';
import type { Binding } from './binding.js';
import { randomToken } from './random-token.js';
import { safeReturnTo } from './return-to.js';
import { type CompiledKey, compileKeyRing, type KeyRing, mac, type SigningKey, sameMac } from './signing-keys.js';

export interface Challenge {
  /** 128 random bits, base64url; the unit of single use. */
  readonly nonce: string;
  /** Leading zero bits the solution's hash must have. */
  readonly difficulty: number;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Network prefix (/24, /48) of the client the challenge was issued to. */
  readonly prefix: string;
  /** Client key the challenge was issued to (see binding.ts): stable across one browser's requests. */
  readonly fingerprint: string;
  /** Same-origin path to return to once solved; `issue` replaces anything else with "/" (safeReturnTo). */
  readonly returnTo: string;
  /**
   * True when redeeming also needs the external CAPTCHA's token (challenge.captcha): signed in,
   * so a client cannot drop the CAPTCHA by posting the proof of work alone.
   */
  readonly captcha?: true;
  /**
   * The flow whose request was challenged, so that a redemption (a request of its own, to
   * CHALLENGE_PATH) is counted under it. Absent in tokens issued before it was carried.
   */
  readonly flow?: string;
}

export interface IssuedChallenge extends Challenge {
  readonly token: string;
}

export type ChallengeResult = 'ok' | 'expired' | 'forged' | 'rebound' | 'insufficient-work' | 'replayed';

/** What verification decides before the store is asked about the nonce. */
export type SolutionCheck =
  | { readonly result: 'ok'; readonly challenge: Challenge; readonly claim: ClaimOp }
  | { readonly result: 'expired' | 'rebound' | 'insufficient-work'; readonly challenge: Challenge }
  | { readonly result: 'forged'; readonly challenge: null };

export interface ChallengeIssuerOptions {
  readonly keys: readonly SigningKey[];
  /** Id of the key that signs; every key in `keys` verifies. */
  readonly current: string;
  readonly clock: Clock;
  /**
   * How long a challenge may be redeemed. Default 5 minutes: a browser solves in seconds, a slow
   * phone at the highest default difficulty within a minute or two; longer would only let a bot
   * stockpile solved challenges to redeem later in a burst. Retiring a challenge key therefore
   * needs no grace: drop it one `ttlMs` after it stops being current.
   */
  readonly ttlMs?: number;
}

export interface ChallengeIssuer {
  readonly ttlMs: number;
  issue(
    request: Binding & {
      readonly difficulty: number;
      readonly returnTo: string;
      readonly captcha?: boolean;
      readonly flow?: string;
    },
  ): IssuedChallenge;
  /** Check a submitted solution against the request that submits it. Never throws. */
  verify(token: string, solution: string, request: Binding): SolutionCheck;
}

export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60_000;
/** Longest token accepted; a real one is a few hundred characters (returnTo is capped at 1024). */
export const MAX_TOKEN_LENGTH = 4096;
/** Highest difficulty the issuer accepts: 2^32 hashes is hours in a browser already. */
export const MAX_DIFFICULTY = 32;
/** Store key prefix of spent nonces. */
export const NONCE_KEY_PREFIX = 'pow:n:';
/** Extra life of a spent nonce beyond its challenge's expiry, to cover clock skew between nodes. */
const NONCE_SKEW_MS = 60_000;

const TOKEN_PATTERN = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
/** A counter as the browser writes it: decimal, no sign, no leading zero, a safe integer. */
const COUNTER_PATTERN = /^(?:0|[1-9][0-9]{0,14})$/;

export function createChallengeIssuer(options: ChallengeIssuerOptions): ChallengeIssuer {
  const ring = compileKeyRing(options.keys, options.current, 'challenge');
  const ttlMs = options.ttlMs ?? DEFAULT_CHALLENGE_TTL_MS;
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new Error(`Cannot create the challenge issuer: ttlMs must be a positive integer (received "${ttlMs}")`);
  }
  const clock = options.clock;

  return {
    ttlMs,
    issue(request) {
      const d = request.difficulty;
      if (!Number.isInteger(d) || d < 0 || d > MAX_DIFFICULTY) {
        throw new Error(
          `Cannot issue a challenge: difficulty must be an integer from 0 to ${MAX_DIFFICULTY} (received "${d}")`,
        );
      }
      const issuedAt = clock.now();
      const challenge: Challenge = {
        nonce: randomToken(),
        difficulty: d,
        issuedAt,
        expiresAt: issuedAt + ttlMs,
        prefix: request.prefix,
        fingerprint: request.fingerprint,
        returnTo: safeReturnTo(request.returnTo),
        ...(request.captcha === true ? { captcha: true as const } : {}),
        ...(request.flow === undefined ? {} : { flow: request.flow }),
      };
      return { ...challenge, token: sign(ring.current, challenge) };
    },
    verify(token, solution, request) {
      const challenge = authenticate(ring, token);
      if (challenge === null) return { result: 'forged', challenge: null };
      const now = clock.now();
      if (now >= challenge.expiresAt) return { result: 'expired', challenge };
      if (challenge.prefix !== request.prefix || challenge.fingerprint !== request.fingerprint) {
        return { result: 'rebound', challenge };
      }
      if (!COUNTER_PATTERN.test(solution) || !hasWork(token, solution, challenge.difficulty)) {
        return { result: 'insufficient-work', challenge };
      }
      return { result: 'ok', challenge, claim: nonceClaim(challenge, now) };
    },
  };
}

/**
 * The store operation that spends a challenge's nonce: true the first time, false for a replay.
 * It lives until the challenge can no longer be redeemed anywhere (expiry plus clock skew).
 */
export function nonceClaim(challenge: Challenge, now: number): ClaimOp {
  return {
    kind: 'claim',
    key: NONCE_KEY_PREFIX + challenge.nonce,
    ttlMs: Math.max(0, challenge.expiresAt - now) + NONCE_SKEW_MS,
  };
}

/** The final word on a solution that passed `verify`: anything but a first claim is a replay. */
export function claimResult(claimed: StoreValue | undefined): 'ok' | 'replayed' {
  return claimed === true ? 'ok' : 'replayed';
}

/** Number of leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Whether SHA-256(token + ":" + counter) has at least `difficulty` leading zero bits. */
export function hasWork(token: string, counter: string, difficulty: number): boolean {
  return leadingZeroBits(createHash('sha256').update(`${token}:${counter}`).digest()) >= difficulty;
}

/** Decode a challenge token without checking it; for tools and tests, never for decisions. */
export function peekChallenge(token: string): Challenge | null {
  const m = TOKEN_PATTERN.exec(token);
  return m === null ? null : (decodePayload(m[1]!)?.challenge ?? null);
}

function sign(key: CompiledKey, challenge: Challenge): string {
  const payload = Buffer.from(
    JSON.stringify({
      k: key.id,
      n: challenge.nonce,
      d: challenge.difficulty,
      i: challenge.issuedAt,
      e: challenge.expiresAt,
      p: challenge.prefix,
      f: challenge.fingerprint,
      r: challenge.returnTo,
      ...(challenge.captcha === true ? { c: 1 } : {}),
      ...(challenge.flow === undefined ? {} : { w: challenge.flow }),
    }),
  ).toString('base64url');
  const signed = `v1.${payload}`;
  return `${signed}.${mac(key, signed)}`;
}

/** The challenge a token carries when its MAC is right under the key it names; null otherwise. */
function authenticate(ring: KeyRing, token: string): Challenge | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const m = TOKEN_PATTERN.exec(token);
  if (m === null) return null;
  // The key id sits inside the payload, so the payload is decoded before the MAC is checked;
  // it is at most 4 KiB of base64url and nothing in it is trusted until the MAC matches.
  const decoded = decodePayload(m[1]!);
  if (decoded === null) return null;
  const key = ring.byId.get(decoded.keyId);
  if (key === undefined) return null;
  const signedLength = token.length - 44;
  return sameMac(mac(key, token.slice(0, signedLength)), m[2]!) ? decoded.challenge : null;
}

function decodePayload(payload: string): { keyId: string; challenge: Challenge } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (
    typeof o.k !== 'string' ||
    typeof o.n !== 'string' ||
    !Number.isInteger(o.d) ||
    !Number.isSafeInteger(o.i) ||
    !Number.isSafeInteger(o.e) ||
    typeof o.p !== 'string' ||
    typeof o.f !== 'string' ||
    typeof o.r !== 'string'
  ) {
    return null;
  }
  return {
    keyId: o.k,
    challenge: {
      nonce: o.n,
      difficulty: o.d as number,
      issuedAt: o.i as number,
      expiresAt: o.e as number,
      prefix: o.p,
      fingerprint: o.f,
      returnTo: o.r,
      ...(o.c === 1 ? { captcha: true as const } : {}),
      ...(typeof o.w === 'string' ? { flow: o.w } : {}),
    },
  };
}
