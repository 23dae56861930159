/**
 * What attackers try and what users mistype.
 *
 * A combo list is username:password pairs leaked from other sites. Against this site most of its
 * usernames do not exist, a few percent are accounts here whose owner reused the leaked password
 * (those are the takeovers), and a few more are accounts here with a password the owner never
 * used here or has changed (`stale`). The real accounts and passwords come from
 * `generateDemoUsers`, the same list the demo marketplace starts with.
 */
import type { DemoUser } from '../src/demo/users.js';
import type { Random } from './random.js';
import { FIRST_NAMES, HANDLE_WORDS, LAST_NAMES } from './texts/names.js';
import { personalPassword } from './texts/people.js';

export interface Credential {
  readonly username: string;
  readonly password: string;
  /** The username is an account of this site. */
  readonly realAccount: boolean;
  /** The password is that account's password (a takeover if it gets through). */
  readonly correct: boolean;
}

/** The most used passwords in public breach corpora, as sprayers and crackers start with. */
// biome-ignore format: a table of words reads better in rows
export const COMMON_PASSWORDS = [
  '123456', 'password', '123456789', '12345678', 'qwerty', '111111', '1234567', 'iloveyou',
  'password1', 'Password1', 'abc123', '123123', 'qwerty123', 'Qwerty123!', 'welcome', 'Welcome1',
  'letmein', 'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'admin',
  'Passw0rd!', 'Summer2024!', 'Spring2025', 'Winter2025!', 'P@ssw0rd', 'Aa123456', 'trustno1',
  '1q2w3e4r', 'zaq12wsx', 'starwars', 'shadow', 'master', 'superman', 'michael', 'charlie', 'hello123',
] as const;

export interface ComboListOptions {
  readonly size: number;
  /** Share of entries that are real accounts with their real password. */
  readonly realShare: number;
  /** Share of entries that are real accounts with a wrong password. */
  readonly staleShare: number;
}

export function comboList(random: Random, users: readonly DemoUser[], options: ComboListOptions): Credential[] {
  const known = new Set(users.map((user) => user.username.toLowerCase()));
  const order = random.shuffled(users.map((_, index) => index));
  let nextReal = 0;
  const realUser = (): DemoUser | undefined => {
    if (users.length === 0) return undefined;
    const index = order[nextReal++ % order.length] as number;
    return users[index];
  };
  const out: Credential[] = [];
  for (let i = 0; i < options.size; i++) {
    const roll = random.next();
    const user = roll < options.realShare + options.staleShare ? realUser() : undefined;
    if (user !== undefined && roll < options.realShare) {
      out.push({ username: user.username, password: user.password, realAccount: true, correct: true });
    } else if (user !== undefined) {
      out.push({ username: user.username, password: leakedPassword(random), realAccount: true, correct: false });
    } else {
      out.push({
        username: foreignUsername(random, known),
        password: leakedPassword(random),
        realAccount: false,
        correct: false,
      });
    }
  }
  return out;
}

/** A username from someone else's breach: not an account here. */
export function foreignUsername(random: Random, known: ReadonlySet<string>): string {
  for (;;) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const word = random.pick(HANDLE_WORDS);
    const candidate = random.pick([
      `${first}${last}${random.int(1, 99)}`,
      `${first}.${last}`,
      `${first}_${random.int(70, 99)}`,
      `${word}${random.int(1, 9999)}`,
      `${first.charAt(0)}${last}${random.int(1, 999)}`,
      `xx${word}${first}xx`,
      `${word}_${last}`,
    ]);
    if (!known.has(candidate.toLowerCase())) return candidate;
  }
}

/** A password as found in leaks: common ones, and personal ones. */
export function leakedPassword(random: Random): string {
  return random.chance(0.35) ? random.pick(COMMON_PASSWORDS) : personalPassword(random, random.pick(FIRST_NAMES));
}

/**
 * A cracker's list for one account: common passwords, then guesses built from the username
 * (name plus year, capitals, a symbol). `correctAt` (when not null) puts the real password at
 * that position, as when a variation of a reused password is in the list.
 */
export function crackingWordlist(random: Random, user: DemoUser, size: number, correctAt: number | null): string[] {
  const base =
    user.username
      .replace(/[._\d]+/g, ' ')
      .trim()
      .split(' ')[0] ?? user.username;
  const capital = base.charAt(0).toUpperCase() + base.slice(1);
  const guesses = new Set<string>();
  for (const password of COMMON_PASSWORDS) {
    if (guesses.size >= size) break;
    guesses.add(password);
  }
  while (guesses.size < size) {
    guesses.add(
      random.pick([
        `${base}${random.int(1960, 2010)}`,
        `${capital}${random.int(1, 99)}!`,
        `${capital}${random.pick(['123', '1234', '2024', '2025', '!', '@1'])}`,
        `${base}${random.pick(HANDLE_WORDS)}`,
        `${capital}-${random.pick(HANDLE_WORDS)}-${random.int(1000, 9999)}`,
      ]),
    );
  }
  const list = [...guesses].filter((password) => password !== user.password);
  if (correctAt !== null) list.splice(Math.min(correctAt, list.length), 0, user.password);
  return list.slice(0, size);
}

/** What a person's fingers do to a password now and then. */
export function mistype(random: Random, password: string): string {
  if (password.length < 2) return `${password}1`;
  const at = random.below(password.length - 1);
  switch (random.below(5)) {
    case 0: // a letter left out
      return password.slice(0, at) + password.slice(at + 1);
    case 1: // two letters swapped
      return password.slice(0, at) + password.charAt(at + 1) + password.charAt(at) + password.slice(at + 2);
    case 2: // caps lock on
      return [...password].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 3: // a letter doubled
      return password.slice(0, at + 1) + password.charAt(at) + password.slice(at + 1);
    default: // the last character dropped, as when Enter is pressed too soon
      return password.slice(0, -1);
  }
}
