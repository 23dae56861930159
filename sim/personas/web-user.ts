/**
 * Real people in a web browser, on a desktop or a phone. A visit opens the home page (typed, or
 * from a search result), reads, looks at listings, and then does what it came for:
 * - login: opens the sign-in page, types (seconds), submits the form, follows the redirect to
 *   the account page; a typo shows the error, the person reads it and types the password again;
 * - comment: opens a listing, writes a comment in their own words, signs in through the page's
 *   script (the demo's comments need an API token) and posts it;
 * - signup: fills the signup form (the page's script posts JSON), picks another username if the
 *   first is taken, then signs in with the new account;
 * - browse: pages only.
 * A person who meets one of botgate's refusals (a block, a challenge the simulator cannot solve
 * yet, a rate limit) leaves, as people do.
 */
import { Browser } from '../browser.js';
import { mistype } from '../credentials.js';
import { desktopBrowser, mobileBrowser } from '../headers/population.js';
import { tokenOf } from '../http-client.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import type { Random } from '../random.js';
import type { Session } from '../session.js';
import { loginSucceeded } from '../session.js';
import { LISTING_COUNT, listingFacts } from '../site.js';
import { humanComment } from '../texts/comments.js';
import { anotherUsername, personSigningUp } from '../texts/people.js';
import { type HumanOptions, humanOptions, intentOf, looksLikeWrongPassword, people } from './human-options.js';

/** Share of visits whose browser already has the demo's assets from a visit within the hour. */
const WARM_CACHE_SHARE = 0.4;
/** Share of visits that arrive from a search engine rather than a typed address or bookmark. */
const FROM_SEARCH_SHARE = 0.3;

interface Account {
  readonly username: string;
  readonly password: string;
  readonly realAccount: boolean;
}

function webUser(device: 'desktop' | 'mobile'): Persona<HumanOptions> {
  return {
    name: `${device}-browser`,
    kind: 'human',
    summary:
      device === 'desktop'
        ? 'a person in Chrome, Edge, Safari or Firefox on a computer: browses, signs in, signs up, comments'
        : 'a person in Safari on an iPhone or Chrome on Android: browses, signs in, signs up, comments',
    session: 'one visit',
    options: humanOptions,
    plan(ctx) {
      const starts = spreadStarts(ctx.random.fork('starts'), ctx.sessions, ctx.window);
      const population = people(ctx.random, ctx.sessions, ctx.options, ctx.users, ctx.sharedAddresses, (random) => ({
        identity: device === 'desktop' ? desktopBrowser(random) : mobileBrowser(random),
        warm: random.chance(WARM_CACHE_SHARE),
      }));
      return starts.map((startMs, index): PlannedSession => {
        const random = ctx.random.fork('plan', index);
        const person = population.personOf(index);
        const intent = intentOf(random, ctx.options);
        const arrival = random.chance(FROM_SEARCH_SHARE) ? 'search' : 'typed';
        // A later visit finds the assets in the cache the first one filled.
        const warm = person.client.warm || population.visitNumber(index) > 0;
        const account: Account = { username: person.user.username, password: person.user.password, realAccount: true };
        return {
          startMs,
          ip: person.ip,
          identity: person.client.identity,
          client: `person-${person.index}`,
          keepsCookies: true,
          async run(session) {
            const browser = new Browser(session, warm);
            const home = await browser.open('/', arrival);
            if (home.status !== 200) return;
            await session.think(session.pace.reading(session.random));
            switch (intent) {
              case 'login':
                await browseListings(browser, session, session.random.int(0, 2));
                if (await formLogin(browser, session, account, ctx.options.typoRate)) {
                  await browseListings(browser, session, session.random.int(0, 2));
                }
                return;
              case 'comment':
                await comment(browser, session, account, ctx.options.typoRate);
                return;
              case 'signup':
                await signup(browser, session, ctx.options.typoRate);
                return;
              case 'browse':
                await browseListings(browser, session, session.random.int(1, 4));
                return;
            }
          },
        };
      });
    },
  };
}

export const desktopBrowserPersona = webUser('desktop');
export const mobileBrowserPersona = webUser('mobile');

function randomListing(random: Random): number {
  return 1 + random.below(LISTING_COUNT);
}

async function browseListings(browser: Browser, session: Session, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await browser.open(`/listings/${randomListing(session.random)}`);
    if (reply.status !== 200) return;
    await session.think(session.pace.reading(session.random));
  }
}

/** Signs in through the form; true when the account page was reached. */
async function formLogin(browser: Browser, session: Session, account: Account, typoRate: number): Promise<boolean> {
  const page = await browser.open('/login');
  if (page.status !== 200) return false;
  const { random, pace } = session;
  await session.think(pace.typingCredentials(random, account.username, account.password));
  let typed = random.chance(typoRate) ? mistype(random, account.password) : account.password;
  for (let tries = 0; tries < 3; tries++) {
    const reply = await browser.submit(
      '/login',
      { username: account.username, password: typed },
      {
        flow: 'login',
        credential: {
          username: account.username,
          realAccount: account.realAccount,
          correct: typed === account.password,
        },
      },
    );
    if (loginSucceeded(reply)) return true;
    if (!looksLikeWrongPassword(reply)) return false;
    await session.think(pace.retyping(random, account.password));
    typed = random.chance(typoRate / 2) ? mistype(random, account.password) : account.password;
  }
  return false;
}

/** Signs in through the page's script (fetch to /api/login); the token, or undefined. */
async function scriptLogin(
  browser: Browser,
  session: Session,
  account: Account,
  typoRate: number,
): Promise<string | undefined> {
  const { random, pace } = session;
  await session.think(pace.typingCredentials(random, account.username, account.password));
  let typed = random.chance(typoRate) ? mistype(random, account.password) : account.password;
  for (let tries = 0; tries < 3; tries++) {
    const reply = await browser.fetchJson(
      '/api/login',
      { username: account.username, password: typed },
      {
        flow: 'login',
        credential: {
          username: account.username,
          realAccount: account.realAccount,
          correct: typed === account.password,
        },
      },
    );
    const token = tokenOf(reply);
    if (token !== undefined) return token;
    if (!looksLikeWrongPassword(reply)) return undefined;
    await session.think(pace.retyping(random, account.password));
    typed = random.chance(typoRate / 2) ? mistype(random, account.password) : account.password;
  }
  return undefined;
}

async function comment(browser: Browser, session: Session, account: Account, typoRate: number): Promise<void> {
  const { random, pace } = session;
  const id = randomListing(random);
  const page = await browser.open(`/listings/${id}`);
  if (page.status !== 200) return;
  await session.think(pace.reading(random));
  const text = humanComment(random, listingFacts(id));
  await session.think(pace.writing(random, text.length));
  const token = await scriptLogin(browser, session, account, typoRate);
  if (token === undefined) return;
  const posted = await browser.fetchJson(`/api/listings/${id}/comments`, { text }, { flow: 'comment', token });
  if (posted.status === 201) {
    await session.think(pace.glance(random));
    await browser.open(`/listings/${id}`);
  }
}

async function signup(browser: Browser, session: Session, typoRate: number): Promise<void> {
  const { random, pace } = session;
  const page = await browser.open('/signup');
  if (page.status !== 200) return;
  let account = personSigningUp(random);
  await session.think(
    pace.fillingSignup(random, account.username.length + account.email.length + account.password.length * 2),
  );
  for (let tries = 0; ; tries++) {
    const reply = await browser.fetchJson('/api/signup', account, { flow: 'signup' });
    if (reply.status === 201) break;
    if (reply.status !== 409 || tries === 2) return;
    await session.think(pace.glance(random));
    account = { ...account, username: anotherUsername(random, account.username) };
  }
  await session.think(pace.glance(random));
  await formLogin(
    browser,
    session,
    { username: account.username, password: account.password, realAccount: false },
    typoRate,
  );
}
