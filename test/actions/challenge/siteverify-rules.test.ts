/**
 * What a siteverify answer means, rule by rule, on answers shaped as each provider documents
 * them (Turnstile: success, challenge_ts, hostname, error-codes, action, cdata; hCaptcha:
 * success, challenge_ts, hostname, credit, error-codes, score).
 */
import { describe, expect, it } from 'vitest';
import { CAPTCHA_PROVIDER } from '../../../src/actions/challenge/captcha-provider.js';
import {
  judgeSiteverify,
  requestHostname,
  type SiteverifyExpectation,
} from '../../../src/actions/challenge/siteverify-rules.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const SECOND = 1000;

function expecting(
  provider: 'turnstile' | 'hcaptcha',
  extra: Partial<SiteverifyExpectation> = {},
): SiteverifyExpectation {
  return {
    provider: CAPTCHA_PROVIDER[provider],
    hostname: 'shop.example',
    action: undefined,
    maxAgeMs: 300 * SECOND,
    now: NOW,
    ...extra,
  };
}

function turnstileAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    success: true,
    challenge_ts: new Date(NOW - 20 * SECOND).toISOString(),
    hostname: 'shop.example',
    'error-codes': [],
    action: 'login',
    cdata: '',
    ...extra,
  };
}

/** hCaptcha writes challenge_ts with microseconds ("2023-05-24T06:06:19.000000Z"). */
function hcaptchaAnswer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = new Date(NOW - 20 * SECOND).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return { success: true, challenge_ts: ts, hostname: 'shop.example', credit: false, ...extra };
}

describe('judgeSiteverify: a success counts only when it is about this request', () => {
  it('passes a recent success for this host, from either provider', () => {
    expect(judgeSiteverify(turnstileAnswer(), expecting('turnstile'))).toEqual({ outcome: 'passed' });
    expect(judgeSiteverify(hcaptchaAnswer(), expecting('hcaptcha'))).toEqual({ outcome: 'passed' });
    expect(judgeSiteverify(hcaptchaAnswer({ score: 0.1, 'score-reason': ['safe'] }), expecting('hcaptcha'))).toEqual({
      outcome: 'passed',
    });
  });

  it('refuses a token solved on another host, or an answer without a hostname', () => {
    const other = judgeSiteverify(turnstileAnswer({ hostname: 'evil.example' }), expecting('turnstile'));
    expect(other).toMatchObject({ outcome: 'failed', reason: 'captcha-hostname' });
    const none = judgeSiteverify(turnstileAnswer({ hostname: undefined }), expecting('turnstile'));
    expect(none).toMatchObject({ outcome: 'failed', reason: 'captcha-hostname' });
    const noHost = judgeSiteverify(turnstileAnswer(), expecting('turnstile', { hostname: null }));
    expect(noHost).toMatchObject({ outcome: 'failed', reason: 'captcha-hostname' });
    // Hostnames compare without case, as DNS does.
    expect(judgeSiteverify(turnstileAnswer({ hostname: 'Shop.Example' }), expecting('turnstile'))).toEqual({
      outcome: 'passed',
    });
  });

  it('refuses a stale challenge_ts, one from the future, and one it cannot read', () => {
    const edge = new Date(NOW - 300 * SECOND).toISOString();
    expect(judgeSiteverify(turnstileAnswer({ challenge_ts: edge }), expecting('turnstile'))).toEqual({
      outcome: 'passed',
    });
    const stale = new Date(NOW - 301 * SECOND).toISOString();
    expect(judgeSiteverify(turnstileAnswer({ challenge_ts: stale }), expecting('turnstile'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-stale',
    });
    const future = new Date(NOW + 10 * 60 * SECOND).toISOString();
    expect(judgeSiteverify(hcaptchaAnswer({ challenge_ts: future }), expecting('hcaptcha'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-stale',
    });
    for (const ts of [undefined, 'yesterday', 1733313600]) {
      expect(judgeSiteverify(turnstileAnswer({ challenge_ts: ts }), expecting('turnstile'))).toMatchObject({
        outcome: 'failed',
        reason: 'captcha-stale',
      });
    }
  });

  it("checks Turnstile's action only when one is configured", () => {
    expect(judgeSiteverify(turnstileAnswer({ action: 'signup' }), expecting('turnstile'))).toEqual({
      outcome: 'passed',
    });
    expect(judgeSiteverify(turnstileAnswer(), expecting('turnstile', { action: 'login' }))).toEqual({
      outcome: 'passed',
    });
    expect(
      judgeSiteverify(turnstileAnswer({ action: 'signup' }), expecting('turnstile', { action: 'login' })),
    ).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-action',
    });
    expect(
      judgeSiteverify(turnstileAnswer({ action: undefined }), expecting('turnstile', { action: 'login' })),
    ).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-action',
    });
  });
});

describe('judgeSiteverify: success false', () => {
  it('is a refusal for every code about the token', () => {
    const codes = {
      turnstile: ['invalid-input-response', 'timeout-or-duplicate', 'missing-input-response', 'bad-request'],
      hcaptcha: [
        'invalid-input-response',
        'invalid-or-already-seen-response',
        'expired-input-response',
        'already-seen-response',
        'missing-input-response',
        'bad-request',
        'invalid-remoteip',
        'not-using-dummy-passcode',
        'sitekey-secret-mismatch',
      ],
    } as const;
    for (const provider of ['turnstile', 'hcaptcha'] as const) {
      for (const code of codes[provider]) {
        const verdict = judgeSiteverify({ success: false, 'error-codes': [code] }, expecting(provider));
        expect(verdict, `${provider} ${code}`).toEqual({ outcome: 'failed', reason: 'captcha-invalid', detail: code });
      }
    }
  });

  it('is a refusal without any error code', () => {
    expect(judgeSiteverify({ success: false }, expecting('turnstile'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-invalid',
    });
    expect(judgeSiteverify({ success: false, 'error-codes': [] }, expecting('hcaptcha'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-invalid',
    });
  });

  it('means the provider could not judge when every code is about our secret or its own trouble', () => {
    for (const provider of ['turnstile', 'hcaptcha'] as const) {
      for (const code of ['missing-input-secret', 'invalid-input-secret']) {
        expect(judgeSiteverify({ success: false, 'error-codes': [code] }, expecting(provider))).toEqual({
          outcome: 'unavailable',
          kind: 'misconfigured',
          detail: code,
        });
      }
    }
    expect(judgeSiteverify({ success: false, 'error-codes': ['internal-error'] }, expecting('turnstile'))).toEqual({
      outcome: 'unavailable',
      kind: 'provider-internal',
      detail: 'internal-error',
    });
  });

  it('is still a refusal when a code about the token comes beside one about the provider', () => {
    const mixed = { success: false, 'error-codes': ['internal-error', 'timeout-or-duplicate'] };
    expect(judgeSiteverify(mixed, expecting('turnstile'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-invalid',
    });
    const secretAndToken = { success: false, 'error-codes': ['invalid-input-secret', 'invalid-input-response'] };
    expect(judgeSiteverify(secretAndToken, expecting('hcaptcha'))).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-invalid',
    });
  });

  it('keeps provider-supplied text short in the verdict (it goes into events)', () => {
    const long = 'x'.repeat(5000);
    const verdict = judgeSiteverify(
      { success: false, 'error-codes': [long, long, long, long, long] },
      expecting('turnstile'),
    );
    expect(verdict.outcome === 'failed' && verdict.detail.length).toBeLessThan(250);
    const host = judgeSiteverify(turnstileAnswer({ hostname: long }), expecting('turnstile'));
    expect(host.outcome === 'failed' && host.detail.length).toBeLessThan(250);
  });
});

describe('judgeSiteverify: answers that are not the documented JSON', () => {
  it('means the provider could not judge, never a pass', () => {
    for (const body of [null, 'ok', 42, [], ['success'], {}, { success: 'true' }, { success: 1 }]) {
      expect(judgeSiteverify(body, expecting('turnstile')), JSON.stringify(body)).toMatchObject({
        outcome: 'unavailable',
        kind: 'malformed',
      });
    }
  });
});

describe('requestHostname', () => {
  it('gives the Host as siteverify reports hostnames: no port, no brackets, lower case', () => {
    expect(requestHostname('Shop.Example:8443')).toBe('shop.example');
    expect(requestHostname('shop.example')).toBe('shop.example');
    expect(requestHostname('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(requestHostname('[::1]:3000')).toBe('::1');
    expect(requestHostname('[2001:DB8::1]')).toBe('2001:db8::1');
    expect(requestHostname(undefined)).toBeNull();
    expect(requestHostname('')).toBeNull();
  });
});
