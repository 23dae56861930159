import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DemoStats, ReceivedPage } from '../../src/demo/accounting.js';
import { type Marketplace, startMarketplace } from '../../src/demo/marketplace.js';
import { generateDemoUsers } from '../../src/demo/users.js';

const users = generateDemoUsers(20);
const alice = users[0] as (typeof users)[number];
const bob = users[1] as (typeof users)[number];

let market: Marketplace;

beforeAll(async () => {
  market = await startMarketplace({ users });
});

afterAll(async () => {
  await market.close();
});

beforeEach(async () => {
  expect((await fetch(`${market.url}/__demo/reset`, { method: 'POST' })).status).toBe(204);
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${market.url}${path}`, { headers, redirect: 'manual' });
}

function postForm(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${market.url}${path}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers,
    redirect: 'manual',
  });
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${market.url}${path}`, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', ...headers },
    redirect: 'manual',
  });
}

async function stats(): Promise<DemoStats> {
  return (await get('/__demo/stats')).json() as Promise<DemoStats>;
}

async function received(after = 0, limit?: number): Promise<ReceivedPage> {
  const query = limit === undefined ? `after=${after}` : `after=${after}&limit=${limit}`;
  return (await get(`/__demo/received?${query}`)).json() as Promise<ReceivedPage>;
}

async function apiToken(user: { username: string; password: string }): Promise<string> {
  const response = await postJson('/api/login', { username: user.username, password: user.password });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe('pages', () => {
  it('serves a home page that links every listing', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>Listings · Demo Market</title>');
    expect(html).toContain('<script type="module" src="/static/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/static/app.css">');
    expect(html).toContain('href="/listings/1"');
    expect(html).toContain('href="/listings/40"');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('serves a login page with a plain, labelled form', async () => {
    const html = await (await get('/login')).text();
    expect(html).toContain('<form class="stack" method="post" action="/login">');
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<input id="username" name="username"');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('name="password" type="password"');
    expect(html).not.toContain('Invalid username or password');
  });

  it('serves a signup page whose form the script submits', async () => {
    const html = await (await get('/signup')).text();
    expect(html).toContain('id="signup-form"');
    for (const name of ['username', 'email', 'password']) {
      expect(html).toContain(`<label for="${name}">`);
      expect(html).toContain(`name="${name}"`);
    }
    expect(html).toContain('id="signup-result" role="status"');
    expect(html).toContain('/static/app.js');
  });

  it('serves the script and stylesheet with their types, caching and revalidation', async () => {
    const script = await get('/static/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(await script.text()).toContain('fetch(form.action');
    const etag = script.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await get('/static/app.js', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/static/app.js', { 'if-none-match': '"other"' })).status).toBe(200);

    const stylesheet = await get('/static/app.css');
    expect(stylesheet.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await stylesheet.text()).toContain(':root');

    const icon = await get('/static/favicon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers HEAD for GET routes without a body', async () => {
    const response = await fetch(`${market.url}/api/listings`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await response.text()).toBe('');
  });

  it('answers unknown routes with 404, in JSON under /api/', async () => {
    const page = await get('/nowhere');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Not found');

    const api = await get('/api/nowhere');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'No such route' });

    expect((await fetch(`${market.url}/login`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('form login and the account page', () => {
  it('signs in with the right password (any case of the username) and shows the account', async () => {
    const response = await postForm('/login', { username: alice.username.toUpperCase(), password: alice.password });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/account');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^demo_session=[\w-]{32}; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0] as string;

    const account = await get('/account', { cookie: `theme=dark; ${cookie}` });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(`Signed in as ${alice.username}`);

    const again = await postForm('/login', { username: alice.username, password: alice.password });
    expect(again.headers.get('set-cookie')?.split(';')[0]).not.toBe(cookie);
  });

  it('sends visitors without a valid session to the login page', async () => {
    for (const headers of [{}, { cookie: 'demo_session=forged' }]) {
      const response = await get('/account', headers);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('/login');
    }
  });

  it('ends the session on logout', async () => {
    const login = await postForm('/login', { username: bob.username, password: bob.password });
    const cookie = login.headers.get('set-cookie')?.split(';')[0] as string;
    const logout = await fetch(`${market.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await get('/account', { cookie })).status).toBe(302);
  });

  it.each([
    ['a wrong password', { username: alice.username, password: 'wrong-password' }],
    ['an unknown user', { username: 'nobody.here', password: 'whatever1' }],
    ['missing fields', { username: '' }],
  ])('answers %s with the login page and the failure text', async (_name, fields) => {
    const response = await postForm('/login', fields);
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.text()).toContain('Invalid username or password');
  });

  it('escapes what the visitor typed', async () => {
    const html = await (await postForm('/login', { username: '"><script>x()</script>', password: 'p' })).text();
    expect(html).not.toContain('<script>x()');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"');
  });
});

describe('API login', () => {
  it('answers a token for the right password', async () => {
    const response = await postJson('/api/login', { username: alice.username, password: alice.password });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ token: expect.stringMatching(/^[\w-]{32}$/) });
  });

  it('answers 401 for a wrong password or an unknown user', async () => {
    for (const body of [
      { username: alice.username, password: bob.password },
      { username: 'nobody.here', password: 'whatever1' },
    ]) {
      const response = await postJson('/api/login', body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'Invalid username or password' });
    }
  });

  it.each([
    ['malformed JSON', '{"username":'],
    ['an array', '[]'],
    ['a missing password', { username: 'x' }],
    ['an empty username', { username: '', password: 'x' }],
    ['a number for a password', { username: 'x', password: 12345678 }],
  ])('answers 400 for %s', async (_name, body) => {
    const response = await postJson('/api/login', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});

describe('API signup', () => {
  it('creates an account that can then sign in', async () => {
    const response = await postJson('/api/signup', {
      username: 'new.buyer',
      email: 'new.buyer@example.com',
      password: 'long-enough',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: users.length + 1, username: 'new.buyer' });
    expect(await apiToken({ username: 'NEW.buyer', password: 'long-enough' })).toBeTruthy();
  });

  it('answers 409 when the username or the email is taken', async () => {
    const sameName = await postJson('/api/signup', {
      username: alice.username.toUpperCase(),
      email: 'fresh@example.com',
      password: 'long-enough',
    });
    expect(sameName.status).toBe(409);
    expect(await sameName.json()).toEqual({ error: 'That username is taken' });
    const sameEmail = await postJson('/api/signup', {
      username: 'fresh.name',
      email: bob.email.toUpperCase(),
      password: 'long-enough',
    });
    expect(sameEmail.status).toBe(409);
    expect(await sameEmail.json()).toEqual({ error: 'That email is already registered' });
  });

  it.each([
    ['malformed JSON', 'not json'],
    ['a missing email', { username: 'someone', password: 'long-enough' }],
    ['a short username', { username: 'ab', email: 'ab@example.com', password: 'long-enough' }],
    ['a username with a slash', { username: 'a/b/c', email: 'abc@example.com', password: 'long-enough' }],
    ['an email without @', { username: 'someone', email: 'someone.example.com', password: 'long-enough' }],
    ['a short password', { username: 'someone', email: 'someone@example.com', password: 'short' }],
  ])('answers 400 for %s', async (_name, body) => {
    const response = await postJson('/api/signup', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});

describe('listings', () => {
  it('lists 40 listings, the same in every marketplace', async () => {
    const listings = (await (await get('/api/listings')).json()) as {
      id: number;
      title: string;
      price: number;
      seller: string;
    }[];
    expect(listings).toHaveLength(40);
    expect(listings.map((listing) => listing.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const listing of listings) {
      expect(Object.keys(listing).sort()).toEqual(['id', 'price', 'seller', 'title']);
      expect(listing.price).toBeGreaterThan(0);
      expect(Math.round(listing.price * 100) / 100).toBe(listing.price);
    }
    const other = await startMarketplace({ users: [] });
    try {
      expect(await (await fetch(`${other.url}/api/listings`)).json()).toEqual(listings);
    } finally {
      await other.close();
    }
  });

  it('shows one listing with its comments, and 404 for others', async () => {
    const response = await get('/api/listings/7');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 7, title: expect.any(String), comments: [] });
    for (const id of ['41', '0', '07', 'abc']) {
      const missing = await get(`/api/listings/${id}`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: 'No such listing' });
    }
  });

  it('has an HTML page per listing', async () => {
    const page = await get('/listings/3');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h2 id="comments-title">Comments</h2>');
    expect((await get('/listings/99')).status).toBe(404);
  });
});

describe('comments', () => {
  it('posts a comment with a bearer token, shown on the listing', async () => {
    const token = await apiToken(alice);
    const response = await postJson(
      '/api/listings/12/comments',
      { text: '  Is it still <b>available</b>?  ' },
      { authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    expect(id).toBeGreaterThan(0);

    const listing = (await (await get('/api/listings/12')).json()) as {
      comments: { id: number; author: string; text: string }[];
    };
    expect(listing.comments.at(-1)).toMatchObject({
      id,
      author: alice.username,
      text: 'Is it still <b>available</b>?',
    });
    expect(await (await get('/listings/12')).text()).toContain('Is it still &lt;b&gt;available&lt;/b&gt;?');
  });

  it('answers 401 without a valid token', async () => {
    for (const headers of [{}, { authorization: 'Bearer made-up' }, { authorization: 'Basic abc' }]) {
      const response = await postJson('/api/listings/1/comments', { text: 'hello' }, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers 404 for an unknown listing', async () => {
    const token = await apiToken(bob);
    const response = await postJson(
      '/api/listings/404/comments',
      { text: 'hello' },
      { authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(404);
  });

  it('answers 400 for a malformed body or empty or overlong text, and accepts 2000 characters', async () => {
    const authorization = `Bearer ${await apiToken(bob)}`;
    for (const body of ['{', { text: '' }, { text: '   ' }, { text: 42 }, {}, { text: 'x'.repeat(2001) }]) {
      expect((await postJson('/api/listings/2/comments', body, { authorization })).status).toBe(400);
    }
    expect((await postJson('/api/listings/2/comments', { text: 'x'.repeat(2000) }, { authorization })).status).toBe(
      201,
    );
  });
});

describe('bodies', () => {
  it('refuses a declared body over 64 KiB with 413', async () => {
    const response = await postJson('/api/signup', { username: 'x'.repeat(70_000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'The body is larger than 65536 bytes' });
  });

  it('refuses an oversized declared length before reading any of the body', async () => {
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(
        `${market.url}/api/login`,
        { method: 'POST', headers: { 'content-length': 100_000 } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
          req.destroy();
        },
      );
      req.on('error', reject);
      req.flushHeaders(); // headers only: the body never comes
    });
    expect(answer).toEqual({ status: 413, connection: 'close' });
  });

  it('refuses a streamed body once it passes 64 KiB', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${market.url}/login`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // Chunked, without a length: the cap has to be found while reading.
      for (let i = 0; i < 5; i++) req.write('a'.repeat(16 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect((await stats()).byRoute['POST /login']).toBe(1);
  });
});

describe('accounting', () => {
  it('counts requests by route and the outcomes, and not its own routes', async () => {
    await get('/');
    await get('/api/listings');
    await get('/api/listings/9');
    await get('/no-such-page');
    await postForm('/login', { username: alice.username, password: alice.password });
    await postForm('/login', { username: alice.username, password: 'nope-nope' });
    await postJson('/api/login', { username: bob.username, password: 'nope-nope' });
    const token = await apiToken(bob);
    await postJson('/api/signup', { username: 'counted.user', email: 'counted@example.com', password: 'long-enough' });
    await postJson('/api/signup', { username: 'counted.user', email: 'counted2@example.com', password: 'long-enough' });
    await postJson('/api/signup', { username: 'x' });
    await postJson('/api/listings/1/comments', { text: 'nice' }, { authorization: `Bearer ${token}` });
    await postJson('/api/listings/1/comments', { text: 'nice' });
    await stats();
    await received();

    expect(await stats()).toEqual({
      requests: 13,
      byRoute: {
        'GET /': 1,
        'GET /api/listings': 1,
        'GET /api/listings/:id': 1,
        'GET *': 1,
        'POST /login': 2,
        'POST /api/login': 2,
        'POST /api/signup': 3,
        'POST /api/listings/:id/comments': 2,
      },
      logins: { success: 2, failure: 2 },
      signups: { created: 1, rejected: 2 },
      comments: { created: 1, rejected: 1 },
    });
  });

  it('logs received requests in order with their botgate id and forwarded-for', async () => {
    await get('/', { 'x-botgate-id': 'ref-1', 'x-forwarded-for': '198.51.100.7' });
    await postForm('/login', { username: alice.username, password: 'wrong-one' }, { 'x-botgate-id': 'ref-2' });
    await get('/api/listings/55');

    const page = await received();
    expect(page).toEqual({
      next: 3,
      items: [
        { seq: 1, id: 'ref-1', route: 'GET /', status: 200, forwardedFor: '198.51.100.7' },
        { seq: 2, id: 'ref-2', route: 'POST /login', status: 200, forwardedFor: null },
        { seq: 3, id: null, route: 'GET /api/listings/:id', status: 404, forwardedFor: null },
      ],
    });
    expect(await received(page.next)).toEqual({ next: 3, items: [] });
    const firstTwo = await received(0, 2);
    expect(firstTwo.items.map((item) => item.seq)).toEqual([1, 2]);
    expect((await received(firstTwo.next)).items.map((item) => item.id)).toEqual([null]);
  });

  it('clears counts and the log on reset but keeps accounts', async () => {
    await postJson('/api/signup', { username: 'kept.user', email: 'kept@example.com', password: 'long-enough' });
    expect((await stats()).signups.created).toBe(1);
    expect((await fetch(`${market.url}/__demo/reset`, { method: 'POST' })).status).toBe(204);
    expect(await stats()).toMatchObject({ requests: 0, byRoute: {}, signups: { created: 0, rejected: 0 } });
    expect(await received()).toEqual({ next: 0, items: [] });
    expect(await apiToken({ username: 'kept.user', password: 'long-enough' })).toBeTruthy();
  });

  it('answers a bad query or an unknown control route clearly', async () => {
    expect((await get('/__demo/received?after=-1')).status).toBe(400);
    expect((await get('/__demo/received?limit=0')).status).toBe(400);
    expect((await get('/__demo/nothing')).status).toBe(404);
    expect((await get('/__demo/stats')).headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await stats()).requests).toBe(0);
  });
});

describe('startMarketplace', () => {
  it('seeds 500 generated users by default and closes cleanly, twice', async () => {
    const defaults = await startMarketplace();
    expect(defaults.url).toBe(`http://127.0.0.1:${defaults.port}`);
    const last = generateDemoUsers()[499] as (typeof users)[number];
    const response = await fetch(`${defaults.url}/api/login`, {
      method: 'POST',
      body: JSON.stringify({ username: last.username, password: last.password }),
    });
    expect(response.status).toBe(200);
    await defaults.close();
    await defaults.close();
    await expect(fetch(`${defaults.url}/`)).rejects.toThrow();
  });

  it('refuses users that repeat a username', async () => {
    await expect(startMarketplace({ users: [alice, { ...bob, username: alice.username }] })).rejects.toThrow(/repeats/);
  });

  it('reports a port already in use', async () => {
    await expect(startMarketplace({ users: [], port: market.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
