/**
 * Who a User-Agent claims to be, in the classes detection cares about. A claim, not a proof:
 * ua-consistency.ts and the fingerprint check it against the rest of the head.
 *
 * Order of judgement, first match wins:
 * 1. no User-Agent, or only spaces → `empty`;
 * 2. NAMED_AGENTS, the families the product names in findings and the console (attack tools,
 *    HTTP libraries, headless browsers, well-known crawlers). Kept short on purpose; compiled
 *    into one case-insensitive alternation (one regex pass measured ~5× cheaper than a loop of
 *    `includes`), so when a string carries two named tokens the left-most wins;
 * 3. isbot, for the long tail of declared bots: `headless` when it matched a headless marker,
 *    `crawler` when the agent calls itself a bot, crawler or spider or gives a contact URL,
 *    `automation` otherwise; family `other`;
 * 4. mainstream browsers by their product token (Edge, Opera, Samsung before Chrome, whose
 *    token they all carry) → `browser`, with the engine and its major version;
 * 5. anything else → `unknown`.
 *
 * Results are cached by string: parsing costs microseconds (isbot's pattern is one large regex)
 * while a lookup costs tens of nanoseconds, and real traffic repeats a few hundred strings.
 * The cache holds at most MAX_CACHE_ENTRIES and is cleared when full, so a flood of unique
 * strings costs parse time, never memory; strings longer than MAX_CACHED_LENGTH are parsed
 * every time and never kept.
 */
import { isbot, isbotMatch } from 'isbot';
import type { BrowserEngine, UserAgentClass, UserAgentInfo } from './request-signals.js';

export const MAX_CACHE_ENTRIES = 10_000;
export const MAX_CACHED_LENGTH = 512;

interface NamedAgent {
  /** Lower-case substring of the User-Agent. */
  readonly token: string;
  readonly family: string;
  readonly class: UserAgentClass;
}

const tool = (token: string, family: string): NamedAgent => ({ token, family, class: 'automation' });
const headless = (token: string, family: string): NamedAgent => ({ token, family, class: 'headless' });
const crawler = (token: string, family: string): NamedAgent => ({ token, family, class: 'crawler' });

/** The families the product names. Headless and crawler tokens come before browsers, whose tokens they contain. */
const NAMED_AGENTS: readonly NamedAgent[] = [
  // Attack tools.
  tool('mozilla/5.0 (hydra)', 'hydra'),
  tool('sqlmap', 'sqlmap'),
  tool('nikto', 'nikto'),
  tool('scrapy', 'scrapy'),
  // HTTP libraries and command-line clients.
  tool('python-requests', 'python-requests'),
  tool('python-urllib', 'python-urllib'),
  tool('python-httpx', 'httpx'),
  tool('aiohttp', 'aiohttp'),
  tool('curl/', 'curl'),
  tool('wget', 'wget'),
  tool('go-http-client', 'go-http-client'),
  tool('okhttp', 'okhttp'),
  tool('apache-httpclient', 'apache-httpclient'),
  tool('java-http-client', 'java'),
  tool('java/', 'java'),
  tool('node-fetch', 'node-fetch'),
  tool('undici', 'undici'),
  tool('axios/', 'axios'),
  tool('libwww-perl', 'libwww-perl'),
  // Headless browsers and drivers.
  headless('headlesschrome', 'headless-chrome'),
  headless('phantomjs', 'phantomjs'),
  headless('slimerjs', 'slimerjs'),
  headless('htmlunit', 'htmlunit'),
  headless('puppeteer', 'puppeteer'),
  headless('playwright', 'playwright'),
  // Declared crawlers and monitors (declared, not verified: anyone can send these strings).
  crawler('googlebot', 'googlebot'),
  crawler('bingbot', 'bingbot'),
  crawler('applebot', 'applebot'),
  crawler('duckduckbot', 'duckduckbot'),
  crawler('yandex.com/bots', 'yandex'),
  crawler('baiduspider', 'baiduspider'),
  crawler('facebookexternalhit', 'facebookexternalhit'),
  crawler('twitterbot', 'twitterbot'),
  crawler('slackbot', 'slackbot'),
  crawler('uptimerobot', 'uptimerobot'),
  crawler('pingdom', 'pingdom'),
  // Electron embeds Chromium in desktop apps used by real people as well as by scrapers, and
  // does not say which: named, but neither judged as a browser nor as a tool.
  { token: 'electron/', family: 'electron', class: 'unknown' },
];

const NAMED_PATTERN = new RegExp(
  NAMED_AGENTS.map((a) => a.token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'),
  'i',
);
const NAMED_BY_TOKEN: ReadonlyMap<string, NamedAgent> = new Map(NAMED_AGENTS.map((a) => [a.token, a]));
const MOBILE = /mobi|android|iphone|ipad|ipod/i;

/** Node's built-in fetch sends exactly this User-Agent. */
const NODE_FETCH_UA = 'node';

interface BrowserToken {
  readonly token: string;
  readonly family: string;
  readonly engine: BrowserEngine;
}

/** Order matters: Edge, Opera and Samsung also carry `Chrome/`; iOS browsers carry `Safari/`. */
const BROWSER_TOKENS: readonly BrowserToken[] = [
  { token: 'edg/', family: 'edge', engine: 'blink' },
  { token: 'edga/', family: 'edge', engine: 'blink' },
  { token: 'edgios/', family: 'edge', engine: 'webkit' },
  { token: 'opr/', family: 'opera', engine: 'blink' },
  { token: 'opios/', family: 'opera', engine: 'webkit' },
  { token: 'samsungbrowser/', family: 'samsung', engine: 'blink' },
  { token: 'crios/', family: 'chrome', engine: 'webkit' },
  { token: 'fxios/', family: 'firefox', engine: 'webkit' },
  { token: 'firefox/', family: 'firefox', engine: 'gecko' },
  { token: 'chrome/', family: 'chrome', engine: 'blink' },
  { token: 'safari/', family: 'safari', engine: 'webkit' },
];

/** A long-tail bot that introduces itself as one (rather than a library that says nothing). */
const SELF_DECLARED_CRAWLER = /bot|crawl|spider|slurp|https?:\/\//;

const EMPTY: UserAgentInfo = info('empty', 'other', false);

const cache = new Map<string, UserAgentInfo>();

export function classifyUserAgent(ua: string | undefined): UserAgentInfo {
  if (ua === undefined || ua.length === 0) return EMPTY;
  const cached = cache.get(ua);
  if (cached !== undefined) return cached;
  const result = parse(ua);
  if (ua.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
    cache.set(ua, result);
  }
  return result;
}

function parse(ua: string): UserAgentInfo {
  const trimmed = ua.trim();
  if (trimmed.length === 0) return EMPTY;
  const mobile = MOBILE.test(trimmed);
  if (trimmed === NODE_FETCH_UA) return info('automation', 'undici', mobile);
  const named = NAMED_PATTERN.exec(trimmed);
  const agent = named === null ? undefined : NAMED_BY_TOKEN.get(named[0].toLowerCase());
  if (agent !== undefined) return info(agent.class, agent.family, mobile);
  const lower = trimmed.toLowerCase();
  if (isbot(trimmed)) {
    if (isbotMatch(trimmed)?.toLowerCase().includes('headless')) return info('headless', 'other', mobile);
    return info(SELF_DECLARED_CRAWLER.test(lower) ? 'crawler' : 'automation', 'other', mobile);
  }
  if (lower.startsWith('mozilla/5.0 (')) {
    for (const browser of BROWSER_TOKENS) {
      if (lower.includes(browser.token)) {
        return info('browser', browser.family, mobile, browser.engine, engineVersion(lower, browser));
      }
    }
  }
  return info('unknown', 'other', mobile);
}

function engineVersion(lower: string, browser: BrowserToken): number {
  switch (browser.engine) {
    case 'blink':
      // Android WebView (`; wv)`) sends client hints and fetch metadata differently per app and
      // version; leave its version unknown so only the checks every browser passes apply.
      return lower.includes('; wv)') ? 0 : majorAfter(lower, 'chrome/');
    case 'gecko':
      return majorAfter(lower, 'firefox/');
    case 'webkit':
      // Only Safari's own Version/ token dates the WebKit release; other iOS browsers carry their brand's version.
      return browser.family === 'safari' ? majorAfter(lower, 'version/') : 0;
    default:
      return 0;
  }
}

/** The integer right after `token` (`chrome/124.0` → 124), or 0. */
function majorAfter(lower: string, token: string): number {
  const at = lower.indexOf(token);
  if (at < 0) return 0;
  let value = 0;
  for (let i = at + token.length; i < lower.length && i < at + token.length + 5; i++) {
    const d = lower.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  return value;
}

function info(
  cls: UserAgentClass,
  family: string,
  mobile: boolean,
  engine: BrowserEngine = 'other',
  version = 0,
): UserAgentInfo {
  return Object.freeze({ class: cls, family, mobile, engine, engineVersion: version });
}

/** Entries in the parse cache, for tests and the metrics endpoint. */
export function userAgentCacheSize(): number {
  return cache.size;
}
