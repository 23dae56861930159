/**
 * Fake account creation in bulk: a script replaying the signup page's JSON request with Chrome's
 * headers, through a small pool of residential proxies, one account after another: throwaway
 * mail domains, patterned names, one Gmail mailbox written a hundred ways, one password for all.
 * A minority of runs load the signup page first, as a headless browser would.
 */
import { z } from 'zod';
import { residentialPool } from '../addresses.js';
import { Browser } from '../browser.js';
import { chromeIdentity } from '../headers/chrome.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import { fakeAccount, fakeAccountCampaign } from '../texts/fake-accounts.js';

export const fakeEmailStyles = z
  .object({ disposable: z.number().min(0), patterned: z.number().min(0), 'gmail-tricks': z.number().min(0) })
  .strict()
  .refine((w) => w.disposable + w.patterned + w['gmail-tricks'] > 0, 'at least one style needs a weight above 0');

const options = z
  .object({
    /** Proxy addresses the accounts are created from, in turn. */
    ips: z.number().int().min(1).default(12),
    styles: fakeEmailStyles.default({ disposable: 50, patterned: 20, 'gmail-tricks': 30 }),
    /** Share of accounts whose run loads the signup page first. */
    pageVisitShare: z.number().min(0).max(1).default(0.2),
  })
  .strict();

export const fakeSignupsPersona: Persona<z.infer<typeof options>> = {
  name: 'fake-signups',
  kind: 'attacker',
  summary: 'bulk signups: throwaway domains, patterned names, dot and plus tricks on one Gmail mailbox, one password',
  session: 'one account to create',
  options,
  plan(ctx) {
    const campaign = fakeAccountCampaign(ctx.random.fork('campaign'));
    const pool = residentialPool(ctx.random.fork('addresses'), ctx.options.ips);
    const starts = spreadStarts(ctx.random.fork('starts'), ctx.sessions, ctx.window);
    const identity = chromeIdentity('windows', 'en-US');
    return starts.map((startMs, index): PlannedSession => {
      const random = ctx.random.fork('plan', index);
      const account = fakeAccount(random, campaign, index, random.weighted(ctx.options.styles));
      const visit = random.chance(ctx.options.pageVisitShare);
      return {
        startMs,
        ip: pool[index % pool.length] as string,
        identity,
        keepsCookies: true,
        async run(session) {
          const browser = new Browser(session);
          if (visit) {
            const page = await browser.open('/signup', 'typed');
            if (page.status !== 200) return;
            await session.think(session.random.int(200, 1200));
          } else {
            browser.pretendOn('/signup');
          }
          await browser.fetchJson(
            '/api/signup',
            { username: account.username, email: account.email, password: account.password },
            { flow: 'signup', attempt: true },
          );
        },
      };
    });
  },
};
