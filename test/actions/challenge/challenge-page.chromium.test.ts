/**
 * The challenge page in a real Chromium against a real HTTP server on 127.0.0.1: the browser
 * must solve the proof of work on its own, post it, and land on returnTo with a clearance that
 * the server accepts, all under the page's own Content-Security-Policy. Every request is bound
 * with `clientBinding` of its own headers, so the path proves the binding holds across the page
 * load, the form post, the GET that follows the 303, and the page's fetch() calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Binding, clientBinding } from '../../../src/actions/challenge/binding.js';
import { createClearanceSigner, readClearanceCookie } from '../../../src/actions/challenge/clearance.js';
import { renderFailurePage } from '../../../src/actions/challenge/failure-page.js';
import { renderChallengePage } from '../../../src/actions/challenge/page.js';
import { createChallengeIssuer } from '../../../src/actions/challenge/proof-of-work.js';
import type { ActionResponse } from '../../../src/actions/challenge/response.js';
import { createVerifyEndpoint } from '../../../src/actions/challenge/verify-endpoint.js';
import { systemClock } from '../../../src/state/clock.js';
import { MemoryStore } from '../../../src/state/memory-store.js';
import { HAS_CHROMIUM, launchChromium } from '../../support/chromium.js';
import { NEW_KEY } from './fixtures.js';

const DIFFICULTY = 12;

const challenges = createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock: systemClock });
const clearances = createClearanceSigner({ keys: [NEW_KEY], current: NEW_KEY.id, graceMs: 0, clock: systemClock });
const endpoint = createVerifyEndpoint({ challenges, clearances, clock: systemClock });
const store = new MemoryStore({ maxEntries: 1_000 });
const verified: string[] = [];

/** A stand-in for the gateway: challenge uncleared GETs, redeem posts, serve cleared requests. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const client: Binding = { prefix: '127.0.0.0/24', fingerprint: clientBinding(req.headers) };
  if (req.method === 'POST' && url.pathname === '/.botgate/challenge') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const plan = endpoint.plan({
      ...client,
      body,
      respondWith: 'html',
      referenceId: 'e2e0000000000001',
      secure: false,
    });
    const answer = await plan.answer(plan.ops.length > 0 ? await store.exec(plan.ops) : []);
    verified.push(`${answer.event.result}:${answer.event.reason}`);
    return write(res, answer);
  }
  if (url.pathname === '/failure') {
    return write(res, renderFailurePage({ status: 403, message: 'Nope.', retryTo: '/account', referenceId: 'e2e' }));
  }
  const cleared = clearances.verify(readClearanceCookie(req.headers.cookie), client).ok;
  if (url.pathname === '/api/check') {
    res.writeHead(cleared ? 200 : 403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ cleared }));
    return;
  }
  if (cleared) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>ok</title><h1 id="landed">${url.pathname}</h1>`);
    return;
  }
  const replay = url.pathname === '/login';
  const returnTo = replay ? '/login-form' : url.pathname;
  const issued = challenges.issue({ ...client, difficulty: DIFFICULTY, returnTo });
  write(
    res,
    renderChallengePage({
      challenge: issued.token,
      difficulty: DIFFICULTY,
      returnTo,
      referenceId: 'e2e0000000000000',
      formReplay: replay,
    }),
  );
}

function write(res: ServerResponse, answer: ActionResponse): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

describe.skipIf(!HAS_CHROMIUM)('the challenge page in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('solves on its own under its CSP, posts the answer and lands on the page with a clearance', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // Chromium reports the interstitial's own 403 as a failed load; anything else (a CSP refusal) is a problem.
      if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('status of 403'))
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    verified.length = 0;
    const first = await page.goto(`${origin}/account`);
    expect(first?.status()).toBe(403);
    await page.waitForSelector('#landed', { timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.textContent('#landed')).toBe('/account');
    expect(verified).toEqual(['solved:ok']);
    expect(problems).toEqual([]);
    // The page's own fetch() calls carry the clearance too, and the next page needs no challenge.
    expect(await page.evaluate("fetch('/api/check', { method: 'POST', body: '{}' }).then((r) => r.status)")).toBe(200);
    expect((await page.goto(`${origin}/other`))?.status()).toBe(200);
    await context.close();
  });

  it('for a challenged form, says the form was not sent and waits for the person to go back to it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    verified.length = 0;
    await page.goto(`${origin}/login`);
    await page.waitForSelector('#bg-continue:not([hidden])', { timeout: 20_000 });
    expect(await page.textContent('#bg-status')).toBe('Done. Your form was not sent: go back to it and send it again.');
    expect(await page.getAttribute('#bg-progress', 'value')).toBe('100');
    expect(verified).toEqual([]);
    await Promise.all([page.waitForURL(`${origin}/login-form`), page.click('#bg-continue')]);
    expect(await page.textContent('#landed')).toBe('/login-form');
    expect(verified).toEqual(['solved:ok']);
    await context.close();
  });

  it('shows the noscript message when JavaScript is off, and no controls that need it', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    expect(await page.isVisible('#bg-progress')).toBe(false);
    expect(await page.isVisible('#bg-continue')).toBe(false);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text (noscript shown) is what is checked
    expect(await page.innerText('main')).toContain(
      'This check needs JavaScript. Turn JavaScript on for this site and reload the page',
    );
    await context.close();
  });

  it('styles the failure page under its constant, hash-based CSP', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (!m.text().includes('status of 403')) problems.push(m.text());
    });
    await page.goto(`${origin}/failure`);
    // A string, evaluated in the page: this project compiles without DOM types.
    expect(await page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")).toBe('24px');
    expect(await page.getAttribute('a.button', 'href')).toBe('/account');
    expect(problems).toEqual([]);
    await page.close();
  });
});
