import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLEARANCE_COOKIE,
  clearanceCookie,
  createClearanceSigner,
  readClearanceCookie,
} from '../../../src/actions/challenge/clearance.js';
import { compileKeyRing, mac } from '../../../src/actions/challenge/signing-keys.js';
import { ManualClock } from '../../../src/state/clock.js';
import { CLIENT, clearanceSetup, MINUTE, NEW_KEY, OLD_KEY, tamper } from './fixtures.js';

describe('clearance tokens', () => {
  it('signs a cookie-safe token and verifies it for the same client', () => {
    const { signer, clock } = clearanceSetup();
    const issued = signer.sign({ ...CLIENT, level: 18 });
    expect(issued.token).toMatch(/^v1\.k2026\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const claims = {
      ...CLIENT,
      level: 18,
      captcha: false,
      issuedAt: clock.now(),
      expiresAt: clock.now() + 60 * MINUTE,
    };
    expect(issued.claims).toEqual(claims);
    expect(signer.verify(issued.token, CLIENT)).toEqual({ ok: true, claims });
  });

  it('carries whether it was earned with the CAPTCHA (c: 1), signed like every other claim', () => {
    const { signer } = clearanceSetup();
    const withCaptcha = signer.sign({ ...CLIENT, level: 21, captcha: true });
    expect(withCaptcha.claims.captcha).toBe(true);
    expect(signer.verify(withCaptcha.token, CLIENT)).toMatchObject({ ok: true, claims: { level: 21, captcha: true } });
    const powOnly = signer.sign({ ...CLIENT, level: 21 });
    const payload = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[2]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload(withCaptcha.token).c).toBe(1);
    expect(payload(powOnly.token)).not.toHaveProperty('c');
    // Adding the claim to a proof-of-work-only token breaks its MAC.
    const [v, kid, , mac] = powOnly.token.split('.') as [string, string, string, string];
    const raised = Buffer.from(JSON.stringify({ ...payload(powOnly.token), c: 1 })).toString('base64url');
    expect(signer.verify(`${v}.${kid}.${raised}.${mac}`, CLIENT)).toEqual({ ok: false, reason: 'forged' });
  });

  it('keeps a token signed before the CAPTCHA claim existed valid, as proof of work only', () => {
    const { signer, clock } = clearanceSetup();
    // The payload exactly as earlier versions wrote it: no `c`.
    const key = compileKeyRing([NEW_KEY], NEW_KEY.id, 'clearance').current;
    const legacy = Buffer.from(
      JSON.stringify({ i: clock.now(), e: clock.now() + MINUTE, p: CLIENT.prefix, f: CLIENT.fingerprint, l: 18 }),
    ).toString('base64url');
    const signed = `v1.${NEW_KEY.id}.${legacy}`;
    expect(signer.verify(`${signed}.${mac(key, signed)}`, CLIENT)).toMatchObject({
      ok: true,
      claims: { level: 18, captcha: false },
    });
  });

  it('treats a clearance from another prefix or fingerprint as absent (rebound)', () => {
    const { signer } = clearanceSetup();
    const { token } = signer.sign({ ...CLIENT, level: 18 });
    expect(signer.verify(token, { ...CLIENT, prefix: '2001:db8:1::/48' })).toEqual({ ok: false, reason: 'rebound' });
    expect(signer.verify(token, { ...CLIENT, fingerprint: 'fp-00000000' })).toEqual({ ok: false, reason: 'rebound' });
  });

  it('expires exactly at expiresAt on the injected clock', () => {
    const { signer, clock } = clearanceSetup();
    const { token } = signer.sign({ ...CLIENT, level: 18 });
    clock.advance(60 * MINUTE - 1);
    expect(signer.verify(token, CLIENT).ok).toBe(true);
    clock.advance(1);
    expect(signer.verify(token, CLIENT)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a changed payload, a changed MAC, and a token from another secret under the same key id (forged)', () => {
    const { signer } = clearanceSetup();
    const { token } = signer.sign({ ...CLIENT, level: 18 });
    const [v, kid, payload, mac] = token.split('.') as [string, string, string, string];
    const raised = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    raised.l = 30;
    const forgedLevel = `${v}.${kid}.${Buffer.from(JSON.stringify(raised)).toString('base64url')}.${mac}`;
    expect(signer.verify(forgedLevel, CLIENT)).toEqual({ ok: false, reason: 'forged' });
    expect(signer.verify(tamper(token, 'payload'), CLIENT)).toEqual({ ok: false, reason: 'forged' });
    expect(signer.verify(tamper(token, 'mac'), CLIENT)).toEqual({ ok: false, reason: 'forged' });
    const impostor = createClearanceSigner({
      keys: [{ id: NEW_KEY.id, secret: 'guessed-secret-0123456789' }],
      current: NEW_KEY.id,
      graceMs: 0,
      clock: new ManualClock(),
    });
    expect(signer.verify(impostor.sign({ ...CLIENT, level: 32 }).token, CLIENT)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('treats a missing or malformed cookie as absent, whatever the input, without throwing', () => {
    const { signer } = clearanceSetup();
    for (const none of [undefined, null, ''])
      expect(signer.verify(none, CLIENT)).toEqual({ ok: false, reason: 'absent' });
    for (const bad of [
      'v1',
      'v1.k2026..',
      `v2.k2026.e30.${'A'.repeat(43)}`,
      `v1.k2026.e30.${'A'.repeat(42)}`,
      'x'.repeat(2000),
    ]) {
      expect(signer.verify(bad, CLIENT)).toEqual({ ok: false, reason: 'malformed' });
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (token) => {
        expect(signer.verify(token, CLIENT).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('clearance key rotation', () => {
  const GRACE = 10 * MINUTE;
  function rotation() {
    const clock = new ManualClock();
    const before = createClearanceSigner({ keys: [OLD_KEY], current: OLD_KEY.id, graceMs: GRACE, clock });
    const during = createClearanceSigner({ keys: [OLD_KEY, NEW_KEY], current: NEW_KEY.id, graceMs: GRACE, clock });
    const after = createClearanceSigner({ keys: [NEW_KEY], current: NEW_KEY.id, graceMs: GRACE, clock });
    return { clock, before, during, after };
  }

  it('signs with the current key only', () => {
    const { during } = rotation();
    expect(during.sign({ ...CLIENT, level: 18 }).token.startsWith(`v1.${NEW_KEY.id}.`)).toBe(true);
  });

  it('accepts a token from the retired key until issuedAt + graceMs, then rejects it (retired-key)', () => {
    const { clock, before, during } = rotation();
    const { token } = before.sign({ ...CLIENT, level: 18 });
    clock.advance(GRACE - 1);
    expect(during.verify(token, CLIENT).ok).toBe(true);
    clock.advance(1);
    expect(during.verify(token, CLIENT)).toEqual({ ok: false, reason: 'retired-key' });
  });

  it('does not cut short a token from the current key, and still ends a retired one at its own expiry', () => {
    const clock = new ManualClock();
    const short = createClearanceSigner({ keys: [OLD_KEY], current: OLD_KEY.id, graceMs: 0, ttlMs: 5 * MINUTE, clock });
    const long = createClearanceSigner({
      keys: [OLD_KEY, NEW_KEY],
      current: NEW_KEY.id,
      graceMs: 60 * MINUTE,
      ttlMs: 120 * MINUTE,
      clock,
    });
    const current = long.sign({ ...CLIENT, level: 18 }).token;
    const retired = short.sign({ ...CLIENT, level: 18 }).token;
    clock.advance(5 * MINUTE);
    expect(long.verify(retired, CLIENT)).toEqual({ ok: false, reason: 'expired' });
    clock.advance(100 * MINUTE);
    expect(long.verify(current, CLIENT).ok).toBe(true);
  });

  it('rejects a token whose key has left the set, and a key it never knew (unknown-key)', () => {
    const { before, after } = rotation();
    const { token } = before.sign({ ...CLIENT, level: 18 });
    expect(after.verify(token, CLIENT)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(after.verify(token.replace(`v1.${OLD_KEY.id}.`, 'v1.nobody.'), CLIENT)).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('refuses to start with a bad key set or negative durations', () => {
    const clock = new ManualClock();
    expect(() => createClearanceSigner({ keys: [OLD_KEY], current: NEW_KEY.id, graceMs: 0, clock })).toThrow(
      'Cannot load the clearance signing keys: current must name one of the keys (received "k2026")',
    );
    expect(() => createClearanceSigner({ keys: [OLD_KEY], current: OLD_KEY.id, graceMs: -1, clock })).toThrow(
      /graceMs must be a non-negative integer \(received "-1"\)/,
    );
    expect(() => createClearanceSigner({ keys: [OLD_KEY], current: OLD_KEY.id, graceMs: 0, ttlMs: 0, clock })).toThrow(
      /ttlMs must be a positive integer/,
    );
  });
});

describe('the clearance cookie', () => {
  it('is HttpOnly, SameSite=Lax, site-wide, and Secure over HTTPS', () => {
    expect(clearanceCookie('v1.k.p.m', 3_600_000, true)).toBe(
      '__botgate_clearance=v1.k.p.m; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure',
    );
    expect(clearanceCookie('v1.k.p.m', 1_500, false)).toBe(
      '__botgate_clearance=v1.k.p.m; Path=/; Max-Age=1; HttpOnly; SameSite=Lax',
    );
  });

  it('is found in a Cookie header by its exact name only', () => {
    expect(CLEARANCE_COOKIE).toBe('__botgate_clearance');
    expect(readClearanceCookie(undefined)).toBeNull();
    expect(readClearanceCookie('')).toBeNull();
    expect(readClearanceCookie('__botgate_clearance=abc')).toBe('abc');
    expect(readClearanceCookie('sid=1; __botgate_clearance=abc; theme=dark')).toBe('abc');
    expect(readClearanceCookie('sid=1;__botgate_clearance=abc')).toBe('abc');
    expect(readClearanceCookie('x__botgate_clearance=evil; __botgate_clearance=good')).toBe('good');
    expect(readClearanceCookie('x__botgate_clearance=evil')).toBeNull();
    expect(readClearanceCookie('__botgate_clearance=first; __botgate_clearance=second')).toBe('first');
  });

  it('round-trips a real token through Set-Cookie and Cookie', () => {
    const { signer } = clearanceSetup();
    const { token } = signer.sign({ ...CLIENT, level: 18 });
    const setCookie = clearanceCookie(token, signer.ttlMs, true);
    const sent = `a=1; ${setCookie.split(';')[0]}`;
    expect(signer.verify(readClearanceCookie(sent), CLIENT).ok).toBe(true);
  });
});
