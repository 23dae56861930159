/**
 * Password spraying: a handful of the commonest passwords, each tried once against many
 * usernames (most of them real, scraped from the site, the rest guessed), slowly, so that no
 * account sees more than one failure per round and no lockout trips. Runs from a few residential
 * addresses with python-requests and a Firefox User-Agent.
 */
import { z } from 'zod';
import { residentialPool } from '../addresses.js';
import { COMMON_PASSWORDS, type Credential, foreignUsername } from '../credentials.js';
import { pythonRequestsIdentity } from '../headers/tools.js';
import type { Persona, PlannedSession } from '../persona.js';
import { endpoint } from './attacker-options.js';
import { tryLogin } from './login-try.js';

const options = z
  .object({
    /** Passwords sprayed, one round each (taken from the top of the common-password list). */
    passwords: z.number().int().min(1).max(COMMON_PASSWORDS.length).default(3),
    usernames: z.number().int().min(1).default(150),
    /** Share of the usernames that are accounts here. */
    realUsernameShare: z.number().min(0).max(1).default(0.7),
    /** Tries a second, all addresses together. */
    ratePerSecond: z.number().positive().default(2),
    endpoint: endpoint.default('form'),
  })
  .strict();

export const sprayingPersona: Persona<z.infer<typeof options>> = {
  name: 'spraying',
  kind: 'attacker',
  summary: 'a few common passwords, each tried once across many usernames, slowly, from a few addresses',
  session: 'one source address (the usernames are split between them)',
  options,
  plan(ctx) {
    const random = ctx.random.fork('targets');
    const known = new Set(ctx.users.map((user) => user.username.toLowerCase()));
    const real = random.shuffled(ctx.users);
    const usernames = Array.from({ length: ctx.options.usernames }, (_, i) =>
      random.chance(ctx.options.realUsernameShare) && i < real.length
        ? {
            username: (real[i] as (typeof real)[number]).username,
            realAccount: true,
            password: (real[i] as (typeof real)[number]).password,
          }
        : { username: foreignUsername(random, known), realAccount: false, password: '' },
    );
    const passwords = random.shuffled(COMMON_PASSWORDS.slice(0, 12)).slice(0, ctx.options.passwords);
    const sources = Math.max(1, ctx.sessions);
    const ips = residentialPool(ctx.random.fork('addresses'), sources);
    const gapMs = (sources * 1000) / ctx.options.ratePerSecond;
    const identity = pythonRequestsIdentity(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
    );
    return ips.map((ip, source): PlannedSession => {
      const mine: Credential[] = [];
      for (const password of passwords) {
        usernames.forEach((target, index) => {
          if (index % sources === source) {
            mine.push({
              username: target.username,
              password,
              realAccount: target.realAccount,
              correct: target.password === password,
            });
          }
        });
      }
      return {
        startMs: ctx.window.startMs + (source * gapMs) / sources,
        ip,
        identity,
        keepsCookies: true,
        async run(session) {
          for (const credential of mine) {
            await tryLogin(session, 'library', ctx.options.endpoint, credential);
            await session.think(gapMs * session.random.between(0.8, 1.2));
          }
        },
      };
    });
  },
};
