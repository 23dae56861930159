/**
 * Account reputation end to end: the real marketplace and gateway in process (manual clock).
 * An account is created by a signup with findings, signs in through the API, and comments with
 * the bearer token the login answer carried: botgate never sees the username on the comment, only
 * the token, and still knows where the account came from.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/config/schema.js';
import { deletePrefix, randomPrefix, SHARED_REDIS_URL } from '../state/redis-process.js';
import { CHROME, deviceCookie, receivedIds, type Stack, send, startStack } from '../support/stack.js';

/** Chrome's fetch() from a page of the site, as the marketplace's script sends it. */
const FETCH = {
  'sec-ch-ua': CHROME['sec-ch-ua'],
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'user-agent': CHROME['user-agent'],
  accept: '*/*',
  origin: 'http://127.0.0.1',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en;q=0.9',
};
const PASSWORD = 'correct horse battery 7';
const WITH_LINK = 'Same lamp in better shape and half the price, have a look: https://lamps.example.org/l/9';

let stack: Stack;
let other: Stack | undefined;
let redisPrefix: string | undefined;
afterEach(async () => {
  await stack?.close();
  await other?.close();
  other = undefined;
  if (redisPrefix !== undefined) await deletePrefix(SHARED_REDIS_URL, redisPrefix);
  redisPrefix = undefined;
});

interface Account {
  readonly token: string;
  readonly device: string;
}

/** Loads the signup page, waits `fillMs`, signs up, signs in through the API; the token it got. */
async function newAccount(s: Stack, ip: string, username: string, email: string, fillMs: number): Promise<Account> {
  const page = await send(s, ip, 'GET', '/signup');
  const device = deviceCookie(page)!;
  s.clock.advance(fillMs);
  const created = await send(s, ip, 'POST', '/api/signup', {
    headers: FETCH,
    cookie: device,
    json: { username, email, password: PASSWORD },
  });
  expect(created.status).toBe(201);
  s.clock.advance(4_000);
  const login = await send(s, ip, 'POST', '/api/login', {
    headers: FETCH,
    cookie: device,
    json: { username, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return { token: (JSON.parse(login.body) as { token: string }).token, device };
}

async function comment(s: Stack, ip: string, account: Account, listing: number, text: string) {
  return send(s, ip, 'POST', `/api/listings/${listing}/comments`, {
    headers: { ...FETCH, authorization: `Bearer ${account.token}` },
    cookie: account.device,
    json: { text },
  });
}

async function findingsOf(s: Stack, id: string): Promise<string[]> {
  return (await eventFindings(s, id)).map((f) => f.reason);
}

async function eventFindings(s: Stack, id: string): Promise<{ reason: string; detail?: string }[]> {
  for (let i = 0; i < 50; i++) {
    const res = await request(`${s.gateway.adminUrl}/api/events/${id}`, {
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    });
    const body = await res.body.text();
    if (res.statusCode === 200)
      return (JSON.parse(body) as { event: { findings: { reason: string; detail?: string }[] } }).event.findings;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no event ${id}`);
}

describe('account reputation', () => {
  it('carries a suspect signup to the comments of the session its login opened', async () => {
    stack = await startStack();
    // Posted a second after the page loaded, from a generated-looking address: tagged, created,
    // and remembered as suspect.
    const farmed = await newAccount(stack, '198.51.100.20', 'qzx7kvbw2m', 'qzx7kvbw2m@mail.example.com', 1_000);
    // A person: a few seconds on the form, an ordinary address, on another network.
    const person = await newAccount(stack, '203.0.113.30', 'martha_k', 'martha.king@mail.example.com', 9_000);
    stack.clock.advance(30_000);

    const fromFarmed = await comment(stack, '198.51.100.20', farmed, 3, WITH_LINK);
    const fromPerson = await comment(stack, '203.0.113.30', person, 3, WITH_LINK);
    // Deceived: answered as posted, never sent to the application.
    expect(fromFarmed.status).toBe(201);
    expect(fromPerson.status).toBe(201);
    const reached = await receivedIds(stack);
    expect(reached.has(fromFarmed.id)).toBe(false);
    expect(reached.has(fromPerson.id)).toBe(true);
    expect(await findingsOf(stack, fromFarmed.id)).toEqual(['comment.links', 'account.suspect-signup']);
    expect(await findingsOf(stack, fromPerson.id)).toEqual(['comment.links']);
  });

  it('binds a session cookie set by the login form just as a token', async () => {
    // The comment flow names the account by the form login's session cookie instead.
    stack = await startStack((doc) => ({
      ...doc,
      flows: doc.flows.map((f) => (f.name === 'listing-comments' ? { ...f, account: { cookie: 'demo_session' } } : f)),
    }));
    const ip = '198.51.100.21';
    await newAccount(stack, ip, 'vbq8zmx3kt', 'vbq8zmx3kt@mail.example.com', 1_000);
    const page = await send(stack, ip, 'GET', '/login');
    const device = deviceCookie(page)!;
    stack.clock.advance(6_000);
    const login = await send(stack, ip, 'POST', '/login', {
      form: { username: 'vbq8zmx3kt', password: PASSWORD },
      cookie: device,
    });
    expect(login.status).toBe(302);
    const session = login.setCookie.find((c) => c.startsWith('demo_session='))!.split(';')[0]!;
    stack.clock.advance(30_000);
    const posted = await send(stack, ip, 'POST', '/api/listings/3/comments', {
      headers: FETCH,
      cookie: `${device}; ${session}`,
      json: { text: WITH_LINK },
    });
    expect((await receivedIds(stack)).has(posted.id)).toBe(false);
    expect(await findingsOf(stack, posted.id)).toEqual(['comment.links', 'account.suspect-signup']);
  });

  it('binds on one node and is read on another through the shared Redis', async () => {
    const prefix = randomPrefix('account-reputation');
    redisPrefix = prefix;
    const onRedis = (doc: PolicyDocument): PolicyDocument => ({
      ...doc,
      store: {
        type: 'redis',
        url: SHARED_REDIS_URL,
        prefix,
        cluster: false,
        timeoutMs: 1_000,
        failMode: 'open',
        maxEntries: doc.store.maxEntries,
      },
    });
    stack = await startStack(onRedis);
    other = await startStack(onRedis);
    const farmed = await newAccount(stack, '198.51.100.22', 'kx9wq2vzpl', 'kx9wq2vzpl@mail.example.com', 1_000);
    // Learnt writes are flushed to Redis within a few milliseconds of the login's answer.
    await new Promise((r) => setTimeout(r, 100));
    other.clock.advance(stack.clock.now() - other.clock.now() + 30_000);
    // Another node, another address: only the token ties this comment to the farmed account.
    const posted = await comment(other, '203.0.113.77', farmed, 5, WITH_LINK);
    expect(await findingsOf(other, posted.id)).toEqual(['comment.links', 'account.suspect-signup']);
  });

  it('ages the account from its signup: a fresh account at machine speed is stopped, and stays suspect', async () => {
    stack = await startStack();
    const fresh = await newAccount(stack, '203.0.113.40', 'quick_poster', 'q.poster@mail.example.com', 8_000);
    const texts = [
      'Does the drill come with both batteries and the charger?',
      'Would you take forty for the drill if I collect it today?',
      'Is the drill brushless or the older brushed version?',
      'Could you post the drill to Bristol if I pay the shipping?',
    ];
    const answers = [];
    for (const [i, text] of texts.entries()) {
      stack.clock.advance(2_000);
      answers.push(await comment(stack, '203.0.113.40', fresh, 10 + i, text));
    }
    const reached = await receivedIds(stack);
    expect(answers.slice(0, 3).every((a) => reached.has(a.id))).toBe(true);
    expect(reached.has(answers[3]!.id)).toBe(false);
    // Aged from its signup, which botgate saw: not from its first comment.
    const fast = (await eventFindings(stack, answers[3]!.id)).find((f) => f.reason === 'account.new-fast');
    expect(fast?.detail).toMatch(/from an account created \d+ s ago/);
    // The deceived comment was never posted, yet its account is now suspect: past the burst, the
    // next comment carries that.
    stack.clock.advance(120_000);
    const later = await comment(
      stack,
      '203.0.113.40',
      fresh,
      20,
      'One more question, is the drill still under warranty?',
    );
    expect(await findingsOf(stack, later.id)).toContain('account.suspect');
  });
});
