/**
 * Real people in the marketplace's mobile app (iOS and Android builds). The app talks JSON to
 * the API, keeps cookies in its HTTP stack, and never loads pages: a session opens the app
 * (the listings), looks at a few, and then signs in (typing, seconds, the odd typo), signs in and
 * comments, signs up, or only browses. Shared addresses are more common here: phones sit behind
 * carrier-grade NAT.
 */
import { mistype } from '../credentials.js';
import { appInstall } from '../headers/population.js';
import { HttpClient, tokenOf } from '../http-client.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import type { Session } from '../session.js';
import { LISTING_COUNT, listingFacts } from '../site.js';
import { humanComment } from '../texts/comments.js';
import { anotherUsername, personSigningUp } from '../texts/people.js';
import { type HumanOptions, humanOptions, intentOf, looksLikeWrongPassword, people } from './human-options.js';

export const mobileAppPersona: Persona<HumanOptions> = {
  name: 'mobile-app',
  kind: 'human',
  summary: "a person in the marketplace's iOS or Android app: JSON API, cookies kept, signs in, signs up, comments",
  session: 'one use of the app',
  options: humanOptions,
  plan(ctx) {
    const starts = spreadStarts(ctx.random.fork('starts'), ctx.sessions, ctx.window);
    const population = people(ctx.random, ctx.sessions, ctx.options, ctx.users, ctx.sharedAddresses, appInstall);
    return starts.map((startMs, index): PlannedSession => {
      const random = ctx.random.fork('plan', index);
      const person = population.personOf(index);
      const intent = intentOf(random, ctx.options);
      const user = person.user;
      return {
        startMs,
        ip: person.ip,
        identity: person.client,
        client: `install-${person.index}`,
        keepsCookies: true,
        async run(session) {
          const app = new HttpClient(session);
          const { random: r, pace } = session;
          const list = await app.get('/api/listings', { flow: 'api' });
          if (list.status !== 200) return;
          let listing = 1 + r.below(LISTING_COUNT);
          for (let i = r.int(1, 3); i > 0; i--) {
            await session.think(pace.glance(r));
            listing = 1 + r.below(LISTING_COUNT);
            const detail = await app.get(`/api/listings/${listing}`, { flow: 'api' });
            if (detail.status !== 200) return;
            await session.think(pace.reading(r));
          }
          switch (intent) {
            case 'login':
              await apiLogin(app, session, user.username, user.password, true, ctx.options.typoRate);
              return;
            case 'comment': {
              const text = humanComment(r, listingFacts(listing));
              await session.think(pace.writing(r, text.length));
              const token = await apiLogin(app, session, user.username, user.password, true, ctx.options.typoRate);
              if (token !== undefined)
                await app.postJson(`/api/listings/${listing}/comments`, { text }, { flow: 'comment', token });
              return;
            }
            case 'signup': {
              let account = personSigningUp(r);
              await session.think(
                pace.fillingSignup(r, account.username.length + account.email.length + account.password.length * 2),
              );
              for (let tries = 0; ; tries++) {
                const reply = await app.postJson('/api/signup', account, { flow: 'signup' });
                if (reply.status === 201) break;
                if (reply.status !== 409 || tries === 2) return;
                await session.think(pace.glance(r));
                account = { ...account, username: anotherUsername(r, account.username) };
              }
              await apiLogin(app, session, account.username, account.password, false, ctx.options.typoRate);
              return;
            }
            case 'browse':
              return;
          }
        },
      };
    });
  },
};

async function apiLogin(
  app: HttpClient,
  session: Session,
  username: string,
  password: string,
  realAccount: boolean,
  typoRate: number,
): Promise<string | undefined> {
  const { random, pace } = session;
  await session.think(pace.typingCredentials(random, username, password));
  let typed = random.chance(typoRate) ? mistype(random, password) : password;
  for (let tries = 0; tries < 3; tries++) {
    const reply = await app.postJson(
      '/api/login',
      { username, password: typed },
      { flow: 'login', credential: { username, realAccount, correct: typed === password } },
    );
    const token = tokenOf(reply);
    if (token !== undefined) return token;
    if (!looksLikeWrongPassword(reply)) return undefined;
    await session.think(pace.retyping(random, password));
    typed = random.chance(typoRate / 2) ? mistype(random, password) : password;
  }
  return undefined;
}
