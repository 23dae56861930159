import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../sim/cookie-jar.js';

describe('CookieJar', () => {
  it('is empty until a cookie arrives, then sends cookies in the order they were first set', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.absorb(['b=2; Path=/; HttpOnly', 'a=1; Path=/; SameSite=Lax']);
    jar.absorb('b=3; Path=/');
    expect(jar.header()).toBe('b=3; a=1');
    expect(jar.get('b')).toBe('3');
  });

  it('forgets a cookie deleted with Max-Age=0 or a past Expires, and ignores malformed lines', () => {
    const jar = new CookieJar();
    jar.absorb(['demo_session=abc; Path=/', 'theme=dark; Path=/', 'junk', '=novalue']);
    jar.absorb('demo_session=; Path=/; Max-Age=0');
    jar.absorb('theme=; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.header()).toBeUndefined();
    expect(jar.size).toBe(0);
  });
});
