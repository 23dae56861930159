import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formReturnTo, MAX_RETURN_TO_LENGTH, safeReturnTo } from '../../../src/actions/challenge/return-to.js';

describe('safeReturnTo', () => {
  it('keeps origin-relative paths', () => {
    for (const ok of ['/', '/login', '/a/b?c=d&e=%2F#top', '/search?q=%E2%9C%93']) expect(safeReturnTo(ok)).toBe(ok);
  });

  it('falls back for anything that could leave the site or break a header', () => {
    const bad = [
      undefined,
      null,
      '',
      'login',
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      '\\\\evil.example',
      '/a\\b',
      ' /x',
      '/x\r\nSet-Cookie: a=b',
      '/\tx',
      '/ü',
      `/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`,
      'javascript:alert(1)',
    ];
    for (const candidate of bad) expect(safeReturnTo(candidate, '/home'), String(candidate)).toBe('/home');
  });

  it('never returns something a browser would resolve to another origin', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (candidate) => {
        const result = safeReturnTo(candidate);
        expect(new URL(result, 'https://site.example/base/').origin).toBe('https://site.example');
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('formReturnTo', () => {
  it("returns to the form's page when the Referer is this host, else to the flow's page", () => {
    expect(formReturnTo('https://shop.example/login?next=%2Fcart', 'shop.example', '/signin')).toBe(
      '/login?next=%2Fcart',
    );
    expect(formReturnTo('http://shop.example:8080/login', 'shop.example:8080', '/signin')).toBe('/login');
    expect(formReturnTo('https://evil.example/login', 'shop.example', '/signin')).toBe('/signin');
    expect(formReturnTo('not a url', 'shop.example', '/signin')).toBe('/signin');
    expect(formReturnTo(undefined, 'shop.example', '/signin')).toBe('/signin');
    expect(formReturnTo('https://shop.example/login', undefined, '/signin')).toBe('/signin');
    expect(formReturnTo('ftp://shop.example/login', 'shop.example', 'https://evil.example')).toBe('/');
  });
});
