/**
 * botgate's siteverify client against a local server that implements each provider's documented
 * siteverify API (test/support/captcha-provider.ts): the request it sends, and what it makes of
 * every kind of answer, from a pass to an outage.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAPTCHA_PROVIDER } from '../../../src/actions/challenge/captcha-provider.js';
import { createSiteverify, type Siteverify, uuidFrom } from '../../../src/actions/challenge/siteverify.js';
import {
  type FakeCaptchaProvider,
  type ProviderName,
  startFakeCaptchaProvider,
} from '../../support/captcha-provider.js';

const SECRET = '0x4AAAAAAAcontract-test-secret';
const SITE_KEY = '0x4AAAAAAAcontract-site-key';
const NOW = Date.UTC(2026, 11, 4, 12);
const HOST = 'shop.example';

let provider: FakeCaptchaProvider;
const clients: Siteverify[] = [];

beforeAll(async () => {
  provider = await startFakeCaptchaProvider({ secret: SECRET, siteKey: SITE_KEY, now: () => NOW });
});
afterEach(async () => {
  provider.fail(null);
  provider.calls.length = 0;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await provider.close();
});

function client(
  name: ProviderName,
  overrides: { secret?: string; verifyUrl?: string; timeoutMs?: number; action?: string } = {},
) {
  const c = createSiteverify({
    provider: CAPTCHA_PROVIDER[name],
    verifyUrl: overrides.verifyUrl ?? (name === 'turnstile' ? provider.turnstileVerifyUrl : provider.hcaptchaVerifyUrl),
    secret: overrides.secret ?? SECRET,
    siteKey: SITE_KEY,
    timeoutMs: overrides.timeoutMs ?? 2_000,
    maxAgeMs: 300_000,
    action: overrides.action,
    now: () => NOW,
  });
  clients.push(c);
  return c;
}

let redemption = 0;
function call(token: string, remoteIp = '198.51.100.7') {
  redemption += 1;
  return { token, remoteIp, hostname: HOST, redemptionId: `nonce-${redemption}` };
}

describe.each(['turnstile', 'hcaptcha'] as const)('%s siteverify', (name) => {
  it("sends the documented form: secret, response, remoteip and the provider's extra field", async () => {
    const token = provider.mint(name, { hostname: HOST });
    const c = call(token);
    await client(name).verify(c);
    expect(provider.calls).toHaveLength(1);
    const [sent] = provider.calls;
    expect(sent?.method).toBe('POST');
    expect(sent?.contentType).toBe('application/x-www-form-urlencoded');
    if (name === 'turnstile') {
      expect(sent?.fields).toEqual({
        secret: SECRET,
        response: token,
        remoteip: '198.51.100.7',
        idempotency_key: uuidFrom(c.redemptionId),
      });
      expect(sent?.fields.idempotency_key).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    } else {
      expect(sent?.fields).toEqual({ secret: SECRET, response: token, remoteip: '198.51.100.7', sitekey: SITE_KEY });
    }
  });

  it('leaves remoteip out when the client address is unknown', async () => {
    await client(name).verify(call(provider.mint(name, { hostname: HOST }), ''));
    expect(provider.calls[0]?.fields).not.toHaveProperty('remoteip');
  });

  it('passes a token the provider accepts, for this host', async () => {
    const verdict = await client(name).verify(call(provider.mint(name, { hostname: HOST })));
    expect(verdict).toEqual({ outcome: 'passed' });
  });

  it('refuses a token the provider does not know', async () => {
    const verdict = await client(name).verify(call('XXXX.not-a-token'));
    expect(verdict).toEqual({ outcome: 'failed', reason: 'captcha-invalid', detail: 'invalid-input-response' });
  });

  it('refuses the second use of a token: the provider says it was seen', async () => {
    const token = provider.mint(name, { hostname: HOST });
    const sv = client(name);
    expect(await sv.verify(call(token))).toEqual({ outcome: 'passed' });
    const replay = await sv.verify(call(token));
    const code = name === 'turnstile' ? 'timeout-or-duplicate' : 'invalid-or-already-seen-response';
    expect(replay).toEqual({ outcome: 'failed', reason: 'captcha-invalid', detail: code });
  });

  it('refuses a token solved on another site', async () => {
    const verdict = await client(name).verify(call(provider.mint(name, { hostname: 'elsewhere.example' })));
    expect(verdict).toMatchObject({ outcome: 'failed', reason: 'captcha-hostname' });
  });

  it('refuses a token the provider let expire', async () => {
    const verdict = await client(name).verify(call(provider.mint(name, { hostname: HOST, solvedAt: NOW - 301_000 })));
    expect(verdict).toMatchObject({ outcome: 'failed', reason: 'captcha-invalid' });
  });

  it("counts a wrong secret as our misconfiguration, not as the client's failure", async () => {
    const verdict = await client(name, { secret: 'not-the-secret' }).verify(
      call(provider.mint(name, { hostname: HOST })),
    );
    expect(verdict).toEqual({ outcome: 'unavailable', kind: 'misconfigured', detail: 'invalid-input-secret' });
  });

  it('says the provider timed out when it does not answer within the budget', async () => {
    provider.fail('slow');
    const verdict = await client(name, { timeoutMs: 150 }).verify(call(provider.mint(name, { hostname: HOST })));
    expect(verdict).toMatchObject({ outcome: 'unavailable', kind: 'timeout' });
  });

  it('says the provider is unavailable on a 5xx answer', async () => {
    provider.fail('status-503');
    const verdict = await client(name).verify(call(provider.mint(name, { hostname: HOST })));
    expect(verdict).toEqual({ outcome: 'unavailable', kind: 'http-status', detail: 'status 503' });
  });

  it('says the answer is malformed when it is not JSON', async () => {
    provider.fail('not-json');
    const verdict = await client(name).verify(call(provider.mint(name, { hostname: HOST })));
    expect(verdict).toEqual({ outcome: 'unavailable', kind: 'malformed', detail: 'the answer is not JSON' });
  });

  it('says the provider is unreachable when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verdict = await client(name, { verifyUrl: `http://127.0.0.1:${port}/siteverify` }).verify(call('any-token'));
    expect(verdict).toMatchObject({ outcome: 'unavailable', kind: 'unreachable' });
  });

  it('never puts the secret into a verdict', async () => {
    provider.fail('status-503');
    const sv = client(name);
    const verdicts = [await sv.verify(call('a'))];
    provider.fail(null);
    verdicts.push(await client(name, { secret: 'wrong' }).verify(call('b')), await sv.verify(call('c')));
    for (const v of verdicts) expect(JSON.stringify(v)).not.toContain(SECRET);
  });
});

describe('turnstile specifics', () => {
  it('refuses a token rendered for another action when one is configured', async () => {
    const token = provider.mint('turnstile', { hostname: HOST, action: 'signup' });
    const verdict = await client('turnstile', { action: 'login' }).verify(call(token));
    expect(verdict).toMatchObject({ outcome: 'failed', reason: 'captcha-action' });
    const right = provider.mint('turnstile', { hostname: HOST, action: 'login' });
    expect(await client('turnstile', { action: 'login' }).verify(call(right))).toEqual({ outcome: 'passed' });
  });

  it('a retried redemption gets the first answer again, through the idempotency key', async () => {
    const token = provider.mint('turnstile', { hostname: HOST });
    const sv = client('turnstile');
    const c = call(token);
    expect(await sv.verify(c)).toEqual({ outcome: 'passed' });
    // The same redemption again (a retry after a lost answer) carries the same key.
    expect(await sv.verify(c)).toEqual({ outcome: 'passed' });
    // Another redemption with that token is a replay.
    expect(await sv.verify({ ...c, redemptionId: 'another-nonce' })).toMatchObject({
      outcome: 'failed',
      reason: 'captcha-invalid',
    });
  });

  it('the local provider answers the documented JSON form too, and refuses a request without the secret', async () => {
    // botgate sends the form encoding; this checks the stand-in implements the JSON one as documented.
    const token = provider.mint('turnstile', { hostname: HOST });
    const json = await fetch(provider.turnstileVerifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: SECRET, response: token, remoteip: '198.51.100.7' }),
    });
    expect(await json.json()).toMatchObject({ success: true, hostname: HOST, 'error-codes': [] });
    const missing = await fetch(provider.turnstileVerifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response: token }),
    });
    expect(await missing.json()).toMatchObject({ success: false, 'error-codes': ['missing-input-secret'] });
  });
});

describe('hcaptcha specifics', () => {
  it('passes a real-length token (past 4,000 characters)', async () => {
    const token = provider.mint('hcaptcha', { hostname: HOST });
    expect(token.length).toBeGreaterThan(4000);
    expect(token.length).toBeLessThanOrEqual(CAPTCHA_PROVIDER.hcaptcha.maxTokenLength);
    expect(await client('hcaptcha').verify(call(token))).toEqual({ outcome: 'passed' });
  });

  it('refuses a token minted for another site key, never falling back to the proof of work alone', async () => {
    const token = provider.mint('hcaptcha', { hostname: HOST, sitekey: '10000000-ffff-ffff-ffff-000000000001' });
    const verdict = await client('hcaptcha').verify(call(token));
    expect(verdict).toEqual({ outcome: 'failed', reason: 'captcha-invalid', detail: 'sitekey-secret-mismatch' });
  });
});
