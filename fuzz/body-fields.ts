/**
 * Fuzz target: field extraction (src/signals/body-fields.ts) on any bytes, any content type,
 * every duplicates mode, with JSON documents grown to carry repeated and escaped keys.
 *
 * Invariants: never throws; values are strings; an ambiguous body names its error; on a JSON
 * object without repeated keys on the field paths and without prototype keys, the `last`
 * reading equals JSON.parse's; on a form without copies, the value equals URLSearchParams.get.
 */
import fc from 'fast-check';
import { extractFields, type FieldSpec } from '../src/signals/body-fields.js';
import type { FuzzTarget } from './target.js';

const SPEC: FieldSpec = { username: 'username', password: 'password', email: 'user.email', text: 'a.b.c' };
const KEYS = [
  'username',
  'password',
  'user',
  'email',
  'a',
  'b',
  'c',
  '__proto__',
  'constructor',
  'prototype',
  'user\\u006eame',
  'x',
];

/** JSON text written by hand, so that keys can repeat and be escaped. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string().map((s) => JSON.stringify(s)),
    fc.integer().map(String),
    fc.constantFrom('true', 'false', 'null', '[]', '[1,"a",{}]'),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 5 })
    .map((entries) => `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
})).object;

const formText = fc
  .array(
    fc.tuple(fc.constantFrom('username', 'password', 'username[]', 'user.name', 'x', '__proto__[a]'), fc.string()),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=b',
    'application/json; charset=utf-16le',
    'application/x-www-form-urlencoded; charset=windows-1252',
  ),
  fc.string({ maxLength: 60 }),
);

const body = fc.oneof(
  jsonText.map((t) => ({ text: t, kind: 'json' as const })),
  formText.map((t) => ({ text: t, kind: 'form' as const })),
  fc.uint8Array({ maxLength: 300 }).map((a) => ({ text: Buffer.from(a).toString('latin1'), kind: 'bytes' as const })),
);

function walk(doc: unknown, path: string): unknown {
  let node = doc;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function bodyFieldsTarget(): FuzzTarget {
  return {
    batch: 500,
    property: fc.property(
      body,
      contentType,
      fc.constantFrom('first', 'last', 'reject' as const),
      ({ text, kind }, type, mode) => {
        const bytes = Buffer.from(text, kind === 'bytes' ? 'latin1' : 'utf8');
        const result = extractFields(bytes, type, SPEC, mode);
        for (const v of Object.values(result.values))
          if (typeof v !== 'string') throw new Error(`a value is a ${typeof v}`);
        if (result.ambiguous && result.error === null) throw new Error('ambiguous without an error');

        if (
          kind === 'json' &&
          type === 'application/json' &&
          mode === 'last' &&
          !result.ambiguous &&
          result.error === null
        ) {
          const doc = JSON.parse(text) as unknown;
          for (const [role, path] of Object.entries(SPEC)) {
            const expected = walk(doc, path);
            const got = result.values[role as keyof typeof result.values];
            const want =
              typeof expected === 'string'
                ? expected
                : typeof expected === 'number' || typeof expected === 'boolean'
                  ? String(expected)
                  : undefined;
            if (got !== want)
              throw new Error(`${role}: extracted ${JSON.stringify(got)}, JSON.parse reads ${JSON.stringify(want)}`);
          }
        }
        if (
          kind === 'form' &&
          type === 'application/x-www-form-urlencoded' &&
          result.error === null &&
          !result.ambiguous
        ) {
          const params = new URLSearchParams(text);
          const want = params.get('username') ?? undefined;
          if (result.values.username !== want)
            throw new Error(`username: extracted ${result.values.username}, URLSearchParams reads ${want}`);
        }
      },
    ),
  };
}
