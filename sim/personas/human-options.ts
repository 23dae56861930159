/**
 * Options every human persona shares, and the few decisions common to all of them: what a visit
 * is for, which account is theirs, whether they sit behind a shared address.
 */
import { z } from 'zod';
import type { DemoUser } from '../../src/demo/users.js';
import { residentialAddress } from '../addresses.js';
import type { Random } from '../random.js';
import type { Reply } from '../transport.js';

export const INTENTS = ['login', 'comment', 'signup', 'browse'] as const;
export type Intent = (typeof INTENTS)[number];

export const humanOptions = z
  .object({
    /** Relative weights of what a visit is for. */
    intents: z
      .object({
        login: z.number().min(0),
        comment: z.number().min(0),
        signup: z.number().min(0),
        browse: z.number().min(0),
      })
      .strict()
      .refine((w) => w.login + w.comment + w.signup + w.browse > 0, 'at least one intent needs a weight above 0')
      .default({ login: 60, comment: 15, signup: 10, browse: 15 }),
    /** Chance that a typed password has a typo (then the person reads the error and types it again). */
    typoRate: z.number().min(0).max(1).default(0.08),
    /** Share of people behind one of the scenario's carrier NAT or office addresses. */
    sharedAddressShare: z.number().min(0).max(1).default(0.25),
    /**
     * Visits each person makes during the run, with the same browser or app (cookies kept from
     * one visit to the next, as a returning visitor's are). Default 1: every visit a new person.
     */
    visitsPerPerson: z.number().int().min(1).max(100).default(1),
  })
  .strict();

export type HumanOptions = z.infer<typeof humanOptions>;

export function intentOf(random: Random, options: HumanOptions): Intent {
  return random.weighted(options.intents);
}

function humanAddress(random: Random, options: HumanOptions, shared: readonly string[]): string {
  return shared.length > 0 && random.chance(options.sharedAddressShare)
    ? random.pick(shared)
    : residentialAddress(random);
}

/** Who is behind a persona's visits: each person makes `visitsPerPerson` of them, in turn. */
export interface Person<Client> {
  readonly index: number;
  readonly client: Client;
  readonly ip: string;
  readonly user: DemoUser;
}

/**
 * Visit `i` (in start order) belongs to person `i % people`: every person's first visit comes
 * before anyone's second, so later visits find the cookies of earlier ones.
 */
export function people<Client>(
  random: Random,
  visits: number,
  options: HumanOptions,
  users: readonly DemoUser[],
  shared: readonly string[],
  client: (random: Random) => Client,
): { readonly count: number; personOf(visit: number): Person<Client>; visitNumber(visit: number): number } {
  const count = Math.max(1, Math.ceil(visits / options.visitsPerPerson));
  const all = Array.from({ length: count }, (_, index): Person<Client> => {
    const own = random.fork('person', index);
    return { index, client: client(own), ip: humanAddress(own, options, shared), user: ownAccount(own, users) };
  });
  return {
    count,
    personOf: (visit) => all[visit % count] as Person<Client>,
    visitNumber: (visit) => Math.floor(visit / count),
  };
}

/** The person's own account among the marketplace's users. */
function ownAccount(random: Random, users: readonly DemoUser[]): DemoUser {
  if (users.length === 0) throw new Error('Cannot simulate a returning user: the marketplace has no users');
  return random.pick(users);
}

/** The application's "wrong password" (the form's page with its error, or the API's 401): worth typing again. */
export function looksLikeWrongPassword(reply: Reply): boolean {
  if (reply.status === 401) return true;
  return reply.status === 200 && reply.body.includes('Invalid username or password');
}
