/**
 * Credential stuffing with a headless browser (Puppeteer or Playwright): each browser context
 * gets its own residential proxy, loads the login page with its assets like any browser, keeps
 * its cookies, fills the form the instant the page is ready and submits; after a failure the
 * form is back on screen and the next credentials go in. Most operators disguise the browser
 * (stealth plugins: a normal Chrome User-Agent and brand list, identical headers); the rest run it
 * stock, with "HeadlessChrome" in the User-Agent.
 */
import { z } from 'zod';
import { residentialPool } from '../addresses.js';
import { Browser } from '../browser.js';
import { comboList } from '../credentials.js';
import { chromeIdentity, headlessChromeIdentity } from '../headers/chrome.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import { loginSucceeded } from '../session.js';
import { comboOptions } from './attacker-options.js';

const options = z
  .object({
    attemptsPerSession: z.number().int().min(1).default(5),
    /** Share of contexts disguised as a normal Chrome. */
    stealthShare: z.number().min(0).max(1).default(0.75),
    ...comboOptions,
  })
  .strict();

export const headlessStufferPersona: Persona<z.infer<typeof options>> = {
  name: 'headless-stuffer',
  kind: 'attacker',
  summary: 'a headless Chrome per proxy: loads the login page, keeps cookies, submits the form in well under a second',
  session: 'one browser context on one proxy address',
  options,
  plan(ctx) {
    const per = ctx.options.attemptsPerSession;
    const ips = residentialPool(ctx.random.fork('addresses'), ctx.sessions);
    const combos = comboList(ctx.random.fork('combos'), ctx.users, {
      size: ctx.sessions * per,
      realShare: ctx.options.realAccountShare,
      staleShare: ctx.options.staleShare,
    });
    const starts = spreadStarts(ctx.random.fork('starts'), ips.length, ctx.window);
    return ips.map((ip, index): PlannedSession => {
      const stealth = ctx.random.fork('plan', index).chance(ctx.options.stealthShare);
      const mine = combos.slice(index * per, (index + 1) * per);
      return {
        startMs: starts[index] ?? ctx.window.startMs,
        ip,
        identity: stealth ? chromeIdentity('windows', 'en-US') : headlessChromeIdentity(),
        keepsCookies: true,
        async run(session) {
          const browser = new Browser(session);
          let onForm = false;
          for (const combo of mine) {
            if (!onForm) {
              const page = await browser.open('/login', 'typed');
              if (page.status !== 200) return;
            }
            // Waits for the page to settle, fills both fields programmatically, clicks.
            await session.think(session.random.int(150, 600));
            const reply = await browser.submit(
              '/login',
              { username: combo.username, password: combo.password },
              { flow: 'login', attempt: true, credential: combo },
            );
            // After a failure the form is on screen again; after a hit the script starts over.
            onForm = reply.status === 200 && !loginSucceeded(reply);
          }
        },
      };
    });
  },
};
