/**
 * Which browser or app a simulated person uses, weighted roughly as a consumer marketplace's
 * traffic is split (desktop: Chrome and Edge most, then Safari on Macs, then Firefox; mobile:
 * Safari on iPhones a little ahead of Chrome on Android), and the language they read.
 */
import type { Random } from '../random.js';
import { ANDROID_DEVICES, APP_VERSIONS, androidAppIdentity, IOS_VERSIONS, iosAppIdentity } from './apps.js';
import { chromeIdentity } from './chrome.js';
import { firefoxIdentity } from './firefox.js';
import { safariIdentity } from './safari.js';
import type { ClientIdentity } from './template.js';

const LOCALES = { 'en-US': 55, 'en-GB': 15, 'de-DE': 10, 'fr-FR': 10, 'es-ES': 10 } as const;

export function locale(random: Random): string {
  return random.weighted(LOCALES);
}

const DESKTOP = {
  'chrome-windows': 42,
  'chrome-macos': 13,
  'edge-windows': 12,
  'safari-macos': 21,
  'firefox-windows': 8,
  'firefox-macos': 2,
  'firefox-linux': 2,
} as const;

export function desktopBrowser(random: Random): ClientIdentity {
  const lang = locale(random);
  switch (random.weighted(DESKTOP)) {
    case 'chrome-windows':
      return chromeIdentity('windows', lang);
    case 'chrome-macos':
      return chromeIdentity('macos', lang);
    case 'edge-windows':
      return chromeIdentity('edge-windows', lang);
    case 'safari-macos':
      return safariIdentity('macos', lang);
    case 'firefox-windows':
      return firefoxIdentity('windows', lang);
    case 'firefox-macos':
      return firefoxIdentity('macos', lang);
    case 'firefox-linux':
      return firefoxIdentity('linux', lang);
  }
}

const MOBILE = { 'safari-iphone': 52, 'chrome-android': 43, 'safari-ipad': 5 } as const;

export function mobileBrowser(random: Random): ClientIdentity {
  const lang = locale(random);
  switch (random.weighted(MOBILE)) {
    case 'safari-iphone':
      return safariIdentity('iphone', lang);
    case 'chrome-android':
      return chromeIdentity('android', lang);
    case 'safari-ipad':
      return safariIdentity('ipad', lang);
  }
}

export function appInstall(random: Random): ClientIdentity {
  const lang = locale(random);
  const version = random.pick(APP_VERSIONS);
  return random.chance(0.55)
    ? iosAppIdentity(version, random.pick(IOS_VERSIONS), lang)
    : androidAppIdentity(version, random.pick(ANDROID_DEVICES), lang);
}
