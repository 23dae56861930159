/**
 * A short, stable hash of how a client stack writes its request head: which headers it sends,
 * in which order, with which casing, and the few values that belong to the stack rather than
 * to the request. HTTP/1 casing and order are decided by the HTTP library (`User-Agent` from
 * curl, `user-agent` from undici, `sec-ch-ua` lower-case among capitalised names from Chrome),
 * so a script that copies Chrome's User-Agent keeps its own fingerprint.
 *
 * The User-Agent value is deliberately left out: it is a claim classified on its own, and a bot
 * rotating User-Agents should keep one fingerprint. What counts, header by header:
 * - value: `accept`, `accept-encoding`, `connection`, `te`, `sec-ch-ua-mobile`,
 *   `sec-ch-ua-platform`: fixed by the stack (and device), the same on every page.
 * - `accept-language`: presence and the first language's primary subtag only (`en`). The full
 *   list is a per-user preference; hashing it would split one browser build into thousands of
 *   keys and let a bot mint a new fingerprint by editing a q-value.
 * - `sec-ch-ua`: presence and which known brands it names (Chromium, Google Chrome, Edge,
 *   Opera, Brave…), without versions or the GREASE brand, which change every release.
 * - name only (order and casing): everything else, including host, user-agent, sec-fetch-site,
 *   -mode and -dest (sent on every request in secure contexts, values vary per request), and
 *   headers we do not know (a tool's own `X-Foo` is a strong marker).
 * - skipped entirely: headers whose presence depends on the request or the visit rather than the
 *   stack (cookie, referer, origin, content-*, cache validators, authorization,
 *   upgrade-insecure-requests and sec-fetch-user on navigations only), and headers our own
 *   infrastructure adds (x-forwarded-*, forwarded, via, CDN and tracing headers, x-botgate-*).
 *
 * So two pages from one browser share a fingerprint, and so do its page loads and its form
 * posts. Behind a proxy that rewrites the head (HTTP/2 to HTTP/1 at a load balancer), casing and
 * order reflect that proxy for every client; the values and the set still tell stacks apart.
 *
 * The hash: each token (a header name with its casing, a value) becomes a 32-bit FNV-1a hash
 * taken over 32-bit lanes (two UTF-16 units a step), and the sequence of tokens is folded into
 * two 32-bit lanes with different multipliers and a murmur3 finaliser: 48 bits shown as 12 hex
 * characters. Not a secret, just a key that should not collide among the fingerprints one
 * deployment sees. Token hashes are remembered in bounded maps (cleared when full): names and
 * stack values repeat on every request, and a Map lookup, whose string hashing V8 does
 * natively, costs a fraction of hashing the characters in JavaScript.
 */

const SKIP = 0;
const NAME = 1;
const VALUE = 2;
const LANGUAGE = 3;
const BRANDS = 4;
type Role = typeof SKIP | typeof NAME | typeof VALUE | typeof LANGUAGE | typeof BRANDS;

const ROLES: ReadonlyMap<string, Role> = new Map<string, Role>([
  ['accept', VALUE],
  ['accept-encoding', VALUE],
  ['connection', VALUE],
  ['te', VALUE],
  ['sec-ch-ua-mobile', VALUE],
  ['sec-ch-ua-platform', VALUE],
  ['accept-language', LANGUAGE],
  ['sec-ch-ua', BRANDS],
  // Per request or per visit.
  ...[
    'cookie',
    'referer',
    'origin',
    'content-length',
    'content-type',
    'content-encoding',
    'transfer-encoding',
    'expect',
    'upgrade',
    'cache-control',
    'pragma',
    'if-none-match',
    'if-modified-since',
    'if-match',
    'if-unmodified-since',
    'if-range',
    'range',
    'authorization',
    'proxy-authorization',
    'upgrade-insecure-requests',
    'sec-fetch-user',
    'sec-purpose',
    'purpose',
    'x-requested-with',
    'x-csrf-token',
    'x-xsrf-token',
  ].map((name) => [name, SKIP] as const),
  // Added by proxies, load balancers, CDNs and tracing in front of botgate.
  ...[
    'forwarded',
    'via',
    'x-real-ip',
    'true-client-ip',
    'x-client-ip',
    'x-request-id',
    'x-correlation-id',
    'traceparent',
    'tracestate',
    'baggage',
    'x-cloud-trace-context',
    'cdn-loop',
  ].map((name) => [name, SKIP] as const),
]);

const SKIPPED_PREFIXES = [
  'x-forwarded-',
  'x-botgate-',
  'cf-',
  'x-amzn-',
  'x-azure-',
  'x-b3-',
  'x-envoy-',
  'sec-websocket-',
];

/** Brands worth telling apart; each sets one bit. Quoted as they appear in the header. */
const KNOWN_BRANDS = [
  '"Chromium"',
  '"Google Chrome"',
  '"Microsoft Edge"',
  '"Opera"',
  '"Brave"',
  '"Samsung Internet"',
  '"Android WebView"',
  '"YaBrowser"',
  '"HeadlessChrome"',
];

function roleOf(lowerName: string): Role {
  const role = ROLES.get(lowerName);
  if (role !== undefined) return role;
  for (const prefix of SKIPPED_PREFIXES) if (lowerName.startsWith(prefix)) return SKIP;
  return NAME;
}

/** Values past MAX_VALUE characters are cut: no stack's accept is longer, and cost stays bounded. */
const MAX_VALUE = 256;
/** Entries per memo map; a flood of unique names or values clears it, costing time, not memory. */
const MAX_MEMO = 2_048;

/** FNV-1a over 32-bit lanes of a token's first MAX_VALUE characters, its length folded in. */
function tokenHash(text: string): number {
  const end = Math.min(text.length, MAX_VALUE);
  let h = 0x811c9dc5;
  let i = 0;
  for (; i + 1 < end; i += 2) {
    h = Math.imul(h ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x01000193);
    h ^= h >>> 15;
  }
  if (i < end) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ end, 0x01000193);
}

interface NameToken {
  readonly role: Role;
  readonly hash: number;
}

const names = new Map<string, NameToken>();
const values = new Map<string, number>();
const brandLists = new Map<string, number>();

/** Keys longer than MAX_VALUE are not kept, so the maps hold at most MAX_MEMO × 256 characters each. */
function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (key.length > MAX_VALUE) return value;
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, value);
  return value;
}

function nameToken(name: string): NameToken {
  return names.get(name) ?? remember(names, name, { role: roleOf(name.toLowerCase()), hash: tokenHash(name) });
}

function valueToken(value: string): number {
  return values.get(value) ?? remember(values, value, tokenHash(value));
}

/** The first language's primary subtag, lower-cased, as a number: `en-US,en;q=0.9` → "en". */
function languageToken(value: string): number {
  const end = Math.min(value.length, 8);
  let h = 0x4c414e47;
  for (let i = 0; i < end; i++) {
    let c = value.charCodeAt(i);
    if (c === 44 || c === 59 || c === 45 || c === 95 || c === 32) break; // , ; - _ space
    if (c >= 65 && c <= 90) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}

/** Which KNOWN_BRANDS the list names, one bit each. */
function brandsToken(value: string): number {
  const known = brandLists.get(value);
  if (known !== undefined) return known;
  let mask = 0;
  for (let i = 0; i < KNOWN_BRANDS.length; i++) if (value.includes(KNOWN_BRANDS[i] as string)) mask |= 1 << i;
  return remember(brandLists, value, Math.imul(mask ^ 0x42524e44, 0x01000193));
}

function finalise(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 12 lower-case hex characters; see the file comment for what is hashed. A name's role decides
 * whether a value token follows it, so the token sequence reads back unambiguously.
 */
export function headerFingerprint(rawHeaders: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = nameToken(rawHeaders[i] as string);
    if (name.role === SKIP) continue;
    a = Math.imul(a ^ name.hash, 0x01000193);
    b = Math.imul(b ^ name.hash, 0x5bd1e995);
    b ^= b >>> 13;
    if (name.role === NAME) continue;
    const value = rawHeaders[i + 1] as string;
    const token =
      name.role === VALUE ? valueToken(value) : name.role === LANGUAGE ? languageToken(value) : brandsToken(value);
    a = Math.imul(a ^ token, 0x01000193);
    b = Math.imul(b ^ token, 0x5bd1e995);
    b ^= b >>> 13;
  }
  const high = finalise(a);
  const low = finalise(b ^ high) >>> 16;
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(4, '0');
}
