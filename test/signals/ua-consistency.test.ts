import { describe, expect, it } from 'vitest';
import { uaInconsistency } from '../../src/signals/ua-consistency.js';
import { classifyUserAgent } from '../../src/signals/user-agent.js';
import { type FixtureName, headersOf, loadFixture } from './header-fixtures.js';

const SECURE_PAGE = { secure: true, navigation: true };
const SECURE_API = { secure: true, navigation: false };
const PLAIN_PAGE = { secure: false, navigation: true };

function judge(
  name: FixtureName,
  context = SECURE_PAGE,
  edit: (h: Record<string, string>) => void = () => {},
): string | null {
  const fixture = loadFixture(name);
  const headers = headersOf(fixture.rawHeaders);
  edit(headers);
  return uaInconsistency(classifyUserAgent(headers['user-agent']), headers, context);
}

describe('uaInconsistency', () => {
  it.each<FixtureName>([
    'chrome-navigation',
    'chrome-second-page',
    'chrome-login-post',
    'brave-navigation',
    'firefox-navigation',
    'safari-navigation',
  ])('finds nothing wrong with a real %s', (name) => {
    expect(judge(name, SECURE_PAGE)).toBeNull();
    expect(judge(name, SECURE_API)).toBeNull();
    expect(judge(name, PLAIN_PAGE)).toBeNull();
  });

  it('judges only browser-class agents', () => {
    expect(judge('curl')).toBeNull();
    expect(judge('python-requests')).toBeNull();
    expect(judge('hydra-login-post')).toBeNull();
  });

  it("catches a script wearing Chrome's User-Agent, secure or not", () => {
    expect(judge('python-requests-as-chrome', SECURE_PAGE)).toBe('missing accept-language');
    expect(judge('python-requests-as-chrome', PLAIN_PAGE)).toBe('missing accept-language');
  });

  it('requires accept, accept-language and gzip from every browser', () => {
    expect(judge('firefox-navigation', SECURE_PAGE, (h) => delete h.accept)).toBe('missing accept');
    expect(judge('safari-navigation', SECURE_PAGE, (h) => delete h['accept-language'])).toBe('missing accept-language');
    expect(judge('safari-navigation', SECURE_PAGE, (h) => (h['accept-language'] = ' '))).toBe(
      'missing accept-language',
    );
    expect(judge('chrome-navigation', SECURE_PAGE, (h) => delete h['accept-encoding'])).toBe('missing accept-encoding');
    expect(judge('chrome-navigation', SECURE_PAGE, (h) => (h['accept-encoding'] = 'br'))).toBe(
      'accept-encoding without gzip',
    );
    expect(judge('chrome-navigation', SECURE_PAGE, (h) => (h['accept-encoding'] = 'x-gzipped'))).toBe(
      'accept-encoding without gzip',
    );
    expect(judge('chrome-navigation', SECURE_PAGE, (h) => (h['accept-encoding'] = 'GZIP'))).toBeNull();
  });

  it("requires Chrome's client hints and fetch metadata in secure contexts only", () => {
    const noHints = (h: Record<string, string>) => {
      delete h['sec-ch-ua'];
      delete h['sec-ch-ua-mobile'];
      delete h['sec-ch-ua-platform'];
    };
    expect(judge('chrome-navigation', SECURE_PAGE, noHints)).toBe('missing sec-ch-ua');
    expect(judge('chrome-navigation', PLAIN_PAGE, noHints)).toBeNull();
    expect(judge('chrome-navigation', SECURE_API, (h) => delete h['sec-fetch-mode'])).toBe('missing sec-fetch-mode');
    expect(judge('chrome-navigation', PLAIN_PAGE, (h) => delete h['sec-fetch-mode'])).toBeNull();
  });

  it("checks Chrome's brand list against its User-Agent", () => {
    const set = (value: string) => (h: Record<string, string>) => {
      h['sec-ch-ua'] = value;
    };
    expect(
      judge('chrome-navigation', SECURE_PAGE, set('"Chromium";v="120", "Google Chrome";v="120", "Not_A Brand";v="8"')),
    ).toBe('sec-ch-ua version 120 disagrees with user-agent 124');
    expect(judge('chrome-navigation', SECURE_PAGE, set('"Not A(Brand";v="99", "Firefox";v="124"'))).toBe(
      'sec-ch-ua lacks Chromium',
    );
    expect(judge('chrome-navigation', SECURE_PAGE, set('"Google Chrome";v="124", "Not-A.Brand";v="99"'))).toBeNull();
    // The consistency rule holds even where presence is not required.
    expect(judge('chrome-navigation', PLAIN_PAGE, set('"Chromium";v="99"'))).toBe(
      'sec-ch-ua version 99 disagrees with user-agent 124',
    );
  });

  it('holds Opera to consistency but not to sending client hints', () => {
    const opera =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0';
    const withOpera = (h: Record<string, string>) => {
      h['user-agent'] = opera;
    };
    expect(
      judge('chrome-navigation', SECURE_PAGE, (h) => {
        withOpera(h);
        h['sec-ch-ua'] = '"Opera";v="110", "Chromium";v="124", "Not-A.Brand";v="99"';
      }),
    ).toBeNull();
    expect(
      judge('chrome-navigation', SECURE_PAGE, (h) => {
        withOpera(h);
        delete h['sec-ch-ua'];
      }),
    ).toBeNull();
  });

  it('finds Firefox and Safari sending client hints inconsistent', () => {
    const hints = (h: Record<string, string>) => {
      h['sec-ch-ua'] = '"Chromium";v="124", "Google Chrome";v="124"';
    };
    expect(judge('firefox-navigation', PLAIN_PAGE, hints)).toBe('sends sec-ch-ua');
    expect(judge('safari-navigation', PLAIN_PAGE, hints)).toBe('sends sec-ch-ua');
  });

  it('requires fetch metadata from Firefox and Safari in secure contexts', () => {
    expect(judge('firefox-navigation', SECURE_API, (h) => delete h['sec-fetch-site'])).toBe('missing sec-fetch-site');
    expect(judge('safari-navigation', SECURE_API, (h) => delete h['sec-fetch-dest'])).toBe('missing sec-fetch-dest');
    expect(judge('safari-navigation', PLAIN_PAGE, (h) => delete h['sec-fetch-dest'])).toBeNull();
  });

  it('does not judge browsers older than the rules or without a known engine version', () => {
    const bare = (ua: string) => (h: Record<string, string>) => {
      h['user-agent'] = ua;
      for (const name of Object.keys(h)) if (name.startsWith('sec-')) delete h[name];
    };
    const oldSafari =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Safari/605.1.15';
    const chromeIos =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1';
    const oldChrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/85.0.4183.83 Safari/537.36';
    const webview =
      'Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36';
    for (const ua of [oldSafari, chromeIos, oldChrome, webview])
      expect(judge('safari-navigation', SECURE_PAGE, bare(ua)), ua).toBeNull();
  });

  it("expects upgrade-insecure-requests on Chrome and Firefox navigations, not on Safari's", () => {
    const drop = (h: Record<string, string>) => delete h['upgrade-insecure-requests'];
    expect(judge('chrome-navigation', SECURE_PAGE, drop)).toBe('missing upgrade-insecure-requests on a navigation');
    expect(judge('firefox-navigation', SECURE_PAGE, drop)).toBe('missing upgrade-insecure-requests on a navigation');
    // A fetch() for HTML (Turbo, htmx) declares itself with sec-fetch-mode.
    expect(
      judge('chrome-navigation', SECURE_PAGE, (h) => {
        drop(h);
        h['sec-fetch-mode'] = 'cors';
      }),
    ).toBeNull();
    expect(judge('chrome-navigation', SECURE_API, drop)).toBeNull();
  });

  it('reads repeated headers given as arrays', () => {
    const fixture = loadFixture('chrome-navigation');
    const headers: Record<string, string | string[]> = headersOf(fixture.rawHeaders);
    headers['accept-encoding'] = ['br', 'gzip'];
    expect(uaInconsistency(classifyUserAgent(headers['user-agent'] as string), headers, SECURE_PAGE)).toBeNull();
  });
});
