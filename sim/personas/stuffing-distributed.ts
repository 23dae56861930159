/**
 * Credential stuffing through a rotating residential proxy pool: thousands of home addresses
 * over many networks, one or two tries from each, spread over the whole run (low and slow), with
 * a head copied byte for byte from Chrome's own login form post (Origin, Referer, client hints,
 * fetch metadata), as TLS-impersonating tools send it. No page visit and no cookies: each exit
 * address is a fresh client. This is the hard case: nothing in one request or one address gives
 * it away.
 */
import { z } from 'zod';
import { residentialPool } from '../addresses.js';
import { comboList } from '../credentials.js';
import { chromeIdentity } from '../headers/chrome.js';
import type { Persona, PlannedSession } from '../persona.js';
import { spreadStarts } from '../persona.js';
import { comboOptions, endpoint } from './attacker-options.js';
import { tryLogin } from './login-try.js';

const options = z
  .object({
    /** Share of addresses that make a second try (the others make one). */
    secondTryShare: z.number().min(0).max(1).default(0.5),
    /** Median pause between an address's two tries, in seconds. */
    secondTryAfterSeconds: z.number().min(0).default(8),
    endpoint: endpoint.default('form'),
    ...comboOptions,
  })
  .strict();

export const stuffingDistributedPersona: Persona<z.infer<typeof options>> = {
  name: 'stuffing-distributed',
  kind: 'attacker',
  summary:
    'the same combo list through thousands of residential proxy addresses, one or two tries each, Chrome-identical headers',
  session: 'one proxy exit address',
  options,
  plan(ctx) {
    const ips = residentialPool(ctx.random.fork('addresses'), ctx.sessions);
    const tries = ips.map((_, index) => (ctx.random.fork('tries', index).chance(ctx.options.secondTryShare) ? 2 : 1));
    const combos = comboList(ctx.random.fork('combos'), ctx.users, {
      size: tries.reduce((a, b) => a + b, 0),
      realShare: ctx.options.realAccountShare,
      staleShare: ctx.options.staleShare,
    });
    const starts = spreadStarts(ctx.random.fork('starts'), ips.length, ctx.window);
    const identity = chromeIdentity('windows', 'en-US');
    let next = 0;
    return ips.map((ip, index): PlannedSession => {
      const mine = combos.slice(next, next + (tries[index] ?? 1));
      next += mine.length;
      return {
        startMs: starts[index] ?? ctx.window.startMs,
        ip,
        identity,
        keepsCookies: true,
        async run(session) {
          for (const [n, combo] of mine.entries()) {
            if (n > 0) await session.think(session.random.logNormal(ctx.options.secondTryAfterSeconds * 1000, 0.4));
            await tryLogin(session, 'browser-copy', ctx.options.endpoint, combo);
          }
        },
      };
    });
  },
};
