/**
 * An e-mail address as fake-account detection sees it: the one mailbox it delivers to, whether
 * the domain is a throwaway one, and whether the local part looks machine-made. Pure and
 * synchronous; the only data is the disposable-domain list, loaded once.
 *
 * One mailbox, one key. Providers deliver many spellings to one inbox, and an attacker who opens
 * a hundred accounts on one Gmail address uses exactly those spellings:
 * - every provider: case, Unicode look-alikes (`gmаil` with a Cyrillic а), and `+tag`
 *   sub-addressing (RFC 5233; Gmail, Outlook, iCloud, Fastmail, Proton, Zoho… deliver
 *   `anna+x@` to `anna@`). A `+` inside a real, distinct mailbox name is vanishingly rare, so
 *   tags are folded for every domain;
 * - Gmail (and googlemail.com, the same service): dots are ignored (`a.n.n.a` is `anna`);
 * - Yahoo: `base-keyword@` disposable addresses deliver to the base (Yahoo ids cannot hold `-`).
 * Dots elsewhere are significant (Outlook's `a.nna` and `anna` are two people), and so are
 * custom domains, whose rules nobody outside can know.
 *
 * Disposable domains come from the `mailchecker` package (MIT, ~56 000 domains, a release every
 * few weeks; `npm update mailchecker` refreshes it, see docs/detection.md). A subdomain of a
 * listed domain is disposable too. A few privacy relays that the list carries (Firefox Relay,
 * DuckDuckGo, SimpleLogin, addy.io) are long-lived forwarding addresses that real people use to
 * keep their inbox private, not throwaway inboxes, so they are reported as `relay`, not disposable.
 */
import { createRequire } from 'node:module';
import { foldLookalikes, hasMixedLookalikes } from './text-sketch.js';

/** How a local part looks machine-made; scored, never blocked alone (people pick odd names too). */
export type LocalPartPattern =
  /** A name followed or broken by a long run of digits (`anna.kowalska48213`), years excepted. */
  | 'digit-run'
  /** Random-looking: no pronounceable shape (`xk7qzv2tpw`, `b3f9c1d7e2`). */
  | 'random';

export interface EmailAddress {
  /** `local@domain` after the provider's folding: one string per inbox. */
  readonly mailbox: string;
  /** The domain, folded (`googlemail.com` → `gmail.com`). */
  readonly domain: string;
  /**
   * The mailbox with every run of digits replaced by `#` (`anna#@gmail.com`), when its local part
   * mixes letters and digits; null otherwise. Addresses in one numbered series share it.
   */
  readonly stem: string | null;
  readonly disposable: boolean;
  /** A privacy-relay domain: forwarding, not throwaway. */
  readonly relay: boolean;
  /** The address mixes Latin letters with look-alikes from another script. */
  readonly lookalike: boolean;
  readonly pattern: LocalPartPattern | null;
}

const require = createRequire(import.meta.url);
const DISPOSABLE: ReadonlySet<string> = (require('mailchecker') as { blacklist(): Set<string> }).blacklist();

/** Privacy relays on the disposable list that are not throwaway inboxes (see the header). */
const RELAYS: ReadonlySet<string> = new Set([
  'duck.com',
  'mozmail.com',
  'relay.firefox.com',
  'simplelogin.com',
  'simplelogin.co',
  'simplelogin.fr',
  'slmail.me',
  'aleeas.com',
  'anonaddy.com',
  'anonaddy.me',
  'addy.io',
  'passmail.net',
  'privaterelay.appleid.com',
]);

const DOMAIN_ALIASES: Readonly<Record<string, string>> = { 'googlemail.com': 'gmail.com' };
const DOTLESS: ReadonlySet<string> = new Set(['gmail.com']);
const YAHOO: ReadonlySet<string> = new Set(['ymail.com', 'rocketmail.com']);
/** yahoo.com and its national domains (yahoo.fr, yahoo.co.uk, yahoo.com.br). */
const YAHOO_NATIONAL = /^yahoo\.(?:[a-z]{2,3}\.)?[a-z]{2,3}$/;

function isYahoo(domain: string): boolean {
  return YAHOO.has(domain) || YAHOO_NATIONAL.test(domain);
}

/** Whether `domain` (lower-case) or a parent of it is on the disposable list and is no relay. */
export function isDisposableDomain(domain: string): boolean {
  for (let d = domain; d.length > 0; ) {
    if (RELAYS.has(d)) return false;
    if (DISPOSABLE.has(d)) return true;
    const dot = d.indexOf('.');
    if (dot < 0) break;
    d = d.slice(dot + 1);
  }
  return false;
}

function isRelayDomain(domain: string): boolean {
  for (let d = domain; d.length > 0; ) {
    if (RELAYS.has(d)) return true;
    const dot = d.indexOf('.');
    if (dot < 0) break;
    d = d.slice(dot + 1);
  }
  return false;
}

/**
 * The address as detection sees it, or null when it is not an address (no `@`, an empty part,
 * a domain without a dot). Expects any case and Unicode; callers need not normalise first.
 */
export function parseEmail(address: string): EmailAddress | null {
  const lookalike = hasMixedLookalikes(address);
  const folded = foldLookalikes(address.trim());
  const at = folded.lastIndexOf('@');
  if (at <= 0 || at === folded.length - 1) return null;
  let domain = folded.slice(at + 1);
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (!domain.includes('.') || domain.startsWith('.')) return null;
  domain = DOMAIN_ALIASES[domain] ?? domain;

  let local = folded.slice(0, at);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS.has(domain)) local = local.replaceAll('.', '');
  if (isYahoo(domain)) {
    const dash = local.indexOf('-');
    if (dash > 0) local = local.slice(0, dash);
  }
  if (local.length === 0) return null;

  const hasDigit = /\d/.test(local);
  const stem = hasDigit && /\p{L}/u.test(local) ? `${local.replace(/\d+/g, '#')}@${domain}` : null;
  // A relay generates its addresses on a person's behalf: their shape says nothing.
  const relay = isRelayDomain(domain);
  return {
    mailbox: `${local}@${domain}`,
    domain,
    stem: relay ? null : stem,
    disposable: !relay && isDisposableDomain(domain),
    relay,
    lookalike,
    pattern: relay ? null : localPartPattern(local),
  };
}

const VOWELS = /[aeiouy]/;
const YEAR = /^(?:19[4-9]\d|20[0-3]\d)$/;

/**
 * How machine-made a local part looks. Only shapes a person rarely picks, so that a real
 * `anna.k` or `jsmith84` or `1987maria` scores nothing:
 * - digit-run: letters and a run of five or more digits, or of four that is not a year;
 *   all-digit local parts are left alone (QQ mail addresses are numbers);
 * - random: eight or more letters and digits that alternate four or more times (`a7k2m9x3`),
 *   or eight or more letters with a run of six consonants or almost no vowels (`xkqzvbtw`).
 */
export function localPartPattern(local: string): LocalPartPattern | null {
  const letters = local.replace(/[^\p{L}]/gu, '');
  if (letters.length === 0) return null;
  const runs = local.match(/\d+/g);
  if (runs !== null) {
    for (const run of runs) {
      if (run.length >= 5 || (run.length === 4 && !YEAR.test(run))) return 'digit-run';
    }
  }
  const alnum = local.replace(/[^\p{L}\p{N}]/gu, '');
  if (alnum.length >= 8) {
    let switches = 0;
    for (let i = 1; i < alnum.length; i++) {
      if (isDigit(alnum.charCodeAt(i)) !== isDigit(alnum.charCodeAt(i - 1))) switches++;
    }
    if (switches >= 4) return 'random';
  }
  if (letters.length >= 8 && /^[a-z]+$/.test(letters)) {
    let run = 0;
    let longest = 0;
    let vowels = 0;
    for (const c of letters) {
      if (VOWELS.test(c)) {
        vowels++;
        run = 0;
      } else if (++run > longest) longest = run;
    }
    if (longest >= 6 || vowels / letters.length < 0.15) return 'random';
  }
  return null;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
