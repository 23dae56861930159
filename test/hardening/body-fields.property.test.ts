/**
 * Body tricks against field extraction, as properties: the field botgate judges is the field
 * the application will use (per `bodyParser.duplicates`), or the body is marked ambiguous (the
 * gateway refuses it).
 *
 * The references are independent of src/signals/body-fields.ts: URLSearchParams for forms, the
 * generator's own list of entries for JSON objects with repeated keys (first copy / last copy),
 * and JSON.parse for the last-copy reading.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DuplicateFields, extractFields, type FieldSpec } from '../../src/signals/body-fields.js';

const LOGIN: FieldSpec = { username: 'username', password: 'password' };
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const MODES: DuplicateFields[] = ['first', 'last', 'reject'];

/** Values people and attackers type: any Unicode, separators and quotes included. */
const value = fc.string({ unit: 'grapheme', maxLength: 24 });
const lone = fc.string({ unit: 'binary', maxLength: 24 });

function multipart(parts: readonly (readonly [string, string])[], boundary = 'XyZ'): Buffer {
  const chunks = parts.map(
    ([name, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`,
  );
  return Buffer.from(`${chunks.join('')}--${boundary}--\r\n`, 'utf8');
}

describe('body fields: what the application reads', () => {
  it('reads back any username and password sent as a form, JSON or multipart', () => {
    fc.assert(
      fc.property(value, value, (username, password) => {
        const expected = { username, password };
        const form = new URLSearchParams({ username, password }).toString();
        expect(extractFields(Buffer.from(form), FORM, LOGIN)).toEqual({ values: expected, error: null });
        expect(extractFields(Buffer.from(JSON.stringify(expected)), JSON_TYPE, LOGIN)).toEqual({
          values: expected,
          error: null,
        });
        // Multipart values cannot hold the boundary line or CRLF; the rest is any text.
        if (!username.includes('\r\n--') && !password.includes('\r\n--') && !/["\r\n]/.test(username + password)) {
          const body = multipart([
            ['username', username],
            ['password', password],
          ]);
          expect(extractFields(body, 'multipart/form-data; boundary=XyZ', LOGIN)).toEqual({
            values: expected,
            error: null,
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('judges the copy of a repeated form field the application reads, or marks it ambiguous', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.constantFrom(...MODES), (copies, mode) => {
        const params = new URLSearchParams();
        for (const copy of copies) params.append('username', copy);
        params.append('password', 'pw');
        const result = extractFields(Buffer.from(params.toString()), FORM, LOGIN, mode);
        if (copies.length === 1) {
          expect(result).toEqual({ values: { username: copies[0], password: 'pw' }, error: null });
          return;
        }
        expect(result.error).toBe('repeated field "username"');
        if (mode === 'reject') expect(result.ambiguous).toBe(true);
        else {
          expect(result.ambiguous).toBeUndefined();
          // URLSearchParams.get is the first copy; PHP's $_POST the last.
          expect(result.values.username).toBe(mode === 'first' ? params.get('username') : copies[copies.length - 1]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('counts bracketed and PHP-mangled names as copies of the field', () => {
    for (const name of ['username[]', 'username[0]', 'username[x]']) {
      const result = extractFields(Buffer.from(`${encodeURIComponent(name)}=victim&password=pw`), FORM, LOGIN);
      expect(result.ambiguous, name).toBe(true);
      expect(
        extractFields(Buffer.from(`${encodeURIComponent(name)}=victim`), FORM, LOGIN, 'first').values.username,
      ).toBe('victim');
    }
    const php: FieldSpec = { username: 'user_name' };
    expect(extractFields(Buffer.from('user.name=victim&user_name=decoy'), FORM, php, 'last').values.username).toBe(
      'decoy',
    );
    expect(extractFields(Buffer.from('user_name=decoy&user.name=victim'), FORM, php, 'last').values.username).toBe(
      'victim',
    );
    expect(extractFields(Buffer.from('user name=victim'), FORM, php).ambiguous).toBe(true);
  });

  it('judges the copy of a repeated JSON key the application reads, at any depth of the path', () => {
    const entry = fc.tuple(
      fc.constantFrom('user', 'other', 'password'),
      fc.oneof(value, fc.constant(null)),
      fc.constantFrom('email', 'name', 'x'),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), fc.constantFrom(...MODES), (entries, mode) => {
        // Written by hand so that keys may repeat: {"user":{"email":…},"user":{"name":…},…}
        const text = `{${entries.map(([k, v, inner]) => (k === 'user' ? `"user":{"${inner}":${JSON.stringify(v)}}` : `${JSON.stringify(k)}:${JSON.stringify(v)}`)).join(',')}}`;
        const spec: FieldSpec = { email: 'user.email', password: 'password' };
        const users = entries.filter(([k]) => k === 'user');
        const passwords = entries.filter(([k]) => k === 'password');
        const repeated = users.length > 1 || passwords.length > 1;
        const result = extractFields(Buffer.from(text), JSON_TYPE, spec, mode);
        if (repeated && mode === 'reject') {
          expect(result.ambiguous).toBe(true);
          return;
        }
        expect(result.ambiguous).toBeUndefined();
        const pick = <T>(list: T[]): T | undefined => (mode === 'first' ? list[0] : list[list.length - 1]);
        const user = pick(users);
        const email = user !== undefined && user[2] === 'email' ? user[1] : null;
        const password = pick(passwords)?.[1] ?? null;
        expect(result.values.email ?? null).toBe(email);
        expect(result.values.password ?? null).toBe(password);
        // The last-copy reading is JSON.parse's, which nearly every application uses.
        if (mode === 'last') {
          const parsed = JSON.parse(text) as { user?: { email?: string }; password?: string };
          expect(result.values.email ?? null).toBe(parsed.user?.email ?? null);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('compares JSON keys decoded, so an escaped key is the same key', () => {
    const body = Buffer.from('{"username":"decoy","user\\u006eame":"victim","password":"pw"}');
    expect(extractFields(body, JSON_TYPE, LOGIN).ambiguous).toBe(true);
    expect(extractFields(body, JSON_TYPE, LOGIN, 'first').values.username).toBe('decoy');
    expect(extractFields(body, JSON_TYPE, LOGIN, 'last').values.username).toBe('victim');
  });

  it('refuses prototype keys and non-values in every mode', () => {
    for (const mode of MODES) {
      for (const text of [
        '{"__proto__":{"username":"victim"},"password":"pw"}',
        '{"a":{"__pro\\u0074o__":{}},"username":"u"}',
        '{"constructor":{"prototype":{"username":"victim"}}}',
        '{"username":["victim"],"password":"pw"}',
        '{"username":{"$gt":""},"password":"pw"}',
      ]) {
        expect(extractFields(Buffer.from(text), JSON_TYPE, LOGIN, mode).ambiguous, `${mode} ${text}`).toBe(true);
      }
      expect(extractFields(Buffer.from('__proto__[username]=victim'), FORM, LOGIN, mode).ambiguous).toBe(true);
    }
  });

  it('reads JSON sent as text/plain or without a type, and in other charsets', () => {
    const json = '{"username":"Zoë","password":"pw"}';
    for (const type of [undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-json-stream']) {
      expect(extractFields(Buffer.from(json), type, LOGIN).values.username, String(type)).toBe('Zoë');
    }
    expect(
      extractFields(Buffer.from(json, 'utf16le'), 'application/json; charset=utf-16le', LOGIN).values.username,
    ).toBe('Zoë');
    expect(
      extractFields(Buffer.from(json, 'latin1'), 'application/json; charset=iso-8859-1', LOGIN).values.username,
    ).toBe('Zoë');
    expect(extractFields(Buffer.from(json), 'application/json; charset=utf-7', LOGIN).ambiguous).toBe(true);
  });

  it('never throws, and only ever returns strings, on any bytes and any content type', () => {
    const type = fc.oneof(
      fc.constantFrom(
        undefined,
        FORM,
        JSON_TYPE,
        'multipart/form-data; boundary=b',
        'multipart/form-data',
        'text/plain; charset=latin1',
      ),
      fc.string({ maxLength: 40 }),
    );
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      lone.map((s) => Buffer.from(s)),
      fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)),
      fc.constant(Buffer.from('--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n--b--')),
    );
    fc.assert(
      fc.property(bytes, type, fc.constantFrom(...MODES), (body, contentType, mode) => {
        const result = extractFields(body, contentType, { ...LOGIN, email: 'user.email', text: 'a.b.c' }, mode);
        for (const v of Object.values(result.values)) expect(typeof v).toBe('string');
        expect(result.error === null || typeof result.error === 'string').toBe(true);
        if (result.ambiguous) expect(result.error).not.toBeNull();
      }),
      { numRuns: 1_500 },
    );
  });

  it('reads a JSON document nested deeper than the stack would allow', () => {
    const depth = 100_000;
    const body = Buffer.from(`{"a":${'{"b":'.repeat(depth)}1${'}'.repeat(depth)},"username":"x","username":"y"}`);
    expect(extractFields(body, JSON_TYPE, LOGIN, 'first').values.username).toBe('x');
  });
});
