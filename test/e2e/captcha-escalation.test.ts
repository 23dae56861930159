/**
 * The escalated challenge page in Debian's Chromium: the page's own script loads the provider's
 * widget script under the page's CSP, renders the widget, waits for both the proof of work and
 * the token, and posts them; the gateway asks the local provider's siteverify and clears the
 * browser. The provider here is test/support/captcha-provider.ts, whose stand-in widget script
 * "solves" at once and hands the page a token its siteverify accepts. A widget script that cannot
 * load leaves the person with a message, and no clearance.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEARANCE_COOKIE } from '../../src/actions/challenge/clearance.js';
import type { PolicyDocument } from '../../src/config/schema.js';
import { type FakeCaptchaProvider, type ProviderName, startFakeCaptchaProvider } from '../support/captcha-provider.js';
import { HAS_CHROMIUM, launchChromium } from '../support/chromium.js';
import { receivedIds, type Stack, startStack } from '../support/stack.js';

const SECRET = 'captcha-secret-for-the-browser-test';
const SITE_KEY = '0x4AAAAAAAbrowser-test-site-key';

let browser: Browser;
const running: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const r of running.reverse()) await r.close();
});

async function escalatedStack(
  name: ProviderName,
  scriptPath?: string,
): Promise<{ stack: Stack; provider: FakeCaptchaProvider }> {
  const provider = await startFakeCaptchaProvider({ secret: SECRET, siteKey: SITE_KEY, widgetHostname: '127.0.0.1' });
  running.push(provider);
  const stack = await startStack((doc: PolicyDocument) => ({
    ...doc,
    challenge: {
      ...doc.challenge,
      force: ['page'],
      difficulty: { base: 10, max: 12 },
      captcha: {
        ...doc.challenge.captcha,
        enabled: true,
        provider: name,
        siteKey: SITE_KEY,
        secret: SECRET,
        verifyUrl: name === 'turnstile' ? provider.turnstileVerifyUrl : provider.hcaptchaVerifyUrl,
        scriptUrl:
          scriptPath === undefined
            ? name === 'turnstile'
              ? provider.turnstileScriptUrl
              : provider.hcaptchaScriptUrl
            : `${provider.url}${scriptPath}`,
        minScore: 0,
      },
    },
  }));
  running.push(stack);
  // Real time suits a browser (and the provider's clock is Date.now).
  stack.clock.set(Date.now());
  const tick = setInterval(() => stack.clock.set(Date.now()), 50);
  tick.unref();
  running.push({ close: async () => clearInterval(tick) });
  return { stack, provider };
}

async function newPage() {
  // Headless Chromium says "HeadlessChrome", which botgate rightly distrusts; the person this
  // test stands for uses the same browser with a window.
  const major = browser.version().split('.')[0];
  const context = await browser.newContext({
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
  });
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
  });
  return { context, page, cspErrors };
}

describe.runIf(HAS_CHROMIUM)('the escalated challenge page in Chromium', () => {
  for (const name of ['turnstile', 'hcaptcha'] as const) {
    it(`${name}: loads the widget under its CSP, waits for work and token, and is cleared`, {
      timeout: 60_000,
    }, async () => {
      const { stack, provider } = await escalatedStack(name);
      const { context, page, cspErrors } = await newPage();
      const first = await page.goto(`${stack.gateway.gatewayUrl}/`);
      expect(first?.status()).toBe(403);
      // The page posts once both parts are done, and lands on the page first asked for.
      const landed = await page.waitForResponse(
        (r) => r.url() === `${stack.gateway.gatewayUrl}/` && r.status() === 200,
        {
          timeout: 30_000,
        },
      );
      expect(await receivedIds(stack)).toContain(landed.headers()['x-botgate-id']);
      const cookies = await context.cookies();
      expect(cookies.some((c) => c.name === CLEARANCE_COOKIE)).toBe(true);
      // The token came from the widget, through the page's hidden field, to siteverify, once.
      const verified = provider.calls.filter((c) => c.provider === name);
      expect(verified).toHaveLength(1);
      expect(verified[0]?.fields.secret).toBe(SECRET);
      expect(verified[0]?.fields.response?.length).toBeGreaterThan(100);
      expect(cspErrors).toEqual([]);
      await context.close();
    });
  }

  it('says so, and gives no clearance, when the widget script cannot load', { timeout: 60_000 }, async () => {
    const { stack, provider } = await escalatedStack('turnstile', '/no-such-script.js');
    const { context, page } = await newPage();
    const first = await page.goto(`${stack.gateway.gatewayUrl}/`);
    expect(first?.status()).toBe(403);
    // Strings, evaluated in the page: this project compiles without DOM types. The work finishes,
    // and the message about the widget stays: the page does not post without the token. Polled
    // from here: waitForFunction re-evaluates a string predicate with eval inside the page, which
    // the page's CSP refuses (no 'unsafe-eval') whenever the first check is not already true.
    await expect
      .poll(() => page.evaluate("document.getElementById('bg-progress').value"), { timeout: 30_000, interval: 100 })
      .toBe(100);
    expect(await page.evaluate("document.getElementById('bg-status').textContent")).toMatch(/could not load/);
    expect(provider.calls).toHaveLength(0);
    expect((await context.cookies()).some((c) => c.name === CLEARANCE_COOKIE)).toBe(false);
    await context.close();
  });
});
