/**
 * The fields a flow declares (username, password, email…), read from a buffered request body.
 *
 * Contract: never throws; returns the values found and at most one error, the first met, as a
 * short phrase a finding can carry (`malformed JSON`, `repeated field "username"`). An error
 * does not always mean no values: see each case. Error texts never contain body content; a
 * media type is echoed only as a bounded token.
 *
 * Formats, chosen by the media type (case-insensitive, parameters ignored but charset):
 * - `application/x-www-form-urlencoded`: a field given more than once keeps its FIRST value and
 *   sets `repeated field "<name>"`. Frameworks disagree on which copy wins (first, last, an
 *   array), so an attacker can show us one username and the application another; policy gets
 *   the error to act on instead of a silent guess.
 * - `application/json` and any `+json` type: the top level must be an object. A dotted path
 *   (`user.email`) walks nested plain objects through own properties only, so `__proto__`,
 *   `constructor` and friends are never followed into prototypes (JSON.parse creates a
 *   `__proto__` key as plain data and never pollutes). Strings are taken as they are, numbers
 *   and booleans as their text, null as absent; an object or array where a value is expected
 *   is not extracted and sets `field "<name>" is not a value` (a login password of
 *   `{"$ne": null}` is a NoSQL injection probe). Known limit: a key repeated inside a JSON
 *   object is resolved by JSON.parse (last wins), undetected.
 * - `multipart/form-data`: not read yet; `unsupported content type multipart/form-data`.
 * - no content type, or another one (`text/plain` from sendBeacon, a client that forgot):
 *   sniffed, because an application that parses leniently must not give attackers a way
 *   around per-account counting by mislabelling the body. A body starting with `{` is read as
 *   JSON, one containing `=` as a form; else `unsupported content type <type>`.
 * - charset: UTF-8 by default; another charset TextDecoder knows (ISO-8859-1, windows-1252…) is
 *   decoded with it; an unknown one gives `unsupported charset "<label>"` and no values.
 */
import { TextDecoder } from 'node:util';
import type { FieldRole } from '../config/schema.js';

export type FieldSpec = Partial<Record<FieldRole, string>>;
export type FieldValues = Partial<Record<FieldRole, string>>;

export interface ExtractedFields {
  readonly values: FieldValues;
  readonly error: string | null;
}

/** Longest media type echoed in an error; longer ones are cut. */
const MAX_ECHOED_TYPE = 64;
const OPEN_BRACE = 123;
const BOM = 0xfeff;

export function extractFields(body: Buffer, contentType: string | undefined, fields: FieldSpec): ExtractedFields {
  const { mediaType, charset } = parseContentType(contentType);
  // null means UTF-8, the default and by far the common case.
  let decoder: TextDecoder | null = null;
  if (!isUtf8(charset)) {
    decoder = decoderFor(charset as string);
    if (decoder === null) return { values: {}, error: `unsupported charset "${echo(charset as string)}"` };
  }
  // In another charset, keep the bytes as Latin-1 characters (one per byte) until a field's
  // percent-escapes are resolved; only then can the charset decode them.
  const text = decoder === null ? utf8(body) : body.toString('latin1');
  const json = (): ExtractedFields => fromJson(decoder === null ? text : decoder.decode(body), fields);

  if (mediaType === 'application/x-www-form-urlencoded') return fromForm(text, decoder, fields);
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return json();
  if (mediaType === 'multipart/form-data') return { values: {}, error: 'unsupported content type multipart/form-data' };

  if (firstNonBlank(text) === OPEN_BRACE) return json();
  if (text.includes('=')) return fromForm(text, decoder, fields);
  if (text.length === 0) return { values: {}, error: null };
  return { values: {}, error: `unsupported content type ${mediaType === '' ? '(none)' : echo(mediaType)}` };
}

function parseContentType(contentType: string | undefined): { mediaType: string; charset: string | null } {
  if (contentType === undefined) return { mediaType: '', charset: null };
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (semicolon < 0) return { mediaType, charset: null };
  let charset: string | null = null;
  for (const parameter of contentType.slice(semicolon + 1).split(';')) {
    const eq = parameter.indexOf('=');
    if (eq < 0 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = parameter
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    break;
  }
  return { mediaType, charset };
}

/** Media types are attacker text: keep a bounded run of token characters. */
function echo(text: string): string {
  return text.slice(0, MAX_ECHOED_TYPE).replace(/[^\w.+/-]/g, '?');
}

function isUtf8(charset: string | null): boolean {
  return charset === null || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}

/** Decoders are built once per charset label; labels are bounded by what TextDecoder knows. */
const decoders = new Map<string, TextDecoder>();

function decoderFor(charset: string): TextDecoder | null {
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(charset);
    } catch {
      return null;
    }
    // Only labels TextDecoder accepts get here (a few hundred at most); the cap is a backstop.
    if (decoders.size < 256) decoders.set(charset, decoder);
  }
  return decoder;
}

function utf8(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c;
  }
  return -1;
}

function fromForm(text: string, decoder: TextDecoder | null, fields: FieldSpec): ExtractedFields {
  const params = decoder === null ? new URLSearchParams(text) : null;
  const values: FieldValues = {};
  let error: string | null = null;
  for (const [role, name] of entries(fields)) {
    const all = params !== null ? params.getAll(name) : getAllInCharset(text, name, decoder as TextDecoder);
    const first = all[0];
    if (first === undefined) continue;
    values[role] = first;
    if (all.length > 1) error ??= `repeated field "${name}"`;
  }
  return { values, error };
}

/**
 * URLSearchParams percent-decodes as UTF-8; a form declared in another charset is split and
 * decoded by hand: `+` is a space, `%XX` a byte, any other character (one Latin-1 character
 * per body byte) that byte.
 */
function getAllInCharset(bytes: string, name: string, decoder: TextDecoder): string[] {
  const found: string[] = [];
  for (const pair of bytes.split('&')) {
    const eq = pair.indexOf('=');
    if (formDecode(eq < 0 ? pair : pair.slice(0, eq), decoder) !== name) continue;
    found.push(eq < 0 ? '' : formDecode(pair.slice(eq + 1), decoder));
  }
  return found;
}

function formDecode(component: string, decoder: TextDecoder): string {
  const bytes = new Uint8Array(component.length);
  let n = 0;
  for (let i = 0; i < component.length; i++) {
    const c = component.charCodeAt(i);
    if (c === 43) {
      bytes[n++] = 32;
    } else if (c === 37 && i + 2 < component.length && isHex(component, i + 1) && isHex(component, i + 2)) {
      bytes[n++] = Number.parseInt(component.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = c;
    }
  }
  return decoder.decode(bytes.subarray(0, n));
}

function isHex(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function fromJson(text: string, fields: FieldSpec): ExtractedFields {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { values: {}, error: 'malformed JSON' };
  }
  if (!isPlainObject(document)) return { values: {}, error: 'JSON body is not an object' };
  const values: FieldValues = {};
  let error: string | null = null;
  for (const [role, path] of entries(fields)) {
    const found = walk(document, path);
    if (found === undefined || found === null) continue;
    if (typeof found === 'string') values[role] = found;
    else if (typeof found === 'number' || typeof found === 'boolean') values[role] = String(found);
    else error ??= `field "${path}" is not a value`;
  }
  return { values, error };
}

function walk(document: Record<string, unknown>, path: string): unknown {
  let node: unknown = document;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    const key = dot < 0 ? path.slice(start) : path.slice(start, dot);
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
    if (dot < 0) return node;
    start = dot + 1;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(fields: FieldSpec): [FieldRole, string][] {
  return Object.entries(fields).filter((e): e is [FieldRole, string] => typeof e[1] === 'string');
}
