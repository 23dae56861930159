/**
 * The challenge in a real browser: Debian's Chromium, driven by playwright-core, opens the
 * login page through the gateway with page navigations forced to challenge, passes the proof
 * of work without help, submits the form and reaches the account page. A client that does
 * not run the page's script never gets a clearance.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchChromium } from '../support/chromium.js';
import { CHROME, type Stack, startStack } from '../support/stack.js';

const OUTPUT = 'test-output/challenge';

const TYPING_BAR_MS = 4_000;

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // A person types for longer than TYPING_BAR_MS and a password manager fills at once, whatever
  // the load on the machine running the test (the default bar, 800 ms, is closer to both).
  stack = await startStack((doc) => ({
    ...doc,
    challenge: { ...doc.challenge, force: ['page'] },
    detection: { ...doc.detection, login: { ...doc.detection.login, minTypingMs: TYPING_BAR_MS } },
  }));
  // The manual clock of the stack would expire challenges at once; real time suits a browser.
  stack.clock.set(Date.now());
  const tick = setInterval(() => stack.clock.set(Date.now()), 50);
  tick.unref();
  browser = await launchChromium();
  mkdirSync(OUTPUT, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe.runIf(HAS_CHROMIUM)('proof-of-work challenge in Chromium', () => {
  it('passes the challenge unaided, then logs in through the form', { timeout: 90_000 }, async () => {
    // Headless Chromium says "HeadlessChrome" in its User-Agent, which botgate rightly blocks on
    // a login form; the person this test stands for uses the same browser with a window.
    const major = browser.version().split('.')[0];
    const context = await browser.newContext({
      userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    });
    const page = await context.newPage();
    const [user] = stack.users;
    const first = await page.goto(`${stack.gateway.gatewayUrl}/login`);
    expect(first?.status()).toBe(403);
    await page.screenshot({ path: `${OUTPUT}/challenge-page.png` });
    // The page solves the proof of work in a worker and sends the browser back to /login.
    try {
      await page.waitForSelector('input[name="username"]', { timeout: 20_000 });
    } catch (err) {
      console.log(
        stack.gateway.recorder.ring
          .recent(10)
          .map((e) => `${e.method} ${e.path} ${e.status} ${e.decidedBy} ${e.findings.map((f) => f.detail).join(';')}`),
      );
      console.log(await page.content());
      throw err;
    }
    // Typed as a person types (login.too-fast fires under detection.login.minTypingMs): the
    // clearance from the page's challenge is worth 18 bits, and an instant login's challenge asks
    // more (the next test).
    const delay = Math.ceil((TYPING_BAR_MS + 1_000) / (user!.username.length + user!.password.length));
    await page.type('input[name="username"]', user!.username, { delay });
    await page.type('input[name="password"]', user!.password, { delay });
    try {
      await Promise.all([
        page.waitForURL('**/account', { timeout: 20_000 }),
        page.click('button[type="submit"], input[type="submit"]'),
      ]);
    } catch (err) {
      console.log(
        stack.gateway.recorder.ring
          .recent(10)
          .map((e) => `${e.method} ${e.path} ${e.status} ${e.decidedBy} ${e.findings.map((f) => f.detail).join(';')}`),
      );
      console.log((await page.content()).slice(0, 3000));
      throw err;
    }
    expect(await page.textContent('body')).toContain(user!.username);
    const cookies = await page.context().cookies();
    expect(cookies.some((c) => c.name === '__botgate_clearance')).toBe(true);
    await context.close();
  });

  it('challenges again, at its higher level, a login too fast for the page clearance, and the browser passes it', {
    timeout: 90_000,
  }, async () => {
    const major = browser.version().split('.')[0];
    const context = await browser.newContext({
      userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    });
    const page = await context.newPage();
    const user = stack.users[1]!;
    await page.goto(`${stack.gateway.gatewayUrl}/login`);
    await page.waitForSelector('input[name="username"]', { timeout: 20_000 });
    // A password manager fills the form at once: login.too-fast, a challenge riskier than the page's.
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    const [challenged] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
      page.click('button[type="submit"], input[type="submit"]'),
    ]);
    expect(challenged.status()).toBe(403);
    const events = stack.gateway.recorder.ring.recent(50);
    const event = events.find((e) => e.id === challenged.headers()['x-botgate-id']);
    expect(event?.findings.find((f) => f.source === 'clearance/insufficient')?.detail).toMatch(
      /^the clearance \(18 bits, proof of work only\) falls short of the challenge "rule\/login-too-fast" demands here \(\d+ bits, proof of work only\)/,
    );
    // The page solves the harder challenge and offers to go back to the form, which is sent again.
    await page.click('#bg-continue', { timeout: 30_000 });
    await page.waitForSelector('input[name="username"]', { timeout: 20_000 });
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    await Promise.all([
      page.waitForURL('**/account', { timeout: 20_000 }),
      page.click('button[type="submit"], input[type="submit"]'),
    ]);
    expect(await page.textContent('body')).toContain(user.username);
    await context.close();
  });

  it('never gives a clearance to a client that does not run the page', async () => {
    const res = await request(`${stack.gateway.gatewayUrl}/login`, { headers: CHROME });
    expect(res.statusCode).toBe(403);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('__botgate_clearance');
    const html = await res.body.text();
    expect(html).toContain('<noscript>');
    const again = await request(`${stack.gateway.gatewayUrl}/login`, { headers: CHROME });
    expect(again.statusCode).toBe(403);
    await again.body.dump();
  });
});
