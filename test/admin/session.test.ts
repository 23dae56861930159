/**
 * Console sessions on a real listener: the token buys an HttpOnly, SameSite=Strict cookie and a
 * CSRF token; reads work with the cookie alone; changes need a same-origin request carrying the
 * CSRF token; other sites are refused; wrong tokens are throttled; logging out ends the session.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, sameOrigin, startAdmin, TOKEN } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startAdmin();
});
afterEach(() => h.close());

const block = { list: 'block', target: 'ip', value: '192.0.2.9', duration: '1h', reason: 'testing' };

describe('POST /api/session', () => {
  it('exchanges the token for an HttpOnly, SameSite=Strict session cookie and a CSRF token', async () => {
    const res = await h.call('POST', '/api/session', {
      token: null,
      json: { token: TOKEN, name: 'Dana' },
      headers: sameOrigin(h),
    });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^botgate_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    expect(res.body).toMatchObject({ operator: 'Dana', expiresAt: h.clock.now() + 8 * 3_600_000 });
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.text).not.toContain(cookie.split(';')[0]?.split('=')[1]);
  });

  it('refuses a wrong token with 401, and throttles an address after ten', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await h.call('POST', '/api/session', {
        token: null,
        json: { token: `wrong-${i}`, name: 'x' },
        headers: sameOrigin(h),
      });
      expect(res.status).toBe(401);
    }
    const throttled = await h.call('POST', '/api/session', {
      token: null,
      json: { token: TOKEN, name: 'x' },
      headers: sameOrigin(h),
    });
    expect(throttled.status).toBe(429);
    h.clock.advance(5 * 60_000);
    expect(
      (await h.call('POST', '/api/session', { token: null, json: { token: TOKEN, name: 'x' }, headers: sameOrigin(h) }))
        .status,
    ).toBe(200);
  });

  it('refuses a login posted from another site', async () => {
    const res = await h.call('POST', '/api/session', {
      token: null,
      json: { token: TOKEN, name: 'x' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('cross_site');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    [{ name: 'x' }, 400],
    [{ token: TOKEN }, 400],
    [{ token: TOKEN, name: '' }, 400],
    [{ token: TOKEN, name: 'x'.repeat(81) }, 400],
    ['token=x&name=y', 415],
  ])('answers %j with %i', async (body, status) => {
    const headers =
      typeof body === 'string'
        ? { ...sameOrigin(h), 'content-type': 'application/x-www-form-urlencoded' }
        : sameOrigin(h);
    expect((await h.call('POST', '/api/session', { token: null, json: body, headers })).status).toBe(status);
  });
});

describe('a console session', () => {
  it('reads with the cookie alone', async () => {
    const { cookie, csrf } = await h.login('Dana');
    const me = await h.call('GET', '/api/session', { cookie });
    expect(me.body).toEqual({ operator: 'Dana', csrfToken: csrf, expiresAt: h.clock.now() + 8 * 3_600_000 });
    expect((await h.call('GET', '/api/status', { cookie })).status).toBe(200);
  });

  it('changes with the CSRF token on a same-origin request, recorded under the operator’s name', async () => {
    const { cookie, csrf } = await h.login('Dana');
    const res = await h.call('POST', '/api/lists', { cookie, csrf, json: block, headers: sameOrigin(h) });
    expect(res.status).toBe(201);
    expect(res.body.entry.createdBy).toBe('Dana');
    expect(h.lists.audit(1)[0]).toMatchObject({ who: 'Dana', change: 'added' });
  });

  it('refuses a change without the CSRF token, or with another session’s', async () => {
    const { cookie } = await h.login('Dana');
    const other = await h.login('Eve');
    const none = await h.call('POST', '/api/lists', { cookie, json: block, headers: sameOrigin(h) });
    expect(none.status).toBe(403);
    expect(none.body.error).toBe('csrf');
    expect(
      (await h.call('POST', '/api/lists', { cookie, csrf: other.csrf, json: block, headers: sameOrigin(h) })).status,
    ).toBe(403);
    expect((await h.call('DELETE', '/api/session', { cookie, headers: sameOrigin(h) })).status).toBe(403);
    expect(h.lists.size).toBe(0);
  });

  it('refuses a change from another site even with the CSRF token', async () => {
    const { cookie, csrf } = await h.login('Dana');
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: h.url },
      { origin: 'null' },
    ]) {
      const res = await h.call('POST', '/api/lists', { cookie, csrf, json: block, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error).toBe('cross_site');
    }
    expect(h.lists.size).toBe(0);
  });

  it('ends after eight hours, and on logout', async () => {
    const first = await h.login('Dana');
    h.clock.advance(8 * 3_600_000);
    expect((await h.call('GET', '/api/status', { cookie: first.cookie })).status).toBe(401);
    const second = await h.login('Dana');
    const out = await h.call('DELETE', '/api/session', {
      cookie: second.cookie,
      csrf: second.csrf,
      headers: sameOrigin(h),
    });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^botgate_session=; .*Max-Age=0/);
    expect((await h.call('GET', '/api/status', { cookie: second.cookie })).status).toBe(401);
  });
});
