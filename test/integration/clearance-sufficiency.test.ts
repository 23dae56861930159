/**
 * A clearance spares a request its challenge only when it is worth what that challenge demands,
 * through a real gateway in front of the demo marketplace (and, for the CAPTCHA band, the local
 * provider of test/support/captcha-provider.ts).
 *
 * The policy here challenges every page load without a clearance (challenge.force, score 0: the
 * flow's base difficulty) and, with a rule of this test, page loads whose headers contradict
 * their User-Agent (ua.inconsistent, score 55: a higher difficulty, or the CAPTCHA band). The two
 * kinds of request differ only in Accept-Encoding, which the clearance's binding does not cover,
 * so one client can carry a clearance from the cheap challenge to the expensive one, as a bot
 * would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/config/schema.js';
import type { DecisionEvent } from '../../src/events/event.js';
import { type FakeCaptchaProvider, startFakeCaptchaProvider } from '../support/captcha-provider.js';
import {
  challengePage,
  clearanceOf,
  eventOf,
  jsonChallengeOf,
  metricsText,
  redeem,
  redeemJson,
} from '../support/challenge-client.js';
import { CHROME, receivedIds, type Stack, send, startStack } from '../support/stack.js';

/** A Chrome page load whose Accept-Encoding lacks gzip, which every Chrome sends: ua.inconsistent. */
const RISKY_CHROME = { ...CHROME, 'accept-encoding': 'br' };
/** The same client as an API caller would be: no text/html in Accept. */
const RISKY_API = { ...RISKY_CHROME, accept: 'application/json' };
const SECRET = 'captcha-secret-for-the-clearance-test';
const SITE_KEY = '0x4AAAAAAAclearance-site-key';

function policy(range: { base: number; max: number }, captcha?: FakeCaptchaProvider) {
  return (doc: PolicyDocument): PolicyDocument => ({
    ...doc,
    rules: [
      ...doc.rules,
      { name: 'suspicious-pages', flows: ['pages'], when: { reasons: ['ua.inconsistent'] }, action: 'challenge' },
    ],
    challenge: {
      ...doc.challenge,
      force: ['page'],
      // Per flow: the default range (18–21) would make every challenge here take seconds.
      flows: { pages: range },
      ...(captcha === undefined
        ? {}
        : {
            captcha: {
              ...doc.challenge.captcha,
              enabled: true,
              provider: 'turnstile',
              siteKey: SITE_KEY,
              secret: SECRET,
              verifyUrl: captcha.turnstileVerifyUrl,
              scriptUrl: captcha.turnstileScriptUrl,
              minScore: 50,
              timeoutMs: 1_000,
            },
          }),
    },
  });
}

function findingOf(event: DecisionEvent, source: string) {
  return event.findings.find((f) => f.source === source);
}

describe('clearance level against the difficulty a request demands', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(policy({ base: 4, max: 14 }));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a clearance from the cheapest challenge does not satisfy a riskier one: a fresh challenge at the higher level', async () => {
    const ip = '198.51.100.10';
    const cheap = await challengePage(stack, ip);
    expect(cheap.difficulty).toBe(4);
    const cleared = await redeem(stack, ip, cheap);
    expect(cleared.status).toBe(303);
    const cookie = clearanceOf(cleared) as string;
    expect(cookie).toBeDefined();
    // The clearance does what it was earned for.
    const page = await send(stack, ip, 'GET', '/', { cookie });
    expect(page.status).toBe(200);

    // The riskier request of the same client: challenged again, at its own level, not blocked.
    const risky = await challengePage(stack, ip, '/', { headers: RISKY_CHROME, cookie });
    expect(risky.difficulty).toBe(4 + Math.floor((10 * 55) / 100));
    const event = await eventOf(stack, risky.answer.id);
    expect(event).toMatchObject({ action: 'challenge', decidedBy: 'rule/suspicious-pages', score: 55 });
    expect(findingOf(event, 'clearance/insufficient')?.detail).toBe(
      'the clearance (4 bits, proof of work only) falls short of the challenge "rule/suspicious-pages" demands here (9 bits, proof of work only): challenged again',
    );
    expect(await receivedIds(stack)).not.toContain(risky.answer.id);
  });

  it('a clearance earned at the higher level satisfies both the riskier request and the cheaper one', async () => {
    const ip = '198.51.100.11';
    const risky = await challengePage(stack, ip, '/', { headers: RISKY_CHROME });
    expect(risky.difficulty).toBe(9);
    const cookie = clearanceOf(await redeem(stack, ip, risky, undefined, RISKY_CHROME)) as string;
    expect(cookie).toBeDefined();
    const again = await send(stack, ip, 'GET', '/', { headers: RISKY_CHROME, cookie });
    expect(again.status).toBe(200);
    expect(await receivedIds(stack)).toContain(again.id);
    const event = await eventOf(stack, again.id);
    expect(event.decidedBy).toBe('clearance/valid');
    expect(findingOf(event, 'clearance/valid')?.detail).toContain('9 bits, proof of work only');
    expect((await send(stack, ip, 'GET', '/', { cookie })).status).toBe(200);
  });

  it('counts a redemption under the flow that was challenged, not the POST to the challenge endpoint', async () => {
    const before = await metricsText(stack);
    const solved = (text: string, flow: string) =>
      Number(new RegExp(`botgate_challenges_total\\{flow="${flow}",result="solved"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const ip = '198.51.100.12';
    expect((await redeem(stack, ip, await challengePage(stack, ip))).status).toBe(303);
    const after = await metricsText(stack);
    expect(solved(after, 'pages') - solved(before, 'pages')).toBe(1);
    expect(solved(after, 'default')).toBe(0);
  });
});

describe('clearance in the CAPTCHA band', () => {
  let provider: FakeCaptchaProvider;
  let stack: Stack;
  beforeAll(async () => {
    let clockNow = () => Date.now();
    provider = await startFakeCaptchaProvider({ secret: SECRET, siteKey: SITE_KEY, now: () => clockNow() });
    // A flat range: a proof-of-work-only clearance has every bit the band asks, and lacks only the CAPTCHA.
    stack = await startStack(policy({ base: 6, max: 6 }, provider));
    clockNow = () => stack.clock.now();
  });
  afterAll(async () => {
    await stack?.close();
    await provider?.close();
  });

  async function powOnlyClearance(ip: string): Promise<string> {
    const page = await challengePage(stack, ip);
    expect(page.answer.body).not.toContain('id="bg-captcha"');
    const cookie = clearanceOf(await redeem(stack, ip, page));
    expect(cookie).toBeDefined();
    return cookie as string;
  }

  it('a proof-of-work-only clearance, however many bits, does not satisfy the band: the CAPTCHA page again', async () => {
    const ip = '203.0.113.20';
    const cookie = await powOnlyClearance(ip);
    const band = await challengePage(stack, ip, '/', { headers: RISKY_CHROME, cookie });
    expect(band.answer.body).toContain(`data-sitekey="${SITE_KEY}"`);
    const event = await eventOf(stack, band.answer.id);
    expect(findingOf(event, 'clearance/insufficient')?.detail).toContain(
      '(6 bits, proof of work only) falls short of the challenge "rule/suspicious-pages" demands here (6 bits and the CAPTCHA)',
    );
    // Passing the CAPTCHA earns a clearance the band accepts.
    const redeemed = await redeem(stack, ip, band, provider.mint('turnstile', { hostname: '127.0.0.1' }), RISKY_CHROME);
    expect(redeemed.status).toBe(303);
    const captchaCookie = clearanceOf(redeemed) as string;
    const through = await send(stack, ip, 'GET', '/', { headers: RISKY_CHROME, cookie: captchaCookie });
    expect(through.status).toBe(200);
    expect(await receivedIds(stack)).toContain(through.id);
  });

  it('a client that does not ask for HTML gets a JSON challenge naming the CAPTCHA, and cannot clear with proof of work alone', async () => {
    const ip = '203.0.113.21';
    // Neither a proof-of-work-only clearance earned elsewhere…
    const cookie = await powOnlyClearance(ip);
    const asked = await send(stack, ip, 'GET', '/', { headers: RISKY_API, cookie });
    const challenge = jsonChallengeOf(asked);
    expect(challenge.captcha).toEqual({ provider: 'turnstile', siteKey: SITE_KEY });
    expect(challenge.submit.body).toMatchObject({ captcha: '<widget token>' });
    expect(challenge.difficulty).toBe(6);
    expect(findingOf(await eventOf(stack, asked.id), 'clearance/insufficient')).toBeDefined();

    // …nor the JSON challenge solved without the widget's token earns anything.
    provider.calls.length = 0;
    const powOnly = await redeemJson(stack, ip, challenge, RISKY_API);
    expect(powOnly.status).toBe(403);
    expect(JSON.parse(powOnly.body)).toMatchObject({ error: 'challenge_failed', reason: 'captcha-missing' });
    expect(clearanceOf(powOnly)).toBeUndefined();
    expect(provider.calls).toHaveLength(0);
    expect((await send(stack, ip, 'GET', '/', { headers: RISKY_API, cookie })).status).toBe(403);

    // An app that renders the widget with the named site key and posts its token complies.
    const next = jsonChallengeOf(await send(stack, ip, 'GET', '/', { headers: RISKY_API }));
    const token = provider.mint('turnstile', { hostname: '127.0.0.1' });
    const solved = await redeemJson(stack, ip, next, RISKY_API, token);
    expect(solved.status).toBe(200);
    const { clearance } = JSON.parse(solved.body) as { clearance: string };
    const through = await send(stack, ip, 'GET', '/', {
      headers: RISKY_API,
      cookie: `__botgate_clearance=${clearance}`,
    });
    expect(through.status).toBe(200);
    expect(await receivedIds(stack)).toContain(through.id);
    expect(await metricsText(stack)).toMatch(/botgate_challenges_total\{flow="pages",result="captcha_solved"\} 2\b/);
  });
});
