/**
 * Credential stuffing from one host: a combo list run by a script on a rented server, a few
 * threads in parallel, no page visit. Built on python-requests with Chrome's User-Agent pasted in
 * (the most common shape of stuffing kits); everything else in the head is the library's.
 */
import { z } from 'zod';
import { hostingAddress } from '../addresses.js';
import { comboList } from '../credentials.js';
import { CHROME_MAJOR } from '../headers/chrome.js';
import { pythonRequestsIdentity } from '../headers/tools.js';
import type { Persona, PlannedSession } from '../persona.js';
import { comboOptions, endpoint } from './attacker-options.js';
import { tryLogin } from './login-try.js';

const options = z
  .object({
    /** Tries in the whole run, shared by the threads. */
    attempts: z.number().int().min(1).default(300),
    /** Tries a second, all threads together. */
    ratePerSecond: z.number().positive().default(5),
    endpoint: endpoint.default('form'),
    ...comboOptions,
  })
  .strict();

export const stuffingOneHostPersona: Persona<z.infer<typeof options>> = {
  name: 'stuffing-one-host',
  kind: 'attacker',
  summary: 'a combo list replayed from one server by a python-requests script with a Chrome User-Agent',
  session: 'one thread of the tool (all on the same address)',
  options,
  plan(ctx) {
    const ip = hostingAddress(ctx.random.fork('address'));
    const combos = comboList(ctx.random.fork('combos'), ctx.users, {
      size: ctx.options.attempts,
      realShare: ctx.options.realAccountShare,
      staleShare: ctx.options.staleShare,
    });
    const threads = Math.max(1, ctx.sessions);
    const gapMs = (threads * 1000) / ctx.options.ratePerSecond;
    const identity = pythonRequestsIdentity(
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR - 2}.0.0.0 Safari/537.36`,
    );
    return Array.from({ length: threads }, (_, thread): PlannedSession => {
      const mine = combos.filter((_, index) => index % threads === thread);
      return {
        startMs: ctx.window.startMs + (thread * gapMs) / threads,
        ip,
        identity,
        keepsCookies: true,
        async run(session) {
          for (const combo of mine) {
            await tryLogin(session, 'library', ctx.options.endpoint, combo);
            await session.think(gapMs * session.random.between(0.8, 1.2));
          }
        },
      };
    });
  },
};
