/**
 * Credential cracking: a few accounts singled out (real usernames, harvested from the site's
 * public pages), each tried with a long list of passwords (the commonest ones, then guesses built
 * from the name) until one works. It targets the mobile API with the app's own headers copied,
 * and rotates over a few addresses, as cracking through the API usually runs.
 */
import { z } from 'zod';
import { hostingPool } from '../addresses.js';
import { type Credential, crackingWordlist } from '../credentials.js';
import { androidAppIdentity } from '../headers/apps.js';
import { CHROME_MAJOR } from '../headers/chrome.js';
import { pythonRequestsIdentity } from '../headers/tools.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import { loginSucceeded } from '../session.js';
import { endpoint } from './attacker-options.js';
import { tryLogin } from './login-try.js';

const options = z
  .object({
    passwordsPerAccount: z.number().int().min(1).default(40),
    /** Share of targeted accounts whose real password is somewhere in their list. */
    realPasswordShare: z.number().min(0).max(1).default(0.5),
    /** Addresses the tries rotate over. */
    ips: z.number().int().min(1).default(3),
    /** Tries a second for one account. */
    ratePerSecond: z.number().positive().default(2),
    endpoint: endpoint.default('api'),
  })
  .strict();

export const crackingPersona: Persona<z.infer<typeof options>> = {
  name: 'cracking',
  kind: 'attacker',
  summary:
    'many passwords against a few real accounts, through the API with the mobile app’s headers, over a few addresses',
  session: 'one targeted account',
  options,
  plan(ctx) {
    const pool = hostingPool(ctx.random.fork('addresses'), ctx.options.ips);
    const targets = ctx.random.fork('targets').shuffled(ctx.users).slice(0, ctx.sessions);
    const starts = spreadStarts(ctx.random.fork('starts'), targets.length, ctx.window);
    const identity =
      ctx.options.endpoint === 'api'
        ? androidAppIdentity('4.12.0', 'Android 14; Pixel 8', 'en-US')
        : pythonRequestsIdentity(
            `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Safari/537.36`,
          );
    const size = ctx.options.passwordsPerAccount;
    return targets.map((user, index): PlannedSession => {
      const random = ctx.random.fork('plan', index);
      const correctAt = random.chance(ctx.options.realPasswordShare)
        ? random.int(Math.floor(size / 4), size - 1)
        : null;
      const list: Credential[] = crackingWordlist(random, user, size, correctAt).map((password) => ({
        username: user.username,
        password,
        realAccount: true,
        correct: password === user.password,
      }));
      return {
        startMs: starts[index] ?? ctx.window.startMs,
        ip: pool[index % pool.length] as string,
        identity,
        keepsCookies: true,
        async run(session) {
          for (const [n, credential] of list.entries()) {
            session.moveTo(pool[(index + n) % pool.length] as string);
            const reply = await tryLogin(session, 'library', ctx.options.endpoint, credential);
            if (loginSucceeded(reply)) return;
            await session.think((1000 / ctx.options.ratePerSecond) * session.random.between(0.7, 1.3));
          }
        },
      };
    });
  },
};
