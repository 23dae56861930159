/**
 * A comment's text reduced to what spam detection compares: a MinHash sketch banded for
 * locality-sensitive lookup, a hash of the exact (normalised) text, and how many links and
 * contact details it carries. Pure and synchronous; no state.
 *
 * Normalisation (the same on every node, so buckets agree across nodes):
 *   lower-case → (non-ASCII only) NFKC, look-alike letters folded to Latin, combining marks
 *   dropped → URLs reduced to their host → words: runs of letters and digits, each run of
 *   digits within a word folded to `0` (a template that varies its phone number or price is
 *   still one template).
 * Shingles are word bigrams (a one-word text is its word): order-aware, so two texts that
 * merely share vocabulary ("is this still available, can you…") stay apart, while a template
 * with a few words swapped keeps most of its bigrams.
 *
 * MinHash: BANDS × ROWS fixed permutations of 32-bit shingle hashes (murmur3's finaliser over
 * the hash xor a fixed seed; no BigInt). Two texts share a band with probability J^ROWS per
 * band, J their Jaccard similarity over shingles; with 6 bands of 3 rows, pairs at J = 0.6
 * share at least one band 77 % of the time, pairs at J = 0.2 under 5 %. The constants are part
 * of the key space: changing them orphans every bucket in a shared store, so they are not config.
 */

/** Bands of the LSH index: each costs the detector one store operation per comment. */
export const BANDS = 6;
/** MinHash values per band: more rows demand closer texts before they share a bucket. */
export const ROWS = 3;
const HASHES = BANDS * ROWS;
/** Words sketched per comment: bounds CPU on a 64 KiB body; a template shows in its first words. */
export const MAX_WORDS = 256;
/** Characters read per comment, for the same reason. */
const MAX_CHARS = 8_192;

export interface TextSketch {
  /** Words after normalisation (at most MAX_WORDS). */
  readonly words: number;
  /** 64-bit hash (16 hex digits) of the normalised word sequence: identical texts, however cased, spaced or punctuated. */
  readonly exact: string;
  /** BANDS band hashes (32-bit); texts sharing any one are near-duplicate candidates. */
  readonly bands: Uint32Array;
  /** URLs, bare domains (example.com, example dot com) and e-mail addresses. */
  readonly links: number;
  /** Phone numbers and messaging handles (WhatsApp, Telegram, t.me…). */
  readonly contacts: number;
}

// --- Look-alike letters -------------------------------------------------------------------

/**
 * Letters of other scripts that render like Latin ones (Unicode's confusables, lower-case, the
 * ones seen in practice), plus Latin variants NFKC leaves alone. NFKC already folds full-width
 * and compatibility forms; this covers what it does not. Digits are never folded: 0 and o are
 * different characters to a mail server and to a reader.
 */
// biome-ignore format: a table of letters reads better in rows than one entry a line
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', е: 'e', ё: 'e', і: 'i', ї: 'i', ј: 'j', к: 'k', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x',
  ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y',
  // Greek
  α: 'a', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin variants
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ʟ: 'l', ᴅ: 'd', ᴇ: 'e', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴛ: 't',
};
const LOOKALIKE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`, 'gu');
const COMBINING = /\p{Mn}/gu;
/** Anything past U+007F (written from U+0080 so the pattern holds no control character). */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Lower-cased text with look-alike letters folded to Latin and accents dropped (`Ｂuy` →
 * `buy`, Cyrillic `саll` → `call`, `café` → `cafe`). ASCII input is only lower-cased.
 */
export function foldLookalikes(text: string): string {
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING, '')
    .replace(LOOKALIKE, (c) => LOOKALIKES[c] ?? c)
    .normalize('NFC');
}

/** Whether the text mixes Latin letters with look-alikes from another script (`gmаil` with a Cyrillic а). */
export function hasMixedLookalikes(text: string): boolean {
  if (!NON_ASCII.test(text)) return false;
  const lower = text.toLowerCase().normalize('NFKC');
  if (!NON_ASCII.test(lower) || !/[a-z]/.test(lower)) return false;
  LOOKALIKE.lastIndex = 0;
  return LOOKALIKE.test(lower);
}

// --- Links and contact details -----------------------------------------------------------------

/**
 * Top-level domains spam links use most. A bare `word.tld` with another TLD is not counted
 * (node.js, e.g.), nor are TLDs that are common English words (`.to`, `.in`, `.us`), which a
 * missing space after a full stop would turn into links ("sold it.to be honest").
 */
const TLDS =
  'com|net|org|info|biz|io|me|ru|cn|xyz|top|site|online|shop|store|club|link|click|live|life|app|dev|ly|gl|cc|tk|ml|ga|cf|gq|pw|ws|su|uk|de|fr|br|pl|nl|eu|ua|vip|win|bid|loan|work';
/** Spelled-out dots are only believed before a TLD no English phrase ends a "dot" with ("polka dot me…"). */
const SPELLED_TLDS = 'com|net|org|info|biz|io|ru|xyz|top|site|online|shop|store|club|link|click|live';
const LINK_URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/g;
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/g;
/** `example dot com`, `example[.]com`, `example (dot) com` → `example.com`. */
const OBFUSCATED_DOT = new RegExp(
  `\\s*(?:\\[\\.\\]|\\(\\.\\)|[\\[(]dot[\\])]|\\bdot\\b)\\s*(?=(?:${SPELLED_TLDS})\\b)`,
  'g',
);
const BARE_DOMAIN = new RegExp(`\\b[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.(?:${TLDS})\\b(?:\\/\\S*)?`, 'g');
/** A digit, then digits, spaces, dots, dashes, parentheses, then a digit: counted when it holds 9–15 digits (or 8+ after a +). */
const PHONE = /\+?\(?\d[\d\s().-]{6,}\d/g;
const DIGIT = /\d/g;
const MESSAGING =
  /\b(?:whats\s?app|watsapp|telegram|wechat|kik|snapchat|viber|skype|discord|line id|signal me|dm me|text me)\b|\btg:/g;

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

function countPhones(text: string): number {
  PHONE.lastIndex = 0;
  let n = 0;
  for (let m = PHONE.exec(text); m !== null; m = PHONE.exec(text)) {
    const digits = countMatches(DIGIT, m[0]);
    if (digits <= 15 && (digits >= 9 || (digits >= 8 && m[0].startsWith('+')))) n++;
  }
  return n;
}

// --- Hashing ------------------------------------------------------------------------------------

/** murmur3's 32-bit finaliser: a bijection with full avalanche, so `fmix32(x ^ seed)` is a fixed random permutation. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The permutation seeds, drawn once from a fixed splitmix32 stream: identical on every node and release. */
const SEEDS = (() => {
  const seeds = new Uint32Array(HASHES);
  let state = 0x9e3779b9;
  for (let i = 0; i < HASHES; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    seeds[i] = fmix32(state);
  }
  return seeds;
})();

/** FNV-1a over UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const WORD = /[\p{L}\p{N}]+/gu;
const DIGITS = /\d+/g;
const HAS_DIGIT = /\d/;

/** Scratch for one sketch at a time: sketching is synchronous, so one buffer serves every request. */
const tokens = new Uint32Array(MAX_WORDS);
const mins = new Uint32Array(HASHES);

/** The normalised text's word hashes into `tokens`; returns how many. */
function tokenise(normalised: string): number {
  if (!NON_ASCII.test(normalised)) return tokeniseAscii(normalised);
  WORD.lastIndex = 0;
  let n = 0;
  for (let m = WORD.exec(normalised); m !== null && n < MAX_WORDS; m = WORD.exec(normalised)) {
    const word = HAS_DIGIT.test(m[0]) ? m[0].replace(DIGITS, '0') : m[0];
    tokens[n++] = fnv1a(word);
  }
  return n;
}

/**
 * The same words and hashes as the regex path, for ASCII text (most comments), in one pass with
 * no substring per word: about 5× faster on a 1 000-character comment.
 */
function tokeniseAscii(text: string): number {
  let n = 0;
  let h = 0x811c9dc5;
  let inWord = false;
  let inDigits = false;
  for (let i = 0; i <= text.length && n < MAX_WORDS; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const digit = c >= 48 && c <= 57;
    if (digit || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      if (!inWord) {
        inWord = true;
        h = 0x811c9dc5;
      }
      if (digit) {
        if (!inDigits) h = Math.imul(h ^ 48, 0x01000193);
        inDigits = true;
      } else {
        h = Math.imul(h ^ c, 0x01000193);
        inDigits = false;
      }
    } else if (inWord) {
      tokens[n++] = h >>> 0;
      inWord = false;
      inDigits = false;
    }
  }
  return n;
}

function addShingle(shingle: number): void {
  for (let k = 0; k < HASHES; k++) {
    const v = fmix32(shingle ^ SEEDS[k]!);
    if (v < mins[k]!) mins[k] = v;
  }
}

/** The MinHash signature of `words` tokens into `mins`. */
function minHash(words: number): void {
  mins.fill(0xffffffff);
  if (words === 1) addShingle(tokens[0]!);
  for (let i = 1; i < words; i++) addShingle(fmix32(Math.imul(tokens[i - 1]!, 0x01000193) ^ tokens[i]!));
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

// --- The sketch ---------------------------------------------------------------------------------

export function sketchText(text: string): TextSketch {
  const folded = fold(text);
  // Each pattern runs only when the character it needs is there: most comments have no link.
  const dotted = folded.includes('.');

  // Links first, each removed so that its parts are not counted again as a domain or a phone;
  // for the words, a URL stays as its host.
  let links = dotted ? countMatches(LINK_URL, folded) : 0;
  const withoutUrls = links > 0 ? folded.replace(LINK_URL, (u) => ` ${urlHost(u)} `) : folded;
  let rest = links > 0 ? folded.replace(LINK_URL, ' ') : folded;
  const emails = rest.includes('@') ? countMatches(EMAIL, rest) : 0;
  if (emails > 0) rest = rest.replace(EMAIL, ' ');
  if (dotted) links += emails + countMatches(BARE_DOMAIN, rest);
  else links += emails;
  const contacts = (HAS_DIGIT.test(rest) ? countPhones(rest) : 0) + countMatches(MESSAGING, rest);

  const words = tokenise(withoutUrls);
  let a = 0x243f6a88;
  let b = 0x85a308d3;
  for (let i = 0; i < words; i++) {
    a = fmix32(Math.imul(a, 31) ^ tokens[i]!);
    b = fmix32((b + tokens[i]!) ^ 0x13198a2e);
  }
  const bands = new Uint32Array(BANDS);
  if (words > 0) {
    minHash(words);
    for (let band = 0; band < BANDS; band++) {
      let h = fmix32(Math.imul(band + 1, 0x9e3779b9));
      for (let r = 0; r < ROWS; r++) h = fmix32(h ^ mins[band * ROWS + r]!);
      bands[band] = h;
    }
  }
  return { words, exact: hex8(a) + hex8(b), bands, links, contacts };
}

/** The first MAX_CHARS characters, look-alikes folded and spelled-out dots restored. */
function fold(text: string): string {
  const folded = foldLookalikes(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text);
  const spelled = folded.includes('dot') || folded.includes('[') || folded.includes('(');
  return spelled ? folded.replace(OBFUSCATED_DOT, '.') : folded;
}

/** `https://www.shop.example/p?x=1` → `shop.example`: the part a spammer cannot vary freely. */
function urlHost(url: string): string {
  const start = url.startsWith('http') ? url.indexOf('//') + 2 : 0;
  let end = start;
  while (end < url.length && !'/?#:'.includes(url[end]!)) end++;
  const host = url.slice(start, end);
  return host.startsWith('www.') ? host.slice(4) : host;
}

/**
 * Estimated Jaccard similarity of two texts' shingle sets: the share of equal MinHash values.
 * For tests and the explain view; detection compares bands, not signatures.
 */
export function similarity(a: string, b: string): number {
  const first = signature(a);
  const second = signature(b);
  let equal = 0;
  for (let k = 0; k < HASHES; k++) if (first[k] === second[k]) equal++;
  return equal / HASHES;
}

function signature(text: string): Uint32Array {
  const words = tokenise(fold(text).replace(LINK_URL, (u) => ` ${urlHost(u)} `));
  if (words === 0) return new Uint32Array(HASHES);
  minHash(words);
  return mins.slice();
}
