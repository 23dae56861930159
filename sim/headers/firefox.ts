/**
 * Firefox 125 over HTTP/1.1 to a secure context.
 *
 * The navigation is the project's capture (test/fixtures/headers/firefox-navigation.json).
 * Firefox writes every request in one fixed order (Host, User-Agent, Accept, Accept-Language,
 * Accept-Encoding, then Referer, the body's Content-Type/Length and Origin, Connection, Cookie,
 * then Upgrade-Insecure-Requests and the Sec-Fetch-* group in Dest/Mode/Site/User order), which
 * the other kinds below follow with the values Firefox 125 sends for them. They are derived from
 * that order, not captured one by one.
 */
import type { ClientIdentity, ClientStack, HeaderTemplate } from './template.js';

const NAVIGATION_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const ENCODING = 'gzip, deflate, br';

function page(site: string, withBody: boolean): HeaderTemplate {
  return [
    ['Host', '$host'],
    ['User-Agent', '$ua'],
    ['Accept', NAVIGATION_ACCEPT],
    ['Accept-Language', '$lang'],
    ['Accept-Encoding', ENCODING],
    ['Referer', '$referer'],
    ...(withBody
      ? ([
          ['Content-Type', '$contentType'],
          ['Content-Length', '$length'],
          ['Origin', '$origin'],
        ] as const)
      : []),
    ['Connection', 'keep-alive'],
    ['Cookie', '$cookie'],
    ['Upgrade-Insecure-Requests', '1'],
    ['Sec-Fetch-Dest', 'document'],
    ['Sec-Fetch-Mode', 'navigate'],
    ['Sec-Fetch-Site', site],
    ['Sec-Fetch-User', '?1'],
  ];
}

function subresource(accept: string, dest: string, mode: string): HeaderTemplate {
  return [
    ['Host', '$host'],
    ['User-Agent', '$ua'],
    ['Accept', accept],
    ['Accept-Language', '$lang'],
    ['Accept-Encoding', ENCODING],
    ['Referer', '$referer'],
    ['Connection', 'keep-alive'],
    ['Cookie', '$cookie'],
    ['If-None-Match', '$ifNoneMatch'],
    ['Sec-Fetch-Dest', dest],
    ['Sec-Fetch-Mode', mode],
    ['Sec-Fetch-Site', 'same-origin'],
  ];
}

const fetchJson: HeaderTemplate = [
  ['Host', '$host'],
  ['User-Agent', '$ua'],
  ['Accept', 'application/json'],
  ['Accept-Language', '$lang'],
  ['Accept-Encoding', ENCODING],
  ['Referer', '$referer'],
  ['content-type', '$contentType'],
  ['authorization', '$auth'],
  ['Content-Length', '$length'],
  ['Origin', '$origin'],
  ['Connection', 'keep-alive'],
  ['Cookie', '$cookie'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Sec-Fetch-Mode', 'cors'],
  ['Sec-Fetch-Site', 'same-origin'],
];

export const FIREFOX: ClientStack = {
  name: 'firefox',
  templates: {
    navigate: page('$site', false),
    'navigate-after-post': page('same-origin', false),
    style: subresource('text/css,*/*;q=0.1', 'style', 'no-cors'),
    script: subresource('*/*', 'script', 'cors'),
    image: subresource('image/avif,image/webp,*/*', 'image', 'no-cors'),
    form: page('same-origin', true),
    'fetch-json': fetchJson,
    'fetch-get-json': subresource('application/json', 'empty', 'cors'),
  },
};

export type FirefoxDevice = 'windows' | 'macos' | 'linux';

const USER_AGENTS: Record<FirefoxDevice, string> = {
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  macos: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
};

/** Accept-Language as Firefox writes it (its q-values step by 0.2 or so, unlike Chrome's 0.1). */
export function firefoxLanguage(locale: string): string {
  const [language] = locale.split('-');
  if (locale === 'en-US') return 'en-US,en;q=0.5';
  if (language === 'en') return `${locale},en;q=0.5`;
  return `${locale},${language};q=0.8,en-US;q=0.5,en;q=0.3`;
}

export function firefoxIdentity(device: FirefoxDevice, locale = 'en-US'): ClientIdentity {
  return { stack: FIREFOX, userAgent: USER_AGENTS[device], acceptLanguage: firefoxLanguage(locale) };
}
