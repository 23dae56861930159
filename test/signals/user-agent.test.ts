import { describe, expect, it } from 'vitest';
import type { UserAgentClass } from '../../src/signals/request-signals.js';
import { classifyUserAgent, MAX_CACHE_ENTRIES, userAgentCacheSize } from '../../src/signals/user-agent.js';
import { FIXTURE_NAMES, headerValue, loadFixture } from './header-fixtures.js';

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('classifyUserAgent', () => {
  it.each<[string | undefined, UserAgentClass, string]>([
    [undefined, 'empty', 'other'],
    ['', 'empty', 'other'],
    ['   ', 'empty', 'other'],
    // Attack tools and libraries.
    ['Mozilla/5.0 (Hydra)', 'automation', 'hydra'],
    ['curl/8.5.0', 'automation', 'curl'],
    ['Wget/1.21.4', 'automation', 'wget'],
    ['python-requests/2.31.0', 'automation', 'python-requests'],
    ['Python-urllib/3.11', 'automation', 'python-urllib'],
    ['Python/3.11 aiohttp/3.9.1', 'automation', 'aiohttp'],
    ['python-httpx/0.27.0', 'automation', 'httpx'],
    ['Go-http-client/1.1', 'automation', 'go-http-client'],
    ['Java/17.0.9', 'automation', 'java'],
    ['Java-http-client/21.0.1', 'automation', 'java'],
    ['okhttp/4.12.0', 'automation', 'okhttp'],
    ['Apache-HttpClient/4.5.14 (Java/17.0.9)', 'automation', 'apache-httpclient'],
    ['node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', 'automation', 'node-fetch'],
    ['undici', 'automation', 'undici'],
    ['node', 'automation', 'undici'],
    ['axios/1.6.8', 'automation', 'axios'],
    ['libwww-perl/6.72', 'automation', 'libwww-perl'],
    ['sqlmap/1.8#stable (https://sqlmap.org)', 'automation', 'sqlmap'],
    ['Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Porbe)', 'automation', 'nikto'],
    ['Scrapy/2.11.1 (+https://scrapy.org)', 'automation', 'scrapy'],
    // Headless.
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
      'headless',
      'headless-chrome',
    ],
    [
      'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1',
      'headless',
      'phantomjs',
    ],
    // Declared crawlers, including ones that also carry a browser token.
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'crawler', 'googlebot'],
    [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/124.0.6367.155 Safari/537.36',
      'crawler',
      'googlebot',
    ],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'crawler', 'bingbot'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
      'crawler',
      'applebot',
    ],
    ['DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)', 'crawler', 'duckduckbot'],
    ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 'crawler', 'yandex'],
    ['Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)', 'crawler', 'baiduspider'],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'crawler', 'facebookexternalhit'],
    ['Twitterbot/1.0', 'crawler', 'twitterbot'],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'crawler', 'slackbot'],
    ['Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)', 'crawler', 'uptimerobot'],
    ['Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)', 'crawler', 'pingdom'],
    // The long tail through isbot.
    ['Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)', 'crawler', 'other'],
    ['Mozilla/5.0', 'automation', 'other'],
    // Browsers.
    [CHROME, 'browser', 'chrome'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80',
      'browser',
      'edge',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0',
      'browser',
      'opera',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
      'browser',
      'samsung',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', 'browser', 'firefox'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'browser',
      'safari',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1',
      'browser',
      'chrome',
    ],
    // Neither browser nor tool.
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.38.125 Chrome/124.0.6367.60 Electron/30.0.0 Safari/537.36',
      'unknown',
      'electron',
    ],
    ['MyShopApp/3.2 (iPhone; iOS 17.4)', 'unknown', 'other'],
  ])('%j is %s/%s', (ua, cls, family) => {
    const info = classifyUserAgent(ua);
    expect(info.class).toBe(cls);
    expect(info.family).toBe(family);
  });

  it('reads the engine and the version its behaviour follows', () => {
    expect(classifyUserAgent(CHROME)).toMatchObject({ engine: 'blink', engineVersion: 124, mobile: false });
    const opera = classifyUserAgent(`${CHROME} OPR/110.0.0.0`);
    expect(opera).toMatchObject({ family: 'opera', engine: 'blink', engineVersion: 124 });
    const firefoxFrozenRv = 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/117.0';
    expect(classifyUserAgent(firefoxFrozenRv)).toMatchObject({ engine: 'gecko', engineVersion: 117 });
    const iphone =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
    expect(classifyUserAgent(iphone)).toMatchObject({
      family: 'safari',
      engine: 'webkit',
      engineVersion: 17,
      mobile: true,
    });
    const chromeIos =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1';
    expect(classifyUserAgent(chromeIos)).toMatchObject({ engine: 'webkit', engineVersion: 0, mobile: true });
    const webview =
      'Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36';
    expect(classifyUserAgent(webview)).toMatchObject({
      class: 'browser',
      family: 'chrome',
      engineVersion: 0,
      mobile: true,
    });
    expect(classifyUserAgent('curl/8.5.0')).toMatchObject({ engine: 'other', engineVersion: 0 });
  });

  it('classifies every fixture as expected', () => {
    const expected: Record<string, string> = {
      'chrome-navigation': 'browser/chrome',
      'chrome-second-page': 'browser/chrome',
      'chrome-login-post': 'browser/chrome',
      'brave-navigation': 'browser/chrome',
      'firefox-navigation': 'browser/firefox',
      'safari-navigation': 'browser/safari',
      curl: 'automation/curl',
      'python-requests': 'automation/python-requests',
      'python-requests-as-chrome': 'browser/chrome',
      'hydra-login-post': 'automation/hydra',
    };
    for (const name of FIXTURE_NAMES) {
      const info = classifyUserAgent(headerValue(loadFixture(name), 'user-agent'));
      expect(`${info.class}/${info.family}`, name).toBe(expected[name]);
    }
  });

  it('returns the cached result for a repeated string', () => {
    expect(classifyUserAgent(CHROME)).toBe(classifyUserAgent(CHROME));
  });

  it('keeps the cache bounded under a flood of unique strings, and stays correct', () => {
    for (let i = 0; i < MAX_CACHE_ENTRIES + 500; i++) classifyUserAgent(`${CHROME} build/${i}`);
    expect(userAgentCacheSize()).toBeLessThanOrEqual(MAX_CACHE_ENTRIES);
    expect(classifyUserAgent(`${CHROME} build/7`).family).toBe('chrome');
    const long = `${CHROME} ${'x'.repeat(5_000)}`;
    const before = userAgentCacheSize();
    expect(classifyUserAgent(long).class).toBe('browser');
    expect(userAgentCacheSize()).toBe(before);
  });
});
