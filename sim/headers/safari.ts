/**
 * Safari 17.4 (macOS) and Mobile Safari (iOS 17.4) over HTTP/1.1 to a secure context.
 *
 * The navigation is the project's capture (test/fixtures/headers/safari-navigation.json):
 * Sec-Fetch-Dest before the User-Agent, a `Priority` header, no Upgrade-Insecure-Requests and,
 * being WebKit, no client hints. The other kinds keep that skeleton with the values Safari sends
 * for them (Referer after Accept, the body's headers before Sec-Fetch-Dest, Cookie last before
 * Connection); they are derived, not captured one by one.
 */
import type { ClientIdentity, ClientStack, HeaderTemplate } from './template.js';

const NAVIGATION_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ENCODING = 'gzip, deflate, br';

function request(
  dest: string,
  accept: string,
  site: string,
  mode: string,
  priority: string | null,
  body: boolean,
): HeaderTemplate {
  return [
    ['Host', '$host'],
    ...(body
      ? ([
          ['Content-Type', '$contentType'],
          ['Origin', '$origin'],
        ] as const)
      : []),
    ['authorization', '$auth'],
    ['Sec-Fetch-Dest', dest],
    ['User-Agent', '$ua'],
    ['Accept', accept],
    ['Referer', '$referer'],
    ['If-None-Match', '$ifNoneMatch'],
    ['Sec-Fetch-Site', site],
    ['Sec-Fetch-Mode', mode],
    ['Accept-Language', '$lang'],
    ...(priority === null ? [] : ([['Priority', priority]] as const)),
    ['Accept-Encoding', ENCODING],
    ...(body ? ([['Content-Length', '$length']] as const) : []),
    ['Cookie', '$cookie'],
    ['Connection', 'keep-alive'],
  ];
}

export const SAFARI: ClientStack = {
  name: 'safari',
  templates: {
    navigate: request('document', NAVIGATION_ACCEPT, '$site', 'navigate', 'u=0, i', false),
    'navigate-after-post': request('document', NAVIGATION_ACCEPT, 'same-origin', 'navigate', 'u=0, i', false),
    style: request('style', 'text/css,*/*;q=0.1', 'same-origin', 'no-cors', 'u=1', false),
    script: request('script', '*/*', 'same-origin', 'cors', 'u=1', false),
    image: request(
      'image',
      'image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5',
      'same-origin',
      'no-cors',
      'u=5, i',
      false,
    ),
    form: request('document', NAVIGATION_ACCEPT, 'same-origin', 'navigate', 'u=0, i', true),
    'fetch-json': request('empty', 'application/json', 'same-origin', 'cors', 'u=3, i', true),
    'fetch-get-json': request('empty', 'application/json', 'same-origin', 'cors', 'u=3, i', false),
  },
};

export type SafariDevice = 'macos' | 'iphone' | 'ipad';

const USER_AGENTS: Record<SafariDevice, string> = {
  macos:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  // iPadOS Safari asks for desktop pages and says so: it claims to be a Mac.
  ipad: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
};

export function safariLanguage(locale: string): string {
  const [language] = locale.split('-');
  return locale === 'en-US' ? 'en-US,en;q=0.9' : `${locale},${language};q=0.9`;
}

export function safariIdentity(device: SafariDevice, locale = 'en-US'): ClientIdentity {
  return { stack: SAFARI, userAgent: USER_AGENTS[device], acceptLanguage: safariLanguage(locale) };
}
