import { describe, expect, it } from 'vitest';
import { Accounting, RECEIVED_PAGE_LIMIT } from '../../src/demo/accounting.js';

describe('Accounting', () => {
  it('counts requests by route and the outcomes of logins, signups and comments', () => {
    const accounting = new Accounting(100);
    const formLogin = accounting.slot('POST /login', 'form-login');
    const apiLogin = accounting.slot('POST /api/login', 'api-login');
    const signup = accounting.slot('POST /api/signup', 'signup');
    const comment = accounting.slot('POST /api/listings/:id/comments', 'comment');
    const home = accounting.slot('GET /');
    accounting.slot('GET /never');

    for (const status of [302, 200, 200, 413]) accounting.record(formLogin, status, undefined, undefined);
    for (const status of [200, 401, 400]) accounting.record(apiLogin, status, undefined, undefined);
    for (const status of [201, 409, 400]) accounting.record(signup, status, undefined, undefined);
    for (const status of [201, 201, 401, 404]) accounting.record(comment, status, undefined, undefined);
    accounting.record(home, 200, undefined, undefined);

    expect(accounting.stats()).toEqual({
      requests: 15,
      byRoute: {
        'POST /login': 4,
        'POST /api/login': 3,
        'POST /api/signup': 3,
        'POST /api/listings/:id/comments': 4,
        'GET /': 1,
      },
      logins: { success: 2, failure: 3 },
      signups: { created: 1, rejected: 2 },
      comments: { created: 2, rejected: 2 },
    });
  });

  it('gives a route key one slot', () => {
    const accounting = new Accounting(10);
    expect(accounting.slot('GET *')).toBe(accounting.slot('GET *'));
    expect(accounting.slot('POST *')).not.toBe(accounting.slot('GET *'));
  });

  it('pages through the received log in order', () => {
    const accounting = new Accounting(100);
    const home = accounting.slot('GET /');
    for (let i = 1; i <= 5; i++) accounting.record(home, 200, `ref-${i}`, i % 2 === 0 ? `203.0.113.${i}` : undefined);

    const first = accounting.received(0, 2);
    expect(first).toEqual({
      next: 2,
      items: [
        { seq: 1, id: 'ref-1', route: 'GET /', status: 200, forwardedFor: null },
        { seq: 2, id: 'ref-2', route: 'GET /', status: 200, forwardedFor: '203.0.113.2' },
      ],
    });
    const rest = accounting.received(first.next);
    expect(rest.items.map((item) => item.id)).toEqual(['ref-3', 'ref-4', 'ref-5']);
    expect(accounting.received(rest.next)).toEqual({ next: 5, items: [] });
  });

  it('keeps only the latest entries past its capacity, and a reader sees the gap', () => {
    const accounting = new Accounting(3);
    const home = accounting.slot('GET /');
    for (let i = 1; i <= 7; i++) accounting.record(home, 200 + i, `ref-${i}`, undefined);
    const page = accounting.received(0);
    expect(page.items.map((item) => [item.seq, item.id, item.status])).toEqual([
      [5, 'ref-5', 205],
      [6, 'ref-6', 206],
      [7, 'ref-7', 207],
    ]);
    expect(page.next).toBe(7);
  });

  it('caps a page at the page limit', () => {
    const accounting = new Accounting(RECEIVED_PAGE_LIMIT + 10);
    const home = accounting.slot('GET /');
    for (let i = 0; i < RECEIVED_PAGE_LIMIT + 5; i++) accounting.record(home, 200, undefined, undefined);
    expect(accounting.received(0, RECEIVED_PAGE_LIMIT * 2).items).toHaveLength(RECEIVED_PAGE_LIMIT);
    expect(accounting.received(RECEIVED_PAGE_LIMIT).items).toHaveLength(5);
  });

  it("carries botgate's account-takeover flag on the items whose request had one", () => {
    const accounting = new Accounting(10);
    const login = accounting.slot('POST /login', 'form-login');
    accounting.record(login, 302, 'ref-1', undefined, 'suspected');
    accounting.record(login, 200, 'ref-2', undefined);
    const [flagged, plain] = accounting.received(0).items;
    expect(flagged?.ato).toBe('suspected');
    expect(plain).not.toHaveProperty('ato');
    accounting.reset();
    accounting.record(login, 200, 'ref-3', undefined);
    expect(accounting.received(0).items[0]).not.toHaveProperty('ato');
  });

  it('clips long header values', () => {
    const accounting = new Accounting(2);
    accounting.record(accounting.slot('GET /'), 200, 'x'.repeat(10_000), 'y'.repeat(300));
    const [item] = accounting.received(0).items;
    expect(item?.id).toHaveLength(256);
    expect(item?.forwardedFor).toHaveLength(256);
  });

  it('reset clears counts and log, restarts sequence numbers and brings a stale reader back', () => {
    const accounting = new Accounting(10);
    const login = accounting.slot('POST /login', 'form-login');
    for (let i = 0; i < 4; i++) accounting.record(login, 302, `old-${i}`, undefined);
    accounting.reset();
    expect(accounting.stats()).toEqual({
      requests: 0,
      byRoute: {},
      logins: { success: 0, failure: 0 },
      signups: { created: 0, rejected: 0 },
      comments: { created: 0, rejected: 0 },
    });
    expect(accounting.received(4)).toEqual({ next: 0, items: [] });
    accounting.record(login, 200, 'new', undefined);
    expect(accounting.received(0).items).toEqual([
      { seq: 1, id: 'new', route: 'POST /login', status: 200, forwardedFor: null },
    ]);
    expect(accounting.stats().logins).toEqual({ success: 0, failure: 1 });
  });

  it('refuses a capacity below one', () => {
    expect(() => new Accounting(0)).toThrow(RangeError);
  });
});
