/**
 * THC Hydra's http-post-form module run with a combo file (-C) against the login form from one
 * host: `Mozilla/5.0 (Hydra)`, a bare head, a new connection per try, several tasks in parallel,
 * as fast as the server answers up to the configured rate.
 */
import { z } from 'zod';
import { hostingAddress } from '../addresses.js';
import { comboList } from '../credentials.js';
import { hydraIdentity } from '../headers/tools.js';
import type { Persona, PlannedSession } from '../persona.js';
import { comboOptions } from './attacker-options.js';
import { tryLogin } from './login-try.js';

const options = z
  .object({
    attempts: z.number().int().min(1).default(200),
    /** Tries a second, all tasks together. */
    ratePerSecond: z.number().positive().default(15),
    ...comboOptions,
  })
  .strict();

export const hydraPersona: Persona<z.infer<typeof options>> = {
  name: 'hydra',
  kind: 'attacker',
  summary: 'THC Hydra http-post-form with a combo file, from one host, several tasks in parallel',
  session: 'one Hydra task (-t), all on the same address',
  options,
  plan(ctx) {
    const ip = hostingAddress(ctx.random.fork('address'));
    const combos = comboList(ctx.random.fork('combos'), ctx.users, {
      size: ctx.options.attempts,
      realShare: ctx.options.realAccountShare,
      staleShare: ctx.options.staleShare,
    });
    const tasks = Math.max(1, ctx.sessions);
    const gapMs = (tasks * 1000) / ctx.options.ratePerSecond;
    return Array.from(
      { length: tasks },
      (_, task): PlannedSession => ({
        startMs: ctx.window.startMs + (task * gapMs) / tasks,
        ip,
        identity: hydraIdentity(),
        keepsCookies: true,
        async run(session) {
          for (const combo of combos.filter((_, index) => index % tasks === task)) {
            // Hydra reports a hit and moves on; it never follows the redirect.
            await tryLogin(session, 'library', 'form', combo, false);
            await session.think(gapMs * session.random.between(0.9, 1.1));
          }
        },
      }),
    );
  },
};
