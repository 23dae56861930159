/**
 * The fields a flow declares (username, password, email…), read from a buffered request body,
 * as the application will read them.
 *
 * Contract: never throws; returns the values found, at most one error (the first met) as a short
 * phrase a finding can carry (`malformed JSON`, `repeated field "username"`), and `ambiguous`
 * when the application could read a declared field otherwise than botgate did. An ambiguous body
 * is refused by the gateway (400, never forwarded): judging one copy of a username while the
 * application logs in another would let an attacker walk around every per-account counter.
 * Error texts never contain body content; a media type is echoed only as a bounded token.
 *
 * A declared field sent more than once, per `duplicates` (the flow's `bodyParser.duplicates`):
 * `first` judges the first copy (URLSearchParams.get, Go's FormValue, Flask), `last` the last
 * (PHP, JSON.parse, most JSON libraries), `reject` (the default) marks the body ambiguous. Copies
 * are: a repeated form or multipart field, a bracketed variant (`username[]`, `username[0]`,
 * which `qs`-style parsers turn into an array of the same field), and a JSON key given twice in
 * any object on the field's path (`{"user":{…},"user":{…}}` counts for `user.email`). In every
 * mode the error is set, so policy can still act on `body.malformed`.
 *
 * Ambiguous whatever the mode: a JSON `__proto__` key anywhere, or `prototype` inside
 * `constructor` (a merge into an object would read fields from the prototype botgate never
 * sees), a `__proto__` form field name, a declared field whose value is an object or an array
 * (`{"password":{"$ne":null}}`: an application may coerce it to a string or pass it to a query),
 * and a charset botgate cannot decode.
 *
 * Formats, chosen by the media type (case-insensitive; parameters ignored but charset and boundary):
 * - `application/x-www-form-urlencoded`.
 * - `application/json` and any `+json` type: the top level must be an object. A dotted path
 *   (`user.email`) walks nested plain objects through own properties only. Strings are taken as
 *   they are, numbers and booleans as their text, null as absent.
 * - `multipart/form-data` (what `fetch` sends for a FormData): text parts by name; parts with a
 *   filename are files and never fields.
 * - no content type, or another one (`text/plain` from sendBeacon, a client that forgot):
 *   sniffed, because an application that parses leniently must not give attackers a way
 *   around per-account counting by mislabelling the body. A body starting with `{` is read as
 *   JSON, one containing `=` as a form; else `unsupported content type <type>`.
 * - charset: UTF-8 by default; another charset TextDecoder knows (ISO-8859-1, windows-1252…) is
 *   decoded with it; an unknown one gives `unsupported charset "<label>"`, no values, ambiguous.
 * Compressed bodies are opened before they come here (gateway/request-body.ts, decodedBody).
 */
import { TextDecoder } from 'node:util';
import type { FieldRole } from '../config/schema.js';

export type FieldSpec = Partial<Record<FieldRole, string>>;
export type FieldValues = Partial<Record<FieldRole, string>>;
/** How the application reads a declared field sent more than once. */
export type DuplicateFields = 'first' | 'last' | 'reject';

export interface ExtractedFields {
  readonly values: FieldValues;
  readonly error: string | null;
  /** Present when the application could read a declared field otherwise: refuse, do not judge. */
  readonly ambiguous?: true;
}

/** Longest media type echoed in an error; longer ones are cut. */
const MAX_ECHOED_TYPE = 64;
const OPEN_BRACE = 123;
const BOM = 0xfeff;

export function extractFields(
  body: Buffer,
  contentType: string | undefined,
  fields: FieldSpec,
  duplicates: DuplicateFields = 'reject',
): ExtractedFields {
  const { mediaType, charset, boundary } = parseContentType(contentType);
  // null means UTF-8, the default and by far the common case.
  let decoder: TextDecoder | null = null;
  if (!isUtf8(charset)) {
    decoder = decoderFor(charset as string);
    if (decoder === null)
      return { values: {}, error: `unsupported charset "${echo(charset as string)}"`, ambiguous: true };
  }
  // In another charset, keep the bytes as Latin-1 characters (one per byte) until a field's
  // percent-escapes are resolved; only then can the charset decode them.
  const text = decoder === null ? utf8(body) : body.toString('latin1');
  const json = (): ExtractedFields => fromJson(decoder === null ? text : decoder.decode(body), fields, duplicates);
  const form = (): ExtractedFields => fromPairs(formPairs(text, decoder), fields, duplicates);

  if (mediaType === 'application/x-www-form-urlencoded') return form();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return json();
  if (mediaType === 'multipart/form-data') {
    const pairs = multipartPairs(body, boundary, decoder ?? UTF8);
    return typeof pairs === 'string' ? { values: {}, error: pairs } : fromPairs(pairs, fields, duplicates);
  }

  if (firstNonBlank(text) === OPEN_BRACE) return json();
  if (text.includes('=')) return form();
  if (text.length === 0) return { values: {}, error: null };
  return { values: {}, error: `unsupported content type ${mediaType === '' ? '(none)' : echo(mediaType)}` };
}

interface ContentType {
  readonly mediaType: string;
  readonly charset: string | null;
  readonly boundary: string | null;
}

function parseContentType(contentType: string | undefined): ContentType {
  if (contentType === undefined) return { mediaType: '', charset: null, boundary: null };
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (semicolon < 0) return { mediaType, charset: null, boundary: null };
  let charset: string | null = null;
  let boundary: string | null = null;
  for (const parameter of contentType.slice(semicolon + 1).split(';')) {
    const eq = parameter.indexOf('=');
    if (eq < 0) continue;
    const name = parameter.slice(0, eq).trim().toLowerCase();
    const value = parameter
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name === 'charset' && charset === null) charset = value.toLowerCase();
    else if (name === 'boundary' && boundary === null) boundary = value;
  }
  return { mediaType, charset, boundary };
}

/** Media types are attacker text: keep a bounded run of token characters. */
function echo(text: string): string {
  return text.slice(0, MAX_ECHOED_TYPE).replace(/[^\w.+/-]/g, '?');
}

function isUtf8(charset: string | null): boolean {
  return charset === null || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}

const UTF8 = new TextDecoder('utf-8');
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

// ---------------------------------------------------------------------------------------------
// Forms and multipart: a list of (name, value) pairs, then one rule for copies.

type Pair = readonly [string, string];

/** Form pairs, UTF-8 through URLSearchParams, another charset by hand (see formDecode). */
function formPairs(text: string, decoder: TextDecoder | null): Iterable<Pair> {
  if (decoder === null) return new URLSearchParams(text);
  const pairs: Pair[] = [];
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    pairs.push([
      formDecode(eq < 0 ? pair : pair.slice(0, eq), decoder),
      eq < 0 ? '' : formDecode(pair.slice(eq + 1), decoder),
    ]);
  }
  return pairs;
}

function fromPairs(pairs: Iterable<Pair>, fields: FieldSpec, duplicates: DuplicateFields): ExtractedFields {
  const wanted = entries(fields);
  const copies: (string[] | undefined)[] = [];
  const variants: (string | undefined)[] = [];
  for (const [name, value] of pairs) {
    if (name.includes('__proto__')) return { values: {}, error: 'a __proto__ field name', ambiguous: true };
    for (let w = 0; w < wanted.length; w++) {
      const declared = wanted[w]![1];
      if (name !== declared) {
        if (!isVariant(name, declared)) continue;
        variants[w] ??= name;
      }
      const found = copies[w];
      if (found === undefined) copies[w] = [value];
      else found.push(value);
    }
  }
  const values: FieldValues = {};
  let error: string | null = null;
  let ambiguous = false;
  for (let w = 0; w < wanted.length; w++) {
    const found = copies[w];
    if (found === undefined) continue;
    const [role, name] = wanted[w]!;
    const variant = variants[w];
    if (found.length > 1 || variant !== undefined) {
      error ??= found.length > 1 ? `repeated field "${name}"` : `field "${name}" sent as "${echo(variant as string)}"`;
      if (duplicates === 'reject') ambiguous = true;
    }
    values[role] = (duplicates === 'last' ? found[found.length - 1] : found[0]) as string;
  }
  return ambiguous ? { values, error, ambiguous } : { values, error };
}

/**
 * Another name an application reads as the declared one: `name[]` or `name[key]` (qs, PHP and
 * Rails make an array or a map of the same field), and, for a declared name with underscores,
 * the same name with spaces, dots or a bracket where they are (PHP turns those into `_`).
 */
function isVariant(name: string, declared: string): boolean {
  if (name.length > declared.length)
    return name.startsWith(declared) && name.charCodeAt(declared.length) === 91; /* [ */
  if (name.length !== declared.length || declared.indexOf('_') < 0) return false;
  return name.replace(PHP_UNDERSCORED, '_') === declared;
}

const PHP_UNDERSCORED = /[ .[]/g;

/**
 * URLSearchParams percent-decodes as UTF-8; a form declared in another charset is split and
 * decoded by hand: `+` is a space, `%XX` a byte, any other character (one Latin-1 character
 * per body byte) that byte.
 */
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

const CRLF = '\r\n';
const HEADERS_END = '\r\n\r\n';
const DISPOSITION_NAME = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i;
const DISPOSITION_FILENAME = /;\s*filename\*?\s*=/i;

/**
 * The text parts of a multipart/form-data body (RFC 7578), or an error phrase. Strict framing
 * (CRLF, a closing delimiter): a body that a strict parser (busboy) would refuse is malformed,
 * and the application refuses it too.
 */
function multipartPairs(body: Buffer, boundary: string | null, decoder: TextDecoder): Pair[] | string {
  if (boundary === null || boundary.length === 0 || boundary.length > 200) return 'multipart without a boundary';
  // One Latin-1 character per byte: indexes into this string are byte offsets into the body.
  const raw = body.toString('latin1');
  const delimiter = `--${boundary}`;
  let at = raw.startsWith(delimiter) ? 0 : raw.indexOf(CRLF + delimiter);
  if (at < 0) return 'malformed multipart';
  if (at > 0) at += 2;
  const pairs: Pair[] = [];
  for (;;) {
    const after = at + delimiter.length;
    if (raw.startsWith('--', after)) return pairs;
    if (!raw.startsWith(CRLF, after)) return 'malformed multipart';
    const headersStart = after + 2;
    let headers = '';
    let valueStart: number;
    if (raw.startsWith(CRLF, headersStart)) {
      valueStart = headersStart + 2;
    } else {
      const headersEnd = raw.indexOf(HEADERS_END, headersStart);
      if (headersEnd < 0) return 'malformed multipart';
      headers = raw.slice(headersStart, headersEnd);
      valueStart = headersEnd + 4;
    }
    const next = raw.indexOf(CRLF + delimiter, valueStart);
    if (next < 0) return 'malformed multipart';
    const name = partName(headers);
    if (name !== null) pairs.push([name, decoder.decode(body.subarray(valueStart, next))]);
    at = next + 2;
  }
}

/** The field name of a part, or null for a file or a part without a form-data disposition. */
function partName(headers: string): string | null {
  for (const line of headers.split(CRLF)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const value = line.slice(colon + 1);
    if (DISPOSITION_FILENAME.test(value)) return null;
    const m = DISPOSITION_NAME.exec(value);
    if (m === null) return null;
    const latin1 = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string);
    // Names are UTF-8 on the wire (HTML's form encoding); the body was read as Latin-1.
    return Buffer.from(latin1, 'latin1').toString('utf8');
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// JSON: JSON.parse for the values (last copy wins, as in nearly every application), and one
// scan of the text for what JSON.parse hides: keys given twice, the first copy's value, and
// prototype keys.

function fromJson(text: string, fields: FieldSpec, duplicates: DuplicateFields): ExtractedFields {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { values: {}, error: 'malformed JSON' };
  }
  if (!isPlainObject(document)) return { values: {}, error: 'JSON body is not an object' };
  const wanted = entries(fields);
  const scan = scanJson(
    text,
    wanted.map(([, path]) => path.split('.')),
  );
  if (scan.prototypeKey) return { values: {}, error: 'a __proto__ or constructor.prototype key', ambiguous: true };

  const values: FieldValues = {};
  let error: string | null = null;
  let ambiguous = false;
  for (let w = 0; w < wanted.length; w++) {
    const [role, path] = wanted[w]!;
    const repeated = scan.repeated[w] === true;
    if (repeated) {
      error ??= `repeated field "${path}"`;
      if (duplicates === 'reject') ambiguous = true;
    }
    const span = scan.firstSpan[w];
    const found =
      repeated && duplicates === 'first'
        ? span === undefined
          ? undefined
          : JSON.parse(text.slice(span[0], span[1]))
        : walk(document, path);
    if (found === undefined || found === null) continue;
    if (typeof found === 'string') values[role] = found;
    else if (typeof found === 'number' || typeof found === 'boolean') values[role] = String(found);
    else {
      error ??= `field "${path}" is not a value`;
      ambiguous = true;
    }
  }
  return ambiguous ? { values, error, ambiguous } : { values, error };
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

interface JsonScan {
  /** Per declared path: a key on it was given twice in one object. */
  readonly repeated: (true | undefined)[];
  /** Per declared path: [start, end) of its value, following the first copy of every key. */
  readonly firstSpan: ([number, number] | undefined)[];
  readonly prototypeKey: boolean;
}

/**
 * A container on the first-copy chain of some declared paths, at `depth` segments in: an object
 * those paths go through, or the value (object or array) a path ends at.
 */
interface TrackedContainer {
  readonly object: boolean;
  readonly paths: readonly number[];
  readonly depth: number;
  readonly seen: Set<string>;
  readonly underConstructor: boolean;
  /** Paths whose value is this object, to close their span when it ends. */
  readonly spanOf: readonly number[];
  readonly start: number;
}

/** Untracked containers are numbers on the stack (no allocation): arrays, objects, objects under `constructor`. */
const ARRAY = 0;
const OBJECT = 1;
const OBJECT_UNDER_CONSTRUCTOR = 2;
type Frame = TrackedContainer | typeof ARRAY | typeof OBJECT | typeof OBJECT_UNDER_CONSTRUCTOR;

const NO_PATHS: readonly number[] = [];

/**
 * One pass over text JSON.parse has accepted (so it is well formed), iterative so that deep
 * nesting costs heap, not stack. Keys are compared decoded (`"user\u006eame"` is `username`).
 */
function scanJson(text: string, paths: readonly (readonly string[])[]): JsonScan {
  const repeated: (true | undefined)[] = [];
  const firstSpan: ([number, number] | undefined)[] = [];
  const stack: Frame[] = [];
  let prototypeKey = false;
  // What the next value is for: the paths it continues (if an object) and the paths it ends.
  let nextPaths: readonly number[] = NO_PATHS;
  let nextSpans: readonly number[] = NO_PATHS;
  let nextDepth = 0;
  let nextUnderConstructor = false;
  let expectKey = false;
  let i = 0;
  const root = paths.map((_, p) => p);
  let first = true;

  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 58 /* : */ || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 44 /* , */) {
      expectKey = isObject(stack[stack.length - 1]);
      i++;
      continue;
    }
    if (c === 123 /* { */) {
      if (first) {
        stack.push({
          object: true,
          paths: root,
          depth: 0,
          seen: new Set(),
          underConstructor: false,
          spanOf: NO_PATHS,
          start: i,
        });
      } else if (nextPaths.length > 0 || nextSpans.length > 0) {
        stack.push({
          object: true,
          paths: nextPaths,
          depth: nextDepth,
          seen: new Set(),
          underConstructor: nextUnderConstructor,
          spanOf: nextSpans,
          start: i,
        });
      } else {
        stack.push(nextUnderConstructor ? OBJECT_UNDER_CONSTRUCTOR : OBJECT);
      }
      first = false;
      nextPaths = NO_PATHS;
      nextSpans = NO_PATHS;
      expectKey = true;
      i++;
      continue;
    }
    if (c === 91 /* [ */) {
      // Arrays are never walked into: a span for a path ending here is closed when it ends.
      stack.push(
        nextSpans.length > 0
          ? {
              object: false,
              paths: NO_PATHS,
              depth: 0,
              seen: NO_KEYS,
              underConstructor: false,
              spanOf: nextSpans,
              start: i,
            }
          : ARRAY,
      );
      nextUnderConstructor = false;
      nextPaths = NO_PATHS;
      nextSpans = NO_PATHS;
      expectKey = false;
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      const frame = stack.pop();
      if (typeof frame === 'object') for (const p of frame.spanOf) firstSpan[p] ??= [frame.start, i + 1];
      expectKey = false;
      i++;
      continue;
    }
    const start = i;
    let end: number;
    let hasEscape = false;
    if (c === 34 /* " */) {
      end = i + 1;
      for (;;) {
        const d = text.charCodeAt(end);
        if (d === 92 /* \ */) {
          hasEscape = true;
          end += 2;
        } else if (d === 34 || Number.isNaN(d)) {
          end++;
          break;
        } else {
          end++;
        }
      }
    } else {
      end = i + 1;
      while (end < text.length && !isDelimiter(text.charCodeAt(end))) end++;
    }
    i = end;
    if (expectKey) {
      expectKey = false;
      const key = hasEscape ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1);
      const frame = stack[stack.length - 1]!;
      const underConstructor =
        frame === OBJECT_UNDER_CONSTRUCTOR || (typeof frame === 'object' && frame.underConstructor);
      if (key === '__proto__' || (key === 'prototype' && underConstructor)) prototypeKey = true;
      nextUnderConstructor = key === 'constructor';
      nextPaths = NO_PATHS;
      nextSpans = NO_PATHS;
      if (typeof frame !== 'object' || frame.paths.length === 0) continue;
      const on: number[] = [];
      for (const p of frame.paths) if (paths[p]![frame.depth] === key) on.push(p);
      if (on.length === 0) continue;
      if (frame.seen.has(key)) {
        for (const p of on) repeated[p] = true;
        continue;
      }
      frame.seen.add(key);
      const ending = on.filter((p) => paths[p]!.length === frame.depth + 1);
      nextSpans = ending.length > 0 ? ending : NO_PATHS;
      nextPaths = ending.length === on.length ? NO_PATHS : on.filter((p) => paths[p]!.length > frame.depth + 1);
      nextDepth = frame.depth + 1;
      continue;
    }
    // A scalar value: close the spans it ends.
    for (const p of nextSpans) firstSpan[p] ??= [start, end];
    nextUnderConstructor = false;
    nextPaths = NO_PATHS;
    nextSpans = NO_PATHS;
  }
  return { repeated, firstSpan, prototypeKey };
}

const NO_KEYS: Set<string> = new Set();

function isObject(frame: Frame | undefined): boolean {
  return frame === OBJECT || frame === OBJECT_UNDER_CONSTRUCTOR || (typeof frame === 'object' && frame.object);
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 32 || c === 9 || c === 10 || c === 13;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(fields: FieldSpec): [FieldRole, string][] {
  return Object.entries(fields).filter((e): e is [FieldRole, string] => typeof e[1] === 'string');
}
