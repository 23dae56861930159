/**
 * Comment spam: each fresh account is created on the spot (throwaway or patterned address),
 * signs in through the API right away and posts the campaign's templated, lightly spun text with
 * its link or handle under several listings, seconds apart. Replays Chrome's fetch headers from a
 * small proxy pool.
 */
import { z } from 'zod';
import { residentialPool } from '../addresses.js';
import { Browser } from '../browser.js';
import { chromeIdentity } from '../headers/chrome.js';
import { tokenOf } from '../http-client.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import { LISTING_COUNT } from '../site.js';
import { fakeAccount, fakeAccountCampaign } from '../texts/fake-accounts.js';
import { SPAM_TEMPLATE_COUNT, spamComment } from '../texts/spam.js';

const options = z
  .object({
    commentsPerAccount: z.number().int().min(1).default(5),
    ips: z.number().int().min(1).default(8),
    /** How many of the spam templates the campaign uses. */
    templates: z.number().int().min(1).max(SPAM_TEMPLATE_COUNT).default(2),
  })
  .strict();

export const commentSpamPersona: Persona<z.infer<typeof options>> = {
  name: 'comment-spam',
  kind: 'attacker',
  summary: 'fresh accounts posting templated, lightly varied comments with links under many listings',
  session: 'one freshly created account',
  options,
  plan(ctx) {
    const campaign = fakeAccountCampaign(ctx.random.fork('campaign'));
    const pool = residentialPool(ctx.random.fork('addresses'), ctx.options.ips);
    const firstTemplate = ctx.random.fork('templates').below(SPAM_TEMPLATE_COUNT);
    const starts = spreadStarts(ctx.random.fork('starts'), ctx.sessions, ctx.window);
    const identity = chromeIdentity('windows', 'en-US');
    return starts.map((startMs, index): PlannedSession => {
      const random = ctx.random.fork('plan', index);
      const account = fakeAccount(random, campaign, index, random.chance(0.6) ? 'disposable' : 'patterned');
      const template = firstTemplate + random.below(ctx.options.templates);
      return {
        startMs,
        ip: pool[index % pool.length] as string,
        identity,
        keepsCookies: true,
        async run(session) {
          const browser = new Browser(session);
          browser.pretendOn('/signup');
          const created = await browser.fetchJson(
            '/api/signup',
            { username: account.username, email: account.email, password: account.password },
            { flow: 'signup', attempt: true },
          );
          if (created.status !== 201) return;
          await session.think(session.random.int(300, 1500));
          const login = await browser.fetchJson(
            '/api/login',
            { username: account.username, password: account.password },
            { flow: 'login', credential: { username: account.username, realAccount: false, correct: true } },
          );
          const token = tokenOf(login);
          if (token === undefined) return;
          for (let n = 0; n < ctx.options.commentsPerAccount; n++) {
            const listing = 1 + session.random.below(LISTING_COUNT);
            browser.pretendOn(`/listings/${listing}`);
            await session.think(session.random.int(800, 4000));
            await browser.fetchJson(
              `/api/listings/${listing}/comments`,
              { text: spamComment(session.random, template) },
              { flow: 'comment', attempt: true, token },
            );
          }
        },
      };
    });
  },
};
