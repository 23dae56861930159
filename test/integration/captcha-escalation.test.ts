/**
 * Escalation to an external CAPTCHA through a real gateway: the demo marketplace behind it, and
 * a local server implementing the provider's siteverify (test/support/captcha-provider.ts).
 * Page loads are forced to challenge, and challenge.captcha.minScore 0 puts every challenged
 * browser in the escalated band, so each request here takes the CAPTCHA path.
 *
 * A browser in the band gets the widget (the configured site key, the provider's script) beside
 * a proof of work; the work plus a token the provider accepts yields a clearance, anything less
 * does not. When the provider cannot answer, the proof of work stands alone and the metric says
 * so. With the CAPTCHA off (the default), or for a request below the band, no page botgate
 * writes names another origin.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_PATH } from '../../src/actions/challenge/page.js';
import { leadingZeroBits } from '../../src/actions/challenge/proof-of-work.js';
import type { PolicyDocument } from '../../src/config/schema.js';
import { type FakeCaptchaProvider, type ProviderName, startFakeCaptchaProvider } from '../support/captcha-provider.js';
import { type ChallengePage, challengePage, clearanceOf, metricsText, redeem } from '../support/challenge-client.js';
import { receivedIds, type Stack, send, startStack } from '../support/stack.js';

const SECRET = 'captcha-secret-for-the-integration-test';
const SITE_KEY = '0x4AAAAAAAintegration-site-key';
/** The Host the test client sends the gateway is 127.0.0.1:<port>. */
const HOSTNAME = '127.0.0.1';

function challengeOnly(doc: PolicyDocument): PolicyDocument {
  return { ...doc, challenge: { ...doc.challenge, force: ['page'], difficulty: { base: 4, max: 6 } } };
}

function withCaptcha(provider: FakeCaptchaProvider, name: ProviderName, minScore: number) {
  return (doc: PolicyDocument): PolicyDocument => {
    const base = challengeOnly(doc);
    return {
      ...base,
      challenge: {
        ...base.challenge,
        captcha: {
          ...base.challenge.captcha,
          enabled: true,
          provider: name,
          siteKey: SITE_KEY,
          secret: SECRET,
          verifyUrl: name === 'turnstile' ? provider.turnstileVerifyUrl : provider.hcaptchaVerifyUrl,
          scriptUrl: name === 'turnstile' ? provider.turnstileScriptUrl : provider.hcaptchaScriptUrl,
          minScore,
          timeoutMs: 300,
        },
      },
    };
  };
}

/** A counter that does not solve the page's challenge (the solver returns the smallest that does). */
function wrongSolution(page: ChallengePage): number {
  for (let counter = 0; ; counter++) {
    const digest = createHash('sha256').update(`${page.challenge}:${counter}`).digest();
    if (leadingZeroBits(digest) < page.difficulty) return counter;
  }
}

/** No URL of another origin anywhere in a page: no src, href or action to //…, no script loader. */
function expectSelfContained(page: ChallengePage): void {
  expect(page.answer.body).not.toMatch(/\b(?:src|href|action|data-script)\s*=\s*["']?(?:https?:)?\/\//i);
  expect(page.answer.body).not.toMatch(/https?:\/\//i);
  expect(page.answer.body).not.toContain('id="bg-captcha"');
  expect(page.csp).not.toMatch(/https?:/);
}

describe.each(['turnstile', 'hcaptcha'] as const)('escalation to %s through the gateway', (name) => {
  let provider: FakeCaptchaProvider;
  let stack: Stack;
  let ipCounter = 0;
  const nextIp = () => `198.51.100.${++ipCounter}`;

  beforeAll(async () => {
    let clockNow = () => Date.now();
    provider = await startFakeCaptchaProvider({ secret: SECRET, siteKey: SITE_KEY, now: () => clockNow() });
    stack = await startStack(withCaptcha(provider, name, 0));
    // The provider and the gateway share the stack's manual clock, so challenge_ts is exact.
    clockNow = () => stack.clock.now();
  });
  afterAll(async () => {
    await stack?.close();
    await provider?.close();
  });

  it('shows the widget with the configured site key, and allows only the provider beside the page', async () => {
    const page = await challengePage(stack, nextIp());
    const scriptUrl = name === 'turnstile' ? provider.turnstileScriptUrl : provider.hcaptchaScriptUrl;
    expect(page.answer.body).toContain(`<div id="bg-captcha" data-provider="${name}" data-sitekey="${SITE_KEY}"`);
    expect(page.answer.body).toContain(`data-script="${scriptUrl}?render=explicit&amp;onload=bgCaptchaReady"`);
    expect(page.answer.body).toContain('<input type="hidden" name="captcha" value="">');
    // The box sits outside the form, so the widget's own response fields are never posted.
    expect(page.answer.body.indexOf('id="bg-captcha"')).toBeGreaterThan(page.answer.body.indexOf('</form>'));
    // Escalated challenges run at the range's highest difficulty.
    expect(page.difficulty).toBe(6);
    expect(page.csp).toContain(`script-src 'nonce-`);
    expect(page.csp).toMatch(new RegExp(`script-src [^;]*${provider.url.replace(/[.:/]/g, '\\$&')}`));
    expect(page.csp).toMatch(new RegExp(`frame-src [^;]*${provider.url.replace(/[.:/]/g, '\\$&')}`));
    // The secret never reaches the browser.
    expect(page.answer.body).not.toContain(SECRET);
  });

  it('clears a browser that did the work and holds a token the provider accepts', async () => {
    const ip = nextIp();
    const page = await challengePage(stack, ip);
    const token = provider.mint(name, { hostname: HOSTNAME });
    provider.calls.length = 0;
    const redeemed = await redeem(stack, ip, page, token);
    expect(redeemed.status).toBe(303);
    expect(redeemed.location).toBe('/');
    const cookie = clearanceOf(redeemed);
    expect(cookie).toBeDefined();
    // The provider was asked once, with the client's address as botgate determined it.
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]?.fields).toMatchObject({ secret: SECRET, response: token, remoteip: ip });
    // The clearance lets the next page load through to the application.
    const next = await send(stack, ip, 'GET', '/', { cookie: cookie as string });
    expect(next.status).toBe(200);
    expect(await receivedIds(stack)).toContain(next.id);
    expect(await metricsText(stack)).toMatch(/botgate_challenges_total\{flow="[^"]+",result="captcha_solved"\} 1\b/);
  });

  it('does not clear a token the provider refuses, a missing token, or a token used before', async () => {
    const ip = nextIp();
    const refused = await redeem(stack, ip, await challengePage(stack, ip), 'a-token-the-provider-never-issued');
    expect(refused.status).toBe(403);
    expect(clearanceOf(refused)).toBeUndefined();
    expect(refused.body).toContain('The second part of the check was not accepted');

    const missing = await redeem(stack, ip, await challengePage(stack, ip));
    expect(missing.status).toBe(403);
    expect(clearanceOf(missing)).toBeUndefined();

    const token = provider.mint(name, { hostname: HOSTNAME });
    expect((await redeem(stack, ip, await challengePage(stack, ip), token)).status).toBe(303);
    const replay = await redeem(stack, ip, await challengePage(stack, ip), token);
    expect(replay.status).toBe(403);
    expect(clearanceOf(replay)).toBeUndefined();

    const elsewhere = await redeem(
      stack,
      ip,
      await challengePage(stack, ip),
      provider.mint(name, { hostname: 'other.example' }),
    );
    expect(elsewhere.status).toBe(403);
    expect(clearanceOf(elsewhere)).toBeUndefined();

    // Without the clearance, the next page load is challenged again.
    const again = await send(stack, ip, 'GET', '/');
    expect(again.status).toBe(403);
  });

  it('asks the provider only after the work passed and the nonce was spent', async () => {
    const ip = nextIp();
    const token = provider.mint(name, { hostname: HOSTNAME });
    provider.calls.length = 0;
    // Wrong work: refused before any call, and the token is not used up.
    const page = await challengePage(stack, ip);
    const wrong = await send(stack, ip, 'POST', CHALLENGE_PATH, {
      form: { challenge: page.challenge, solution: String(wrongSolution(page)), returnTo: '/', captcha: token },
    });
    expect(wrong.status).toBe(403);
    expect(provider.calls).toHaveLength(0);
    // A spent nonce: the second post of one solved challenge never reaches the provider either.
    const good = await challengePage(stack, ip);
    expect((await redeem(stack, ip, good, token)).status).toBe(303);
    expect(provider.calls).toHaveLength(1);
    const again = await redeem(stack, ip, good, provider.mint(name, { hostname: HOSTNAME }));
    expect(again.status).not.toBe(200);
    expect(clearanceOf(again)).toBeUndefined();
    expect(provider.calls).toHaveLength(1);
  });

  it('lets the proof of work stand alone when the provider cannot answer, and counts it', async () => {
    const before = await metricsText(stack);
    const count = (text: string, kind: string) =>
      Number(
        new RegExp(`botgate_captcha_provider_errors_total\\{provider="${name}",kind="${kind}"\\} (\\d+)`).exec(
          text,
        )?.[1] ?? 0,
      );
    for (const [outage, kind] of [
      ['status-503', 'http-status'],
      ['not-json', 'malformed'],
      ['slow', 'timeout'],
    ] as const) {
      provider.fail(outage);
      const ip = nextIp();
      const redeemed = await redeem(
        stack,
        ip,
        await challengePage(stack, ip),
        provider.mint(name, { hostname: HOSTNAME }),
      );
      provider.fail(null);
      expect(redeemed.status, outage).toBe(303);
      expect(clearanceOf(redeemed), outage).toBeDefined();
      const after = await metricsText(stack);
      expect(count(after, kind) - count(before, kind), outage).toBe(1);
    }
    expect(await metricsText(stack)).toMatch(/botgate_challenges_total\{flow="[^"]+",result="captcha_fallback"\} 3\b/);
    // An outage does not open the door to a missing token: the client must still have tried.
    provider.fail('status-503');
    const ip = nextIp();
    const missing = await redeem(stack, ip, await challengePage(stack, ip));
    provider.fail(null);
    expect(missing.status).toBe(403);
  });

  it('refuses a reload that changes challenge.captcha (it needs a restart), without naming the secret', () => {
    const running = stack.gateway.context.policy.document;
    const next = {
      ...running,
      challenge: { ...running.challenge, captcha: { ...running.challenge.captcha, secret: `${SECRET}-rotated` } },
    };
    expect(() => stack.gateway.reload(next)).toThrow(/challenge\.captcha changed, which needs a restart/);
    try {
      stack.gateway.reload(next);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
    // The running policy is kept: the page still escalates.
    expect(stack.gateway.context.policy.document.challenge.captcha.secret).toBe(SECRET);
  });

  it('keeps the secret out of every event', async () => {
    const recent = stack.gateway.recorder.ring.recent(500);
    expect(recent.length).toBeGreaterThan(10);
    expect(JSON.stringify(recent)).not.toContain(SECRET);
    expect(JSON.stringify(recent)).toMatch(/captcha (passed|refused|provider unavailable)/);
  });
});

describe('no external resource unless escalated', () => {
  it('with the CAPTCHA off (the default), the challenge page names no other origin', async () => {
    const stack = await startStack(challengeOnly);
    try {
      const page = await challengePage(stack, '192.0.2.10');
      expectSelfContained(page);
      // And the proof of work alone clears, as before.
      const redeemed = await redeem(stack, '192.0.2.10', page);
      expect(redeemed.status).toBe(303);
      expect(clearanceOf(redeemed)).toBeDefined();
    } finally {
      await stack.close();
    }
  });

  it('with the CAPTCHA on, a challenge below the band is proof of work only, and clears without a token', async () => {
    const provider = await startFakeCaptchaProvider({ secret: SECRET, siteKey: SITE_KEY });
    const stack = await startStack(withCaptcha(provider, 'turnstile', 100));
    try {
      const page = await challengePage(stack, '192.0.2.11');
      expectSelfContained(page);
      const redeemed = await redeem(stack, '192.0.2.11', page);
      expect(redeemed.status).toBe(303);
      expect(provider.calls).toHaveLength(0);
    } finally {
      await stack.close();
      await provider.close();
    }
  });
});
