/**
 * The request line as the upstream will read it: which flow a request belongs to when the
 * application's server may read its path another way than botgate's router does.
 *
 * Contract: a request is matched to the flow its path names under every common reading of that
 * path; when the readings name different flows, the request is refused as ambiguous (400) and
 * never forwarded. The target is forwarded exactly as sent, so an application that needs an
 * encoded character (`/files/a%2Fb`) still gets it, as long as no reading turns it into another
 * flow. The trade-off: a path no real client sends (`/./login`, `/api%2Flogin`, `/login;x=1`,
 * `/login.`) is refused even when this particular application would have routed it harmlessly,
 * because botgate cannot know which reading the application uses.
 *
 * The readings (the router itself already ignores case, duplicate and trailing slashes):
 * - `as sent`: find-my-way's own decoding (Fastify, the demo marketplace);
 * - `literal`: no decoding at all (Express and path-to-regexp match the encoded path);
 * - `canonical`: RFC 3986 §6.2.2: unreserved escapes decoded (`%6C` → `l`, `%2e` → `.`), dot
 *   segments removed (nginx, Go's path.Clean, most HTTP clients and CDNs);
 * - `decoded`: every escape decoded, `%2F` included, then dot segments removed (servers that
 *   decode the whole path before routing);
 * - `WHATWG`, for a target starting with `//`: an application calling `new URL(req.url, base)`
 *   reads `//evil/login` as host `evil` and path `/login`;
 * - `params`: `;params` cut from each segment as sent, then decoded (Tomcat, Jetty);
 * - `lenient`: the most forgiving server: decoded until stable (double encoding, IIS `%u006C`),
 *   `\` as `/`, cut at a decoded `?`, `#` or NUL, `;params` dropped from each segment (Tomcat,
 *   Spring, Jetty), trailing dots and spaces dropped from each segment (Windows), Unicode folded
 *   (NFKC, and `ı`, `ſ`, `K` to the ASCII letter whose case they share), slashes merged, then dot
 *   segments removed.
 *
 * Refused outright, whatever the flow: a fragment (`#` is not part of a request target, and
 * servers disagree on dropping it), a percent-encoded control character (`%00` truncates in C
 * servers, `%0D%0A` splits logs and headers), overlong or surrogate UTF-8 (`%C0%AF` is `/` to a
 * lenient decoder and garbage to a strict one), and HTTP versions other than 1.0 and 1.1 (Node
 * accepts `HTTP/0.9` without headers and `HTTP/2.0` in HTTP/1 syntax).
 *
 * Cost: a path with no `%`, `\`, `;`, no segment ending in `.` and no leading `//` (nearly every
 * request) is one scan and one router lookup; only the others pay for the readings (up to seven
 * lookups).
 */
import { type CompiledFlow, type CompiledPolicy, DEFAULT_FLOW_NAME } from '../config/compile.js';

export interface RoutedRequest {
  /**
   * The flow. For an ambiguous path, the flow a reading names other than the default one (so a
   * refused `/./login` is recorded as a login, and monitor mode judges it as one); for a path
   * refused outright, the default flow.
   */
  readonly flow: CompiledFlow;
  /** Why the request must be refused (400) without forwarding, or null. */
  readonly refusal: string | null;
}

const PERCENT = 37;
const SLASH = 47;
const BACKSLASH = 92;
const SEMICOLON = 59;
const DOT = 46;
const QUESTION = 63;
const HASH = 35;

/** Flow of a request, given its method, origin-form target and Host header. */
export function routeRequest(
  policy: CompiledPolicy,
  method: string,
  target: string,
  host: string | undefined,
): RoutedRequest {
  const routingHost = host === undefined ? undefined : hostForRouting(host);
  if (target.indexOf('#') >= 0) return refused(policy, 'a fragment (#) in the request target');
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (!needsReadings(path)) return { flow: policy.matchFlow(method, path, routingHost), refusal: null };

  const readings = pathReadings(path);
  if (typeof readings === 'string') return refused(policy, readings);
  const flow = policy.matchFlow(method, path, routingHost);
  for (const reading of readings) {
    const other = policy.matchFlow(method, reading, routingHost);
    if (other !== flow) {
      return {
        flow: flow.name === DEFAULT_FLOW_NAME ? other : flow,
        refusal: `an ambiguous path: read as "${flow.name}" or as "${other.name}" depending on the server`,
      };
    }
  }
  return { flow, refusal: null };
}

/** The HTTP versions botgate forwards; anything else is refused before routing. */
export function versionProblem(httpVersion: string): string | null {
  return httpVersion === '1.1' || httpVersion === '1.0' ? null : `HTTP version ${httpVersion.slice(0, 8)}`;
}

/**
 * The Host header as flows match it: lower-case, without port, without the trailing dot of a
 * fully qualified name (`www.example.com.` is the same site to DNS and to most virtual hosts).
 */
export function hostForRouting(host: string): string {
  let end = host.length;
  if (host.charCodeAt(0) !== 91 /* [ */) {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) end = colon;
  } else {
    const close = host.indexOf(']');
    if (close > 0) end = close + 1;
  }
  while (end > 1 && host.charCodeAt(end - 1) === DOT) end--;
  return (end === host.length ? host : host.slice(0, end)).toLowerCase();
}

/** Whether any reading could differ from the path as the router sees it. */
export function needsReadings(path: string): boolean {
  // `//host/path`: WHATWG URL parsing reads an authority there (see whatwgReading).
  if (path.charCodeAt(1) === SLASH) return true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === PERCENT || c === BACKSLASH || c === SEMICOLON) return true;
    // A segment ending in a dot: `.`, `..`, or `login.`.
    if (c === DOT && (i + 1 === path.length || path.charCodeAt(i + 1) === SLASH)) return true;
  }
  return false;
}

/**
 * Every reading of a path (see the file comment), each in a form the router takes literally, or
 * the reason to refuse the path whatever the flow. Exported for tests and the fuzz target.
 */
export function pathReadings(path: string): string[] | string {
  const problem = escapeProblem(path);
  if (problem !== null) return problem;
  const decoded = decodeAll(path);
  const readings = [
    literal(path),
    removeDotSegments(decodeUnreserved(path)),
    forRouter(removeDotSegments(decoded)),
    forRouter(lenient(decoded)),
    forRouter(removeDotSegments(decodeAll(withoutParams(path)))),
  ];
  const whatwg = whatwgReading(path);
  if (whatwg !== null) readings.push(whatwg);
  return readings;
}

const LEADING_SLASHES = /^\/+/;

/**
 * An application that parses the target with WHATWG URL against a base (`new URL(req.url,
 * base)`, common in Node) reads `//evil/login` as host `evil`, path `/login`, and `\` as `/`.
 * Only targets starting with two slashes (either kind) read differently from `lenient`; null
 * for the others.
 */
function whatwgReading(path: string): string | null {
  const slashes = path.slice(0, 2).replaceAll('\\', '/');
  if (slashes !== '//') return null;
  // Further slashes before the authority are skipped (WHATWG "special authority ignore slashes").
  const rest = path.slice(2).replaceAll('\\', '/').replace(LEADING_SLASHES, '');
  const end = firstOf(rest, '/', '?', '#');
  const after = end < 0 ? '/' : rest.slice(end);
  return forRouter(removeDotSegments(decodeAll(after.charCodeAt(0) === SLASH ? after : `/${after}`)));
}

function refused(policy: CompiledPolicy, refusal: string): RoutedRequest {
  // Refusals are rare: a lookup by name here costs nothing on the common path.
  const flow = policy.flows.find((f) => f.name === DEFAULT_FLOW_NAME) ?? policy.flows[policy.flows.length - 1]!;
  return { flow, refusal };
}

/** Refuses encoded controls and overlong or surrogate UTF-8, which no real client sends. */
function escapeProblem(path: string): string | null {
  for (let i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
    const byte = hexByte(path, i + 1);
    if (byte < 0) continue;
    if (byte < 0x20 || byte === 0x7f) return 'a percent-encoded control character in the path';
    if (byte === 0xc0 || byte === 0xc1) return 'overlong UTF-8 in the path';
    if (byte === 0xe0 || byte === 0xed || byte === 0xf0) {
      const next = path.charCodeAt(i + 3) === PERCENT ? hexByte(path, i + 4) : -1;
      if (next < 0) continue;
      if (byte === 0xe0 && next < 0xa0) return 'overlong UTF-8 in the path';
      if (byte === 0xf0 && next < 0x90) return 'overlong UTF-8 in the path';
      if (byte === 0xed && next >= 0xa0) return 'an encoded UTF-16 surrogate in the path';
    }
  }
  return null;
}

/** The byte `%XX` at `at` (pointing after the `%`) encodes, or -1. */
function hexByte(text: string, at: number): number {
  const hi = hexDigit(text.charCodeAt(at));
  const lo = hexDigit(text.charCodeAt(at + 1));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 65 && byte <= 90) ||
    (byte >= 97 && byte <= 122) ||
    (byte >= 48 && byte <= 57) ||
    byte === 45 ||
    byte === 46 ||
    byte === 95 ||
    byte === 126
  );
}

/** No decoding: every `%` made literal for the router (which would otherwise decode it). */
function literal(path: string): string {
  return path.replaceAll('%', '%25');
}

/** RFC 3986 normalisation: unreserved escapes decoded, others kept as they are. */
function decodeUnreserved(path: string): string {
  let out = '';
  let from = 0;
  for (let i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
    const byte = hexByte(path, i + 1);
    if (byte < 0 || !isUnreserved(byte)) continue;
    out += path.slice(from, i) + String.fromCharCode(byte);
    from = i + 3;
    i += 2;
  }
  return from === 0 ? path : out + path.slice(from);
}

const utf8 = new TextDecoder('utf-8');

/** Every `%XX` decoded as UTF-8 bytes (invalid sequences become U+FFFD); stray `%` kept. */
function decodeAll(text: string): string {
  if (text.indexOf('%') < 0) return text;
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(text, 'utf8'));
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const byte = c === PERCENT ? hexByte(text, i + 1) : -1;
    if (byte >= 0) {
      bytes[n++] = byte;
      i += 2;
    } else if (c < 0x80) {
      bytes[n++] = c;
    } else {
      // Non-ASCII only appears after a first decoding round (lenient); re-encode it as UTF-8.
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      n += bytes.write(text.slice(i, end), n, 'utf8');
      i = end - 1;
    }
  }
  return utf8.decode(bytes.subarray(0, n));
}

/** IIS's `%uXXXX` escapes, which only a lenient server decodes. */
const IIS_ESCAPE = /%u([0-9a-fA-F]{4})/g;
const MAX_DECODING_ROUNDS = 3;

function lenient(decodedOnce: string): string {
  let text = decodedOnce.replace(IIS_ESCAPE, fromIisEscape);
  for (let round = 1; round < MAX_DECODING_ROUNDS; round++) {
    const next = decodeAll(text);
    if (next === text) break;
    text = next.replace(IIS_ESCAPE, fromIisEscape);
  }
  // Folding first: NFKC turns a full-width solidus or full stop into `/` or `.`.
  text = foldUnicode(text).replaceAll('\\', '/');
  const cut = firstOf(text, '?', '#', '\u0000');
  if (cut >= 0) text = text.slice(0, cut);
  const segments = text.split('/');
  const kept: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    let segment = segments[i]!;
    const semicolon = segment.indexOf(';');
    if (semicolon >= 0) segment = segment.slice(0, semicolon);
    if (segment !== '.' && segment !== '..') segment = segment.replace(TRAILING_DOTS_AND_SPACES, '');
    // Slashes merged first, as nginx does, so `/a//../login` is `/login` here.
    if (segment === '' && i > 0 && i < segments.length - 1) continue;
    kept.push(segment);
  }
  return removeDotSegments(kept.join('/') || '/');
}

const TRAILING_DOTS_AND_SPACES = /[. ]+$/;

function fromIisEscape(_: string, hex: string): string {
  return String.fromCharCode(Number.parseInt(hex, 16));
}

/** Tomcat and Jetty: `;params` cut from each segment of the path as sent, before decoding. */
function withoutParams(path: string): string {
  if (path.indexOf(';') < 0) return path;
  return path
    .split('/')
    .map((segment) => {
      const semicolon = segment.indexOf(';');
      return semicolon < 0 ? segment : segment.slice(0, semicolon);
    })
    .join('/');
}

function firstOf(text: string, ...needles: string[]): number {
  let first = -1;
  for (const needle of needles) {
    const at = text.indexOf(needle);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

const NON_ASCII = /[\u0080-\uffff]/;
const isAscii = (text: string): boolean => text.length > 0 && !NON_ASCII.test(text);

/**
 * NFKC (full-width letters, ligatures), then each remaining non-ASCII character that shares its
 * case with ASCII letters (`ı` → `I`, `ſ` → `S`, Kelvin `K` → `k`) replaced by them: what a
 * case-insensitive comparison on upper- or lower-cased text, or a Windows best-fit conversion,
 * would see.
 */
function foldUnicode(segment: string): string {
  if (!NON_ASCII.test(segment)) return segment;
  let out = '';
  for (const ch of segment.normalize('NFKC')) {
    if (ch.charCodeAt(0) < 0x80) {
      out += ch;
      continue;
    }
    const upper = ch.toUpperCase();
    const lower = ch.toLowerCase();
    out += isAscii(upper) ? upper.toLowerCase() : isAscii(lower) ? lower : ch;
  }
  return out;
}

/** RFC 3986 §5.2.4 on an absolute path. */
export function removeDotSegments(path: string): string {
  if (path.indexOf('.') < 0) return path;
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part === '.' || part === '..') {
      if (part === '..') out.pop();
      if (last) out.push('');
    } else {
      out.push(part);
    }
  }
  return `/${out.join('/')}`;
}

/** A decoded path in a form the router matches literally: it decodes escapes and cuts at `?`/`#`. */
function forRouter(path: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c !== PERCENT && c !== QUESTION && c !== HASH) continue;
    out += `${path.slice(from, i)}%${c.toString(16).toUpperCase()}`;
    from = i + 1;
  }
  return from === 0 ? path : out + path.slice(from);
}
