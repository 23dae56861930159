/**
 * Contradictions between the browser a User-Agent claims and the headers that browser always
 * sends in the request's context. A script that copies a browser's User-Agent rarely copies the
 * rest; a real browser cannot help sending it.
 *
 * Only `browser`-class agents are judged; every other class is already a finding of its own.
 * Each rule states evidence every real browser of that engine carries; where that is not true
 * for all of them, the rule is skipped rather than guessed (false positives cost real users):
 * - every mainstream browser sends `accept`, `accept-language` and an `accept-encoding` naming
 *   gzip, on every request. (A corporate proxy that strips them will be reported; that is rare,
 *   and the finding is one score among several.)
 * - Blink ≥ 90 (Chrome, Edge) sends `sec-ch-ua` and `sec-fetch-site/-mode/-dest` in secure
 *   contexts only (HTTPS, or localhost), so they are required only when `secure` is true.
 *   Whenever sec-ch-ua is present on a Blink agent it must name Chromium or Google Chrome (Brave
 *   names only Chromium) with the same major version as the User-Agent's `Chrome/`.
 *   Opera and Samsung Internet are held to that consistency rule and to fetch metadata, but
 *   not required to send sec-ch-ua: their client-hint history is patchier.
 * - Gecko (Firefox ≥ 90) sends sec-fetch-* in secure contexts and never sec-ch-ua.
 * - WebKit never sends sec-ch-ua; Safari ≥ 17 sends sec-fetch-* in secure contexts (16.4 did
 *   too; the minor version is not parsed, so 16.x is simply not judged). Other iOS browsers have
 *   no known WebKit version (engineVersion 0) and get only the universal rules.
 * - On a navigation in a secure context (sec-fetch-mode `navigate`), Blink and Gecko send
 *   `upgrade-insecure-requests`; Safari does not, so it is not asked.
 *
 * Reasons are short and read after "claims <family> but …" in the explain view.
 */
import type { UserAgentInfo } from './request-signals.js';

/** Request headers by lower-case name, as Node's IncomingMessage.headers. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export interface ConsistencyContext {
  /** HTTPS to the browser, or a localhost origin: where browsers send fetch metadata and client hints. */
  readonly secure: boolean;
  /** The request asks for a page (GET/HEAD accepting text/html). */
  readonly navigation: boolean;
}

/** First version of each engine for which the presence rules hold. */
const BLINK_MIN = 90;
const GECKO_MIN = 90;
const SAFARI_MIN = 17;

const FETCH_METADATA = ['sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest'] as const;
/** The Chromium (or, failing that, Google Chrome) brand's major version. */
const CHROMIUM_BRAND = /"Chromium"\s*;\s*v\s*=\s*"(\d+)/;
const CHROME_BRAND = /"Google Chrome"\s*;\s*v\s*=\s*"(\d+)/;
const GZIP = /(?:^|[\s,])gzip\b/i;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

function present(headers: HeaderBag, name: string): boolean {
  const value = header(headers, name);
  return value !== undefined && value.trim().length > 0;
}

export function uaInconsistency(ua: UserAgentInfo, headers: HeaderBag, context: ConsistencyContext): string | null {
  if (ua.class !== 'browser') return null;

  if (!present(headers, 'accept')) return 'missing accept';
  if (!present(headers, 'accept-language')) return 'missing accept-language';
  const encoding = header(headers, 'accept-encoding');
  if (encoding === undefined) return 'missing accept-encoding';
  if (!GZIP.test(encoding)) return 'accept-encoding without gzip';

  const hints = header(headers, 'sec-ch-ua');
  switch (ua.engine) {
    case 'blink':
      return blink(ua, headers, context, hints);
    case 'gecko':
      if (hints !== undefined) return 'sends sec-ch-ua';
      return ua.engineVersion >= GECKO_MIN ? fetchMetadata(headers, context, true) : null;
    case 'webkit':
      if (hints !== undefined) return 'sends sec-ch-ua';
      return ua.family === 'safari' && ua.engineVersion >= SAFARI_MIN ? fetchMetadata(headers, context, false) : null;
    default:
      return null;
  }
}

function blink(
  ua: UserAgentInfo,
  headers: HeaderBag,
  context: ConsistencyContext,
  hints: string | undefined,
): string | null {
  if (hints !== undefined) {
    const brand = CHROMIUM_BRAND.exec(hints) ?? CHROME_BRAND.exec(hints);
    if (brand === null) return 'sec-ch-ua lacks Chromium';
    const version = Number(brand[1]);
    if (ua.engineVersion > 0 && version !== ua.engineVersion) {
      return `sec-ch-ua version ${version} disagrees with user-agent ${ua.engineVersion}`;
    }
  }
  if (ua.engineVersion < BLINK_MIN) return null;
  const strict = ua.family === 'chrome' || ua.family === 'edge';
  if (strict && context.secure && hints === undefined) return 'missing sec-ch-ua';
  return fetchMetadata(headers, context, true);
}

/** sec-fetch-* in secure contexts; upgrade-insecure-requests on navigations where the engine sends it. */
function fetchMetadata(headers: HeaderBag, context: ConsistencyContext, upgradesNavigations: boolean): string | null {
  if (!context.secure) return null;
  for (const name of FETCH_METADATA) if (!present(headers, name)) return `missing ${name}`;
  if (
    upgradesNavigations &&
    context.navigation &&
    header(headers, 'sec-fetch-mode') === 'navigate' &&
    !present(headers, 'upgrade-insecure-requests')
  ) {
    return 'missing upgrade-insecure-requests on a navigation';
  }
  return null;
}
