/**
 * Chrome (and Edge, which shares its network stack) over HTTP/1.1 to a secure context.
 *
 * Every template below is a live capture: Chromium 156 (Debian) driven by playwright-core
 * against a node:http server on 127.0.0.1 with HTTP/2 off, recording `rawHeaders` for a typed
 * navigation, the page's stylesheet, module script and icon, a link, a form POST and its
 * redirect, and fetch() calls with and without an Authorization header. Only values differ from
 * the capture: the User-Agent, `sec-ch-ua` (Google Chrome adds its own brand in the order
 * Chromium's deterministic shuffle gives version 156) and the platform, per identity below.
 * 127.0.0.1 is a potentially trustworthy origin, so Chromium sends client hints and fetch
 * metadata there exactly as on HTTPS, and advertises br and zstd.
 */
import type { ClientIdentity, ClientStack, HeaderTemplate } from './template.js';

export const CHROME_MAJOR = 156;

const NAVIGATION_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const IMAGE_ACCEPT = 'image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const ENCODING = 'gzip, deflate, br, zstd';

const navigate: HeaderTemplate = [
  ['Host', '$host'],
  ['Connection', 'keep-alive'],
  ['sec-ch-ua', '$brands'],
  ['sec-ch-ua-mobile', '$mobile'],
  ['sec-ch-ua-platform', '$platform'],
  ['Upgrade-Insecure-Requests', '1'],
  ['User-Agent', '$ua'],
  ['Accept', NAVIGATION_ACCEPT],
  ['Sec-Fetch-Site', '$site'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-User', '?1'],
  ['Sec-Fetch-Dest', 'document'],
  ['Referer', '$referer'],
  ['Accept-Encoding', ENCODING],
  ['Accept-Language', '$lang'],
  ['Cookie', '$cookie'],
];

const navigateAfterPost: HeaderTemplate = [
  ['Host', '$host'],
  ['Connection', 'keep-alive'],
  ['Cache-Control', 'max-age=0'],
  ['Upgrade-Insecure-Requests', '1'],
  ['User-Agent', '$ua'],
  ['Accept', NAVIGATION_ACCEPT],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-User', '?1'],
  ['Sec-Fetch-Dest', 'document'],
  ['sec-ch-ua', '$brands'],
  ['sec-ch-ua-mobile', '$mobile'],
  ['sec-ch-ua-platform', '$platform'],
  ['Referer', '$referer'],
  ['Accept-Encoding', ENCODING],
  ['Accept-Language', '$lang'],
  ['Cookie', '$cookie'],
];

function subresource(accept: string, mode: string, dest: string, origin: boolean): HeaderTemplate {
  return [
    ['Host', '$host'],
    ['Connection', 'keep-alive'],
    ...(origin ? ([['Origin', '$origin']] as const) : []),
    ['sec-ch-ua-platform', '$platform'],
    ['User-Agent', '$ua'],
    ['sec-ch-ua', '$brands'],
    ['sec-ch-ua-mobile', '$mobile'],
    ['Accept', accept],
    ['If-None-Match', '$ifNoneMatch'],
    ['Sec-Fetch-Site', 'same-origin'],
    ['Sec-Fetch-Mode', mode],
    ['Sec-Fetch-Dest', dest],
    ['Referer', '$referer'],
    ['Accept-Encoding', ENCODING],
    ['Accept-Language', '$lang'],
    ['Cookie', '$cookie'],
  ];
}

const form: HeaderTemplate = [
  ['Host', '$host'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '$length'],
  ['Cache-Control', 'max-age=0'],
  ['sec-ch-ua', '$brands'],
  ['sec-ch-ua-mobile', '$mobile'],
  ['sec-ch-ua-platform', '$platform'],
  ['Upgrade-Insecure-Requests', '1'],
  ['Content-Type', '$contentType'],
  ['User-Agent', '$ua'],
  ['Origin', '$origin'],
  ['Accept', NAVIGATION_ACCEPT],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'navigate'],
  ['Sec-Fetch-User', '?1'],
  ['Sec-Fetch-Dest', 'document'],
  ['Referer', '$referer'],
  ['Accept-Encoding', ENCODING],
  ['Accept-Language', '$lang'],
  ['Cookie', '$cookie'],
];

/** fetch(url, {method: 'POST', headers: {'content-type', accept[, authorization]}}); the page script's names are lower-case. */
const fetchJson: HeaderTemplate = [
  ['Host', '$host'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '$length'],
  ['sec-ch-ua-platform', '$platform'],
  ['authorization', '$auth'],
  ['User-Agent', '$ua'],
  ['accept', 'application/json'],
  ['sec-ch-ua', '$brands'],
  ['content-type', '$contentType'],
  ['sec-ch-ua-mobile', '$mobile'],
  ['Origin', '$origin'],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', '$referer'],
  ['Accept-Encoding', ENCODING],
  ['Accept-Language', '$lang'],
  ['Cookie', '$cookie'],
];

const fetchGetJson: HeaderTemplate = [
  ['Host', '$host'],
  ['Connection', 'keep-alive'],
  ['sec-ch-ua-platform', '$platform'],
  ['User-Agent', '$ua'],
  ['accept', 'application/json'],
  ['sec-ch-ua', '$brands'],
  ['sec-ch-ua-mobile', '$mobile'],
  ['Sec-Fetch-Site', 'same-origin'],
  ['Sec-Fetch-Mode', 'cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', '$referer'],
  ['Accept-Encoding', ENCODING],
  ['Accept-Language', '$lang'],
  ['Cookie', '$cookie'],
];

export const CHROME: ClientStack = {
  name: 'chrome',
  templates: {
    navigate,
    'navigate-after-post': navigateAfterPost,
    style: subresource('text/css,*/*;q=0.1', 'no-cors', 'style', false),
    script: subresource('*/*', 'cors', 'script', true),
    image: subresource(IMAGE_ACCEPT, 'no-cors', 'image', false),
    form,
    'fetch-json': fetchJson,
    'fetch-get-json': fetchGetJson,
  },
};

export type ChromeDevice = 'windows' | 'macos' | 'android' | 'edge-windows';

const USER_AGENTS: Record<ChromeDevice, string> = {
  windows: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Safari/537.36`,
  macos: `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Safari/537.36`,
  // The reduced User-Agent: Chrome on Android reports "Android 10; K" whatever the device.
  android: `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Mobile Safari/537.36`,
  'edge-windows': `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Safari/537.36 Edg/${CHROME_MAJOR}.0.0.0`,
};

const PLATFORMS: Record<ChromeDevice, string> = {
  windows: '"Windows"',
  macos: '"macOS"',
  android: '"Android"',
  'edge-windows': '"Windows"',
};

/** The GREASE brand Chromium 156 generates (as captured). */
const GREASE = '"Not:A-Brand";v="8"';

/** Brand lists in the order Chromium's shuffle gives major version 156 (156 % 6 = 0: grease, Chromium, brand). */
function brands(device: ChromeDevice): string {
  const brand = device === 'edge-windows' ? 'Microsoft Edge' : 'Google Chrome';
  return `${GREASE}, "Chromium";v="${CHROME_MAJOR}", "${brand}";v="${CHROME_MAJOR}"`;
}

/** Accept-Language as Chrome writes it for a person whose first language is `locale`. */
export function chromeLanguage(locale: string): string {
  const [language] = locale.split('-');
  if (locale === 'en-US') return 'en-US,en;q=0.9';
  if (language === 'en') return `${locale},en-US;q=0.9,en;q=0.8`;
  return `${locale},${language};q=0.9,en-US;q=0.8,en;q=0.7`;
}

export function chromeIdentity(device: ChromeDevice, locale = 'en-US'): ClientIdentity {
  return {
    stack: CHROME,
    userAgent: USER_AGENTS[device],
    acceptLanguage: chromeLanguage(locale),
    brands: brands(device),
    mobile: device === 'android' ? '?1' : '?0',
    platform: PLATFORMS[device],
  };
}

/**
 * Chrome run headless by an automation framework without disguise: the capture's own values
 * (Linux, "HeadlessChrome" in the User-Agent, no Google Chrome brand).
 */
export function headlessChromeIdentity(): ClientIdentity {
  return {
    stack: CHROME,
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/${CHROME_MAJOR}.0.0.0 Safari/537.36`,
    acceptLanguage: 'en-US,en;q=0.9',
    brands: `${GREASE}, "Chromium";v="${CHROME_MAJOR}"`,
    mobile: '?0',
    platform: '"Linux"',
  };
}
