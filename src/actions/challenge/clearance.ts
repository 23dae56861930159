/**
 * The clearance: a signed cookie that says "this client solved a challenge of this level, from
 * this network and this client, at this time". It is checked on every request that carries it,
 * so the check is one HMAC, one JSON.parse of ~120 bytes and no store round trip.
 *
 * Token: `v1.<key id>.<payload>.<mac>`, payload = base64url JSON
 * `{ i: issuedAt, e: expiresAt, p: prefix, f: fingerprint, l: level, c?: 1 }`, mac = HMAC-SHA256
 * of `v1.<key id>.<payload>` under the clearance key derived from that key id's secret. `c: 1`
 * marks a clearance earned through the external CAPTCHA's challenge; a token without it (every
 * token signed before the claim existed included) is a proof-of-work-only clearance.
 *
 * What a clearance is worth against a given challenge is sufficiency.ts's business: a verified
 * clearance only says what was solved, not that it was enough.
 *
 * Key rotation (the contract):
 *   - `keys` lists every key still accepted; `current` signs every new clearance.
 *   - A clearance signed by the current key is good until its `expiresAt`.
 *   - A clearance signed by another key in the set is good until the earlier of its `expiresAt`
 *     and `issuedAt + graceMs`. The grace is counted from the token's own issue time, not from
 *     the rotation, so every node decides alike whenever it reloaded, and nothing about the
 *     rotation has to be stored or timed.
 *   - A clearance naming a key that is not in the set is rejected (`unknown-key`).
 * To rotate: add the new key and make it current on every node; keep the old key in the set for
 * `graceMs` (set graceMs ≥ ttlMs and no user is re-challenged); then remove it.
 * The grace protects honest users, not a leaked key: whoever holds a key can write any issuedAt.
 * When a key leaks, remove it from the set at once; its holders solve one new challenge (about a
 * second) and carry on.
 *
 * A clearance that fails any check is, for the caller, no clearance at all (`ok: false` with the
 * reason for the event); it never makes a request worse than a request without one.
 */
import type { Clock } from '../../state/clock.js';
import type { Binding } from './binding.js';
import { compileKeyRing, type KeyRing, mac, type SigningKey, sameMac } from './signing-keys.js';

export const CLEARANCE_COOKIE = '__botgate_clearance';

export interface ClearanceClaims {
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly prefix: string;
  readonly fingerprint: string;
  /** Difficulty in bits of the challenge solved to earn it; a flow may ask for a higher level. */
  readonly level: number;
  /**
   * True when it was earned through a challenge escalated to the external CAPTCHA (the riskiest
   * band): only such a clearance satisfies a challenge of that band.
   */
  readonly captcha: boolean;
}

export type ClearanceRejection =
  /** No token (no cookie). */
  | 'absent'
  /** Not a clearance token at all, or a payload that does not decode. */
  | 'malformed'
  /** Names a key that is not in the set (never ours, or removed). */
  | 'unknown-key'
  /** The MAC does not match. */
  | 'forged'
  /** Signed by a retired key and older than the grace. */
  | 'retired-key'
  | 'expired'
  /** Issued to another network prefix or client fingerprint. */
  | 'rebound';

export type ClearanceCheck =
  | { readonly ok: true; readonly claims: ClearanceClaims }
  | { readonly ok: false; readonly reason: ClearanceRejection };

export interface ClearanceSignerOptions {
  readonly keys: readonly SigningKey[];
  readonly current: string;
  /** How long a clearance signed by a non-current key stays good after its issue time. */
  readonly graceMs: number;
  readonly clock: Clock;
  /**
   * Lifetime of a new clearance. Default 1 hour: long enough that a person who was challenged
   * once is not asked again during a session, short enough that one solved challenge is not a
   * day pass for a bot farm sharing a network and a fingerprint.
   */
  readonly ttlMs?: number;
}

export interface IssuedClearance {
  readonly token: string;
  readonly claims: ClearanceClaims;
}

export interface ClearanceSigner {
  readonly ttlMs: number;
  sign(grant: Binding & { readonly level: number; readonly captcha?: boolean }): IssuedClearance;
  /** Check a token against the request that carries it. Never throws. */
  verify(token: string | null | undefined, request: Binding): ClearanceCheck;
}

export const DEFAULT_CLEARANCE_TTL_MS = 60 * 60_000;
/** Longest cookie value looked at; a real one is about 200 characters. */
const MAX_CLEARANCE_LENGTH = 1024;
const CLEARANCE_PATTERN = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

const REJECTED: { readonly [R in ClearanceRejection]: ClearanceCheck } = {
  absent: { ok: false, reason: 'absent' },
  malformed: { ok: false, reason: 'malformed' },
  'unknown-key': { ok: false, reason: 'unknown-key' },
  forged: { ok: false, reason: 'forged' },
  'retired-key': { ok: false, reason: 'retired-key' },
  expired: { ok: false, reason: 'expired' },
  rebound: { ok: false, reason: 'rebound' },
};

export function createClearanceSigner(options: ClearanceSignerOptions): ClearanceSigner {
  const ring: KeyRing = compileKeyRing(options.keys, options.current, 'clearance');
  const ttlMs = options.ttlMs ?? DEFAULT_CLEARANCE_TTL_MS;
  const graceMs = options.graceMs;
  for (const [name, v] of [
    ['ttlMs', ttlMs],
    ['graceMs', graceMs],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || (name === 'ttlMs' && v === 0)) {
      throw new Error(
        `Cannot create the clearance signer: ${name} must be a ${name === 'ttlMs' ? 'positive' : 'non-negative'} integer (received "${v}")`,
      );
    }
  }
  const clock = options.clock;
  const currentId = ring.current.id;
  const signingPrefix = `v1.${currentId}.`;

  return {
    ttlMs,
    sign(grant) {
      const issuedAt = clock.now();
      const claims: ClearanceClaims = {
        issuedAt,
        expiresAt: issuedAt + ttlMs,
        prefix: grant.prefix,
        fingerprint: grant.fingerprint,
        level: grant.level,
        captcha: grant.captcha === true,
      };
      const payload = Buffer.from(
        JSON.stringify({
          i: claims.issuedAt,
          e: claims.expiresAt,
          p: claims.prefix,
          f: claims.fingerprint,
          l: claims.level,
          ...(claims.captcha ? { c: 1 } : {}),
        }),
      ).toString('base64url');
      const signed = signingPrefix + payload;
      return { token: `${signed}.${mac(ring.current, signed)}`, claims };
    },
    verify(token, request) {
      if (token === null || token === undefined || token.length === 0) return REJECTED.absent;
      if (token.length > MAX_CLEARANCE_LENGTH) return REJECTED.malformed;
      const m = CLEARANCE_PATTERN.exec(token);
      if (m === null) return REJECTED.malformed;
      const keyId = m[1]!;
      const key = ring.byId.get(keyId);
      if (key === undefined) return REJECTED['unknown-key'];
      if (!sameMac(mac(key, token.slice(0, token.length - 44)), m[3]!)) return REJECTED.forged;
      const claims = decodeClaims(m[2]!);
      if (claims === null) return REJECTED.malformed;
      const now = clock.now();
      if (now >= claims.expiresAt) return REJECTED.expired;
      if (keyId !== currentId && now >= claims.issuedAt + graceMs) return REJECTED['retired-key'];
      if (claims.prefix !== request.prefix || claims.fingerprint !== request.fingerprint) return REJECTED.rebound;
      return { ok: true, claims };
    },
  };
}

function decodeClaims(payload: string): ClearanceClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (
    !Number.isSafeInteger(o.i) ||
    !Number.isSafeInteger(o.e) ||
    typeof o.p !== 'string' ||
    typeof o.f !== 'string' ||
    !Number.isInteger(o.l)
  ) {
    return null;
  }
  return {
    issuedAt: o.i as number,
    expiresAt: o.e as number,
    prefix: o.p,
    fingerprint: o.f,
    level: o.l as number,
    // Anything but exactly 1 (absent in tokens signed before the claim existed) is proof of work only.
    captcha: o.c === 1,
  };
}

/**
 * The `Set-Cookie` value for a clearance. HttpOnly (page scripts never need it), SameSite=Lax
 * (sent on top-level navigations from other sites, so a link into the site keeps the
 * clearance), Path=/ (it clears the whole site), Secure when the client came over HTTPS.
 */
export function clearanceCookie(token: string, maxAgeMs: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${CLEARANCE_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

const COOKIE_NEEDLE = `${CLEARANCE_COOKIE}=`;

/**
 * The clearance token in a Cookie header, or null. A scan rather than a cookie parser: it runs
 * on every request and looks for one name. The first occurrence wins, as in browsers' own
 * ordering (the most specific path first).
 */
export function readClearanceCookie(cookieHeader: string | undefined): string | null {
  if (cookieHeader === undefined) return null;
  let at = cookieHeader.indexOf(COOKIE_NEEDLE);
  while (at !== -1) {
    // A match must start the header or follow "; " (or ";"), else it is the tail of another name.
    if (at === 0 || cookieHeader.charCodeAt(at - 1) === 32 || cookieHeader.charCodeAt(at - 1) === 59) {
      const start = at + COOKIE_NEEDLE.length;
      const end = cookieHeader.indexOf(';', start);
      return cookieHeader.slice(start, end === -1 ? cookieHeader.length : end).trim();
    }
    at = cookieHeader.indexOf(COOKIE_NEEDLE, at + 1);
  }
  return null;
}
