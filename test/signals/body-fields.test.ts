import { describe, expect, it } from 'vitest';
import { extractFields, type FieldSpec } from '../../src/signals/body-fields.js';

const LOGIN: FieldSpec = { username: 'username', password: 'password' };
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('extractFields: forms', () => {
  it('reads the declared fields, percent- and plus-decoded', () => {
    expect(extractFields(body('username=alice%40example.com&password=p%C3%A4ss+word&remember=1'), FORM, LOGIN)).toEqual(
      {
        values: { username: 'alice@example.com', password: 'päss word' },
        error: null,
      },
    );
  });

  it('marks a repeated field ambiguous by default, or reads the copy the application reads', () => {
    const repeated = body('username=decoy&password=x&username=victim');
    expect(extractFields(repeated, FORM, LOGIN)).toEqual({
      values: { username: 'decoy', password: 'x' },
      error: 'repeated field "username"',
      ambiguous: true,
    });
    expect(extractFields(repeated, FORM, LOGIN, 'first')).toEqual({
      values: { username: 'decoy', password: 'x' },
      error: 'repeated field "username"',
    });
    expect(extractFields(repeated, FORM, LOGIN, 'last').values.username).toBe('victim');
  });

  it('reads literal names with dots and brackets as forms write them', () => {
    const spec: FieldSpec = { email: 'user.email', username: 'user[name]' };
    expect(extractFields(body('user.email=a%40b.c&user%5Bname%5D=bob'), FORM, spec).values).toEqual({
      email: 'a@b.c',
      username: 'bob',
    });
  });

  it('takes the media type case-insensitively, with parameters', () => {
    expect(
      extractFields(body('username=a'), 'Application/X-WWW-Form-URLEncoded; charset="UTF-8"', LOGIN).values,
    ).toEqual({ username: 'a' });
  });

  it('decodes a form declared in another charset', () => {
    // "é" is 0xE9 in ISO-8859-1, percent-encoded by the client; a raw 0xE8 byte is "è".
    const latin1 = Buffer.concat([Buffer.from('username=%E9t%E9&password=cr'), Buffer.from([0xe8]), Buffer.from('me')]);
    expect(extractFields(latin1, `${FORM}; charset=ISO-8859-1`, LOGIN)).toEqual({
      values: { username: 'été', password: 'crème' },
      error: null,
    });
    expect(extractFields(body('username=a&username=b'), `${FORM}; charset=windows-1252`, LOGIN).error).toBe(
      'repeated field "username"',
    );
  });

  it('refuses an unknown charset', () => {
    expect(extractFields(body('username=a'), `${FORM}; charset=klingon-8`, LOGIN)).toEqual({
      values: {},
      error: 'unsupported charset "klingon-8"',
      ambiguous: true,
    });
  });

  it('returns nothing for an empty body, and missing fields stay absent', () => {
    expect(extractFields(Buffer.alloc(0), FORM, LOGIN)).toEqual({ values: {}, error: null });
    expect(extractFields(body('other=1'), FORM, LOGIN)).toEqual({ values: {}, error: null });
    expect(extractFields(body('username='), FORM, LOGIN)).toEqual({ values: { username: '' }, error: null });
  });
});

describe('extractFields: JSON', () => {
  it('reads top-level and nested fields by dotted path', () => {
    const json = body('{"user":{"email":"a@b.c","profile":{"name":"Bob"}},"password":"pw"}');
    const spec: FieldSpec = { email: 'user.email', username: 'user.profile.name', password: 'password' };
    expect(extractFields(json, JSON_TYPE, spec)).toEqual({
      values: { email: 'a@b.c', username: 'Bob', password: 'pw' },
      error: null,
    });
  });

  it('accepts +json types and a UTF-8 BOM', () => {
    expect(extractFields(body('\uFEFF{"username":"a"}'), 'application/vnd.api+json', LOGIN).values).toEqual({
      username: 'a',
    });
  });

  it('stringifies numbers and booleans, treats null as absent', () => {
    expect(
      extractFields(body('{"username":12345,"password":true,"email":null}'), JSON_TYPE, { ...LOGIN, email: 'email' }),
    ).toEqual({
      values: { username: '12345', password: 'true' },
      error: null,
    });
  });

  it('does not extract objects or arrays, and marks them ambiguous (NoSQL injection probes)', () => {
    expect(extractFields(body('{"username":"admin","password":{"$ne":null}}'), JSON_TYPE, LOGIN)).toEqual({
      values: { username: 'admin' },
      error: 'field "password" is not a value',
      ambiguous: true,
    });
    expect(extractFields(body('{"username":["a","b"]}'), JSON_TYPE, LOGIN).values).toEqual({});
  });

  it('never follows __proto__ or inherited properties, and never pollutes', () => {
    const hostile = body(
      '{"__proto__":{"username":"evil","polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    // A merge into an object would read fields from a prototype botgate never sees: refused.
    expect(extractFields(hostile, JSON_TYPE, LOGIN)).toEqual({
      values: {},
      error: 'a __proto__ or constructor.prototype key',
      ambiguous: true,
    });
    expect(extractFields(body('{}'), JSON_TYPE, { username: 'constructor.name', password: 'toString' }).values).toEqual(
      {},
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('username');
  });

  it('does not walk into arrays', () => {
    expect(extractFields(body('{"users":[{"email":"a@b.c"}]}'), JSON_TYPE, { email: 'users.0.email' }).values).toEqual(
      {},
    );
  });

  it('reports malformed JSON with no values', () => {
    expect(extractFields(body('{"username":"a",'), JSON_TYPE, LOGIN)).toEqual({ values: {}, error: 'malformed JSON' });
    expect(extractFields(body(''), JSON_TYPE, LOGIN)).toEqual({ values: {}, error: 'malformed JSON' });
    expect(extractFields(body('username=a'), JSON_TYPE, LOGIN)).toEqual({ values: {}, error: 'malformed JSON' });
  });

  it('requires an object at the top', () => {
    expect(extractFields(body('["a"]'), JSON_TYPE, LOGIN)).toEqual({ values: {}, error: 'JSON body is not an object' });
    expect(extractFields(body('"a"'), JSON_TYPE, LOGIN).error).toBe('JSON body is not an object');
  });

  it('survives deep nesting', () => {
    const deep = body(`{"a":${'['.repeat(50_000)}${']'.repeat(50_000)},"username":"x"}`);
    expect(extractFields(deep, JSON_TYPE, LOGIN)).toEqual({ values: { username: 'x' }, error: null });
  });
});

describe('extractFields: other content types', () => {
  it('reads multipart text parts and reports a truncated multipart body', () => {
    const multipart = body(
      '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n' +
        '--x\r\nContent-Disposition: form-data; name="password"\r\n\r\npw\r\n--x--\r\n',
    );
    expect(extractFields(multipart, 'multipart/form-data; boundary=x', LOGIN)).toEqual({
      values: { username: 'alice', password: 'pw' },
      error: null,
    });
    expect(extractFields(body('--x\r\n'), 'multipart/form-data; boundary=x', LOGIN)).toEqual({
      values: {},
      error: 'malformed multipart',
    });
  });

  it('sniffs a body sent without a content type or with a wrong one', () => {
    expect(extractFields(body('  {"username":"a"}'), undefined, LOGIN)).toEqual({
      values: { username: 'a' },
      error: null,
    });
    expect(extractFields(body('{"username":"a"}'), 'text/plain;charset=UTF-8', LOGIN)).toEqual({
      values: { username: 'a' },
      error: null,
    });
    expect(extractFields(body('username=a&password=b'), 'text/plain', LOGIN)).toEqual({
      values: { username: 'a', password: 'b' },
      error: null,
    });
    expect(extractFields(body('{oops'), undefined, LOGIN)).toEqual({ values: {}, error: 'malformed JSON' });
  });

  it('names an unreadable type, bounded and cleaned', () => {
    expect(extractFields(body('hello'), 'text/plain', LOGIN)).toEqual({
      values: {},
      error: 'unsupported content type text/plain',
    });
    expect(extractFields(body('hello'), undefined, LOGIN).error).toBe('unsupported content type (none)');
    const weird = `x/${'y'.repeat(5_000)}<script>"`;
    const error = extractFields(body('hello'), weird, LOGIN).error as string;
    expect(error.length).toBeLessThan(120);
    expect(error).not.toContain('<');
    expect(extractFields(body('hello'), ';;;', LOGIN).error).toBe('unsupported content type (none)');
  });

  it('never throws on arbitrary bytes and types', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x3d, 0x26, 0x25]);
    for (const type of [
      undefined,
      '',
      FORM,
      JSON_TYPE,
      'multipart/form-data',
      'a/b; charset=utf-16le',
      'a/b; charset=',
    ]) {
      expect(() => extractFields(bytes, type, LOGIN)).not.toThrow();
    }
  });
});
