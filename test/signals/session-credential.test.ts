import { describe, expect, it } from 'vitest';
import { issuedCredential, presentedCredential, type SessionSource } from '../../src/signals/session-credential.js';

const COOKIE: SessionSource = { cookie: 'sid', json: null };
const JSON_TOKEN: SessionSource = { cookie: null, json: ['token'] };
const NESTED: SessionSource = { cookie: null, json: ['data', 'accessToken'] };
const TOKEN = 'Zq3v9Kx0-tYh2bWm_8pLr';
const body = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('issuedCredential', () => {
  it('reads the named cookie among several, without its attributes or quotes', () => {
    const lines = ['theme=dark; Path=/', `sid=${TOKEN}; Path=/; HttpOnly; SameSite=Lax`];
    expect(issuedCredential(COOKIE, lines, null)).toBe(TOKEN);
    expect(issuedCredential(COOKIE, `sid="${TOKEN}"; Secure`, null)).toBe(TOKEN);
  });

  it('takes no cookie of another name, and no cookie that signs out', () => {
    expect(issuedCredential(COOKIE, [`xsid=${TOKEN}`, `sidx=${TOKEN}`], null)).toBeNull();
    expect(issuedCredential(COOKIE, 'sid=; Path=/; Max-Age=0', null)).toBeNull();
    expect(issuedCredential(COOKIE, `sid=${TOKEN}; Path=/; Max-Age=0`, null)).toBeNull();
    expect(issuedCredential(COOKIE, undefined, null)).toBeNull();
  });

  it('reads a string field of the JSON answer, nested by a dotted path', () => {
    expect(issuedCredential(JSON_TOKEN, undefined, body({ token: TOKEN }))).toBe(TOKEN);
    expect(issuedCredential(NESTED, undefined, body({ data: { accessToken: TOKEN } }))).toBe(TOKEN);
  });

  it('finds nothing in a body that is not JSON, lacks the field, or holds no usable string', () => {
    expect(issuedCredential(JSON_TOKEN, undefined, Buffer.from('<html>welcome</html>'))).toBeNull();
    expect(issuedCredential(JSON_TOKEN, undefined, body({ id: 7 }))).toBeNull();
    expect(issuedCredential(JSON_TOKEN, undefined, body({ token: 12345678901 }))).toBeNull();
    expect(issuedCredential(JSON_TOKEN, undefined, body({ token: 'null' }))).toBeNull();
    expect(issuedCredential(NESTED, undefined, body({ data: [TOKEN] }))).toBeNull();
    expect(issuedCredential(JSON_TOKEN, undefined, null)).toBeNull();
  });

  it('prefers the cookie when a flow declares both', () => {
    const both: SessionSource = { cookie: 'sid', json: ['token'] };
    expect(issuedCredential(both, 'sid=cookie-value-1', body({ token: TOKEN }))).toBe('cookie-value-1');
    expect(issuedCredential(both, undefined, body({ token: TOKEN }))).toBe(TOKEN);
  });

  it('bounds what it keeps', () => {
    expect(issuedCredential(JSON_TOKEN, undefined, body({ token: 'x'.repeat(10_000) }))).toHaveLength(4096);
  });
});

describe('presentedCredential', () => {
  it('drops the scheme, so the header names the token the answer issued', () => {
    expect(presentedCredential(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(presentedCredential(`bearer   ${TOKEN} `)).toBe(TOKEN);
    expect(presentedCredential(`Token ${TOKEN}`)).toBe(TOKEN);
  });

  it('keeps a value without a scheme whole', () => {
    expect(presentedCredential(TOKEN)).toBe(TOKEN);
  });
});
