/**
 * What a siteverify answer means for the client that sent the token, as a pure function of the
 * answer, the request and the clock, so every rule is tested without a network.
 *
 * A token counts only when the provider says `success: true` *and* the answer is about this
 * request: its `hostname` is the host the client asked botgate for (a token solved on another
 * site, even one using the same provider account, is refused), its `challenge_ts` is recent (a
 * token farmed earlier and stockpiled is refused), and for Turnstile with an `action`
 * configured, the widget was rendered for that action.
 *
 * An answer that is not the documented JSON, and error codes that speak of our configuration or
 * the provider's own trouble rather than of the token, mean the provider could not judge: the
 * caller falls back instead of refusing a person (see docs/challenge.md, "Escalating to a CAPTCHA").
 */
import { type CaptchaProvider, MISCONFIGURATION_CODES } from './captcha-provider.js';

/** Why a token was refused; each is a fresh challenge for the client, never a clearance. */
export type CaptchaFailure =
  | 'captcha-missing'
  | 'captcha-invalid'
  | 'captcha-hostname'
  | 'captcha-stale'
  | 'captcha-action';

/** Why the provider could not judge a token; each is counted in botgate_captcha_provider_errors_total. */
export type ProviderErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'malformed'
  | 'misconfigured'
  | 'provider-internal';
export const PROVIDER_ERROR_KINDS: readonly ProviderErrorKind[] = [
  'unreachable',
  'timeout',
  'http-status',
  'malformed',
  'misconfigured',
  'provider-internal',
];

export type CaptchaVerdict =
  | { readonly outcome: 'passed' }
  | { readonly outcome: 'failed'; readonly reason: CaptchaFailure; readonly detail: string }
  | { readonly outcome: 'unavailable'; readonly kind: ProviderErrorKind; readonly detail: string };

export interface SiteverifyExpectation {
  readonly provider: CaptchaProvider;
  /** The Host the client sent botgate, without port, lower case; null when it sent none. */
  readonly hostname: string | null;
  /** Turnstile's `action`, when one is configured. */
  readonly action: string | undefined;
  readonly maxAgeMs: number;
  readonly now: number;
}

/** A challenge_ts ahead of our clock by more than this is not believed (skew between clocks). */
const FUTURE_SKEW_MS = 60_000;

/** Judges a parsed siteverify body (anything JSON.parse returned). Never throws. */
export function judgeSiteverify(body: unknown, expected: SiteverifyExpectation): CaptchaVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { outcome: 'unavailable', kind: 'malformed', detail: 'the answer is not a JSON object' };
  }
  const answer = body as Record<string, unknown>;
  if (typeof answer.success !== 'boolean') {
    return { outcome: 'unavailable', kind: 'malformed', detail: 'the answer has no boolean "success"' };
  }
  const codes = Array.isArray(answer['error-codes'])
    ? answer['error-codes'].filter((c): c is string => typeof c === 'string')
    : [];
  if (!answer.success) {
    // Only when every code speaks of our secret or the provider's own trouble could it not judge;
    // one code about the token (invalid, reused, expired) beside them is a refusal.
    const aboutTheToken = codes.filter(
      (c) => !expected.provider.notAboutTheClient.has(c) && !MISCONFIGURATION_CODES.has(c),
    );
    if (codes.length > 0 && aboutTheToken.length === 0) {
      const misconfigured = codes.find((c) => MISCONFIGURATION_CODES.has(c));
      if (misconfigured !== undefined) return { outcome: 'unavailable', kind: 'misconfigured', detail: misconfigured };
      return { outcome: 'unavailable', kind: 'provider-internal', detail: (codes[0] ?? '').slice(0, 48) };
    }
    return {
      outcome: 'failed',
      reason: 'captcha-invalid',
      detail:
        codes
          .slice(0, 4)
          .map((c) => c.slice(0, 48))
          .join(',') || 'no error code',
    };
  }
  const hostname = typeof answer.hostname === 'string' ? answer.hostname.toLowerCase() : null;
  if (hostname === null || expected.hostname === null || hostname !== expected.hostname) {
    return {
      outcome: 'failed',
      reason: 'captcha-hostname',
      detail: `solved on ${clip(hostname)}, asked of ${clip(expected.hostname)}`,
    };
  }
  const solvedAt = typeof answer.challenge_ts === 'string' ? Date.parse(answer.challenge_ts) : Number.NaN;
  if (Number.isNaN(solvedAt)) return { outcome: 'failed', reason: 'captcha-stale', detail: 'no readable challenge_ts' };
  const age = expected.now - solvedAt;
  if (age > expected.maxAgeMs || age < -FUTURE_SKEW_MS) {
    return { outcome: 'failed', reason: 'captcha-stale', detail: `challenge_ts ${Math.round(age / 1000)} s old` };
  }
  if (expected.provider.name === 'turnstile' && expected.action !== undefined && answer.action !== expected.action) {
    return {
      outcome: 'failed',
      reason: 'captcha-action',
      detail: `action ${clip(typeof answer.action === 'string' ? answer.action : null)}`,
    };
  }
  return { outcome: 'passed' };
}

/** The request's Host as siteverify reports hostnames: no port, no brackets, lower case. */
export function requestHostname(host: string | undefined): string | null {
  if (host === undefined || host === '') return null;
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return bare.toLowerCase() || null;
}

/** Values from the provider are echoed into events: bounded and quoted. */
function clip(value: string | null): string {
  return value === null ? 'none' : JSON.stringify(value.slice(0, 64));
}
