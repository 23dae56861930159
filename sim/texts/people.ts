/**
 * Real people's account details: the username and address someone picks when signing up, and
 * the password they choose. Varied on purpose (styles, providers, years, nicknames), as a real
 * population is; nothing is patterned across people.
 */
import type { Random } from '../random.js';
import { EMAIL_PROVIDERS, FIRST_NAMES, HANDLE_WORDS, LAST_NAMES } from './names.js';

export interface NewAccount {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export function personSigningUp(random: Random): NewAccount {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const year = 1958 + random.below(50);
  const username = random.pick([
    `${first}.${last}`,
    `${first}${last}`,
    `${first}_${last}`,
    `${first.charAt(0)}${last}`,
    `${first}${last.charAt(0)}${year % 100}`,
    `${first}${year}`,
    `${random.pick(HANDLE_WORDS)}_${first}`,
    `${first}.${random.pick(HANDLE_WORDS)}`,
  ]);
  const local = random.pick([
    `${first}.${last}`,
    `${first}${last}`,
    `${first}.${last}${year % 100}`,
    username,
    `${first.charAt(0)}.${last}`,
  ]);
  const email = `${local}@${random.weighted(EMAIL_PROVIDERS)}`;
  return { username, email, password: personalPassword(random, first) };
}

/** A password a person makes up: a phrase, a name with a year, a word with symbols. */
export function personalPassword(random: Random, first: string): string {
  const word = random.pick(HANDLE_WORDS);
  const other = random.pick(HANDLE_WORDS);
  const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
  return random.pick([
    `${capital(word)}-${other}-${10 + random.below(90)}`,
    `${capital(first)}${1960 + random.below(45)}!`,
    `${word}${other}${random.below(1000)}`,
    `${capital(word)} ${other} ${random.pick(['house', 'garden', 'river', 'coffee'])}`,
    `${capital(other)}${random.pick(['!', '?', '#', '.'])}${1000 + random.below(9000)}`,
  ]);
}

/** Unique-ifies a taken username the way people do: a number on the end. */
export function anotherUsername(random: Random, username: string): string {
  return `${username.slice(0, 28)}${random.int(2, 999)}`;
}
