/**
 * The demo marketplace's own mobile app, as its two builds would talk to the JSON API.
 *
 * - iOS: Alamofire on URLSession (CFNetwork). The User-Agent and the Accept-Language and
 *   Accept-Encoding values are Alamofire's documented defaults (`App/version (bundle; build:n;
 *   iOS x) Alamofire/5.x`, q-valued lists); the order is the one CFNetwork writes on HTTP/1.1
 *   (Host, Content-Type, Cookie, Connection, Accept, User-Agent, Accept-Language,
 *   Content-Length, Accept-Encoding).
 * - Android: Retrofit on OkHttp with an interceptor that sets the app's User-Agent, as most apps
 *   do instead of OkHttp's default `okhttp/4.x`. The app's own headers come first, then the ones
 *   OkHttp's BridgeInterceptor adds in its fixed order: Content-Type, Content-Length, Host,
 *   `Connection: Keep-Alive`, `Accept-Encoding: gzip`, Cookie.
 *
 * Both stacks keep cookies (NSHTTPCookieStorage, OkHttp's CookieJar), which is how a device
 * cookie set by botgate survives between the app's calls.
 */
import type { ClientIdentity, ClientStack } from './template.js';

export const IOS_APP: ClientStack = {
  name: 'ios-app',
  templates: {
    get: [
      ['Host', '$host'],
      ['Cookie', '$cookie'],
      ['Connection', 'keep-alive'],
      ['Accept', 'application/json'],
      ['Authorization', '$auth'],
      ['User-Agent', '$ua'],
      ['Accept-Language', '$lang'],
      ['Accept-Encoding', 'br;q=1.0, gzip;q=0.9, deflate;q=0.8'],
    ],
    'post-json': [
      ['Host', '$host'],
      ['Content-Type', '$contentType'],
      ['Cookie', '$cookie'],
      ['Connection', 'keep-alive'],
      ['Accept', 'application/json'],
      ['Authorization', '$auth'],
      ['User-Agent', '$ua'],
      ['Accept-Language', '$lang'],
      ['Content-Length', '$length'],
      ['Accept-Encoding', 'br;q=1.0, gzip;q=0.9, deflate;q=0.8'],
    ],
  },
};

export const ANDROID_APP: ClientStack = {
  name: 'android-app',
  templates: {
    get: [
      ['Accept', 'application/json'],
      ['Authorization', '$auth'],
      ['User-Agent', '$ua'],
      ['Accept-Language', '$lang'],
      ['Host', '$host'],
      ['Connection', 'Keep-Alive'],
      ['Accept-Encoding', 'gzip'],
      ['Cookie', '$cookie'],
    ],
    'post-json': [
      ['Accept', 'application/json'],
      ['Authorization', '$auth'],
      ['User-Agent', '$ua'],
      ['Accept-Language', '$lang'],
      ['Content-Type', '$contentType'],
      ['Content-Length', '$length'],
      ['Host', '$host'],
      ['Connection', 'Keep-Alive'],
      ['Accept-Encoding', 'gzip'],
      ['Cookie', '$cookie'],
    ],
  },
};

export const APP_VERSIONS = ['4.12.0', '4.12.0', '4.12.0', '4.11.2', '4.11.2', '4.10.5'] as const;
export const IOS_VERSIONS = ['17.4.1', '17.4.1', '17.3.1', '17.5', '16.7.7'] as const;
export const ANDROID_DEVICES = [
  'Android 14; Pixel 8',
  'Android 14; SM-S918B',
  'Android 14; SM-A546B',
  'Android 13; SM-A536B',
  'Android 13; moto g54 5G',
  'Android 14; 2311DRK48G',
  'Android 12; SM-G991B',
] as const;

/** Build numbers follow the version, as App Store builds do. */
function build(version: string): string {
  return version.replaceAll('.', '').padEnd(4, '0');
}

export function iosAppIdentity(appVersion: string, iosVersion: string, locale = 'en-US'): ClientIdentity {
  const [language] = locale.split('-');
  return {
    stack: IOS_APP,
    userAgent: `DemoMarket/${appVersion} (com.demomarket.app; build:${build(appVersion)}; iOS ${iosVersion}) Alamofire/5.9.1`,
    acceptLanguage: locale === 'en-US' ? 'en-US;q=1.0' : `${locale};q=1.0, ${language};q=0.9, en-US;q=0.8`,
  };
}

export function androidAppIdentity(appVersion: string, device: string, locale = 'en-US'): ClientIdentity {
  return { stack: ANDROID_APP, userAgent: `DemoMarket/${appVersion} (${device})`, acceptLanguage: locale };
}
