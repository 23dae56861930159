/**
 * The demo marketplace's population: who can sign in, and with which password.
 *
 * The seed set is generated, not random: `generateDemoUsers(n)` returns the same users on every
 * machine, and the first n users of a larger set are the n users of a smaller one, so the
 * simulator computes exactly the accounts (and passwords) the marketplace starts with. These
 * passwords are public by design; nothing here is a secret.
 *
 * A deployment that wants its own population loads it from a CSV file instead
 * (`loadUsersCsv`), with the header `username,email,password` in any column order.
 */
import { readFile } from 'node:fs/promises';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { seededRandom } from './seeded-random.js';

export interface DemoUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

export const DEFAULT_DEMO_USER_COUNT = 500;

/** Changing it changes every generated user: the simulator and the marketplace must agree. */
const USER_SEED = 0x5eed_0001;

// biome-ignore format: a table of words reads better in rows
const FIRST_NAMES = [
  'alice', 'amir', 'ana', 'arjun', 'beatriz', 'ben', 'carla', 'chen', 'chloe', 'daniel',
  'diego', 'elena', 'emma', 'fatima', 'felix', 'grace', 'hana', 'hugo', 'ines', 'ivan',
  'jack', 'jade', 'julia', 'kai', 'karim', 'laura', 'leo', 'lina', 'lucas', 'maya',
  'mei', 'mia', 'nadia', 'noah', 'nora', 'omar', 'oscar', 'paula', 'priya', 'rafael',
  'rosa', 'sam', 'sara', 'sofia', 'tariq', 'theo', 'vera', 'yuki', 'zoe', 'zara',
] as const;

// biome-ignore format: a table of words reads better in rows
const LAST_NAMES = [
  'adams', 'alvarez', 'baker', 'bauer', 'chen', 'costa', 'dubois', 'evans', 'fischer', 'garcia',
  'gupta', 'hansen', 'ito', 'jensen', 'kim', 'kowalski', 'lee', 'lopez', 'martin', 'meyer',
  'moreau', 'nguyen', 'novak', 'okafor', 'park', 'patel', 'perez', 'quinn', 'rossi', 'santos',
  'schmidt', 'silva', 'singh', 'smith', 'tanaka', 'torres', 'varga', 'wang', 'weber', 'wilson',
] as const;

// biome-ignore format: a table of words reads better in rows
/** Ordinary mail providers, weighted roughly as real sign-ups are. */
const EMAIL_DOMAINS = [
  'gmail.com', 'gmail.com', 'gmail.com', 'gmail.com', 'outlook.com', 'outlook.com',
  'yahoo.com', 'hotmail.com', 'icloud.com', 'proton.me',
] as const;

// biome-ignore format: a table of words reads better in rows
const PASSWORD_WORDS = [
  'amber', 'anchor', 'autumn', 'bison', 'cactus', 'cedar', 'cobalt', 'coral', 'delta', 'ember',
  'falcon', 'fjord', 'garnet', 'harbor', 'hazel', 'indigo', 'jasper', 'juniper', 'kettle', 'lantern',
  'maple', 'meadow', 'nectar', 'orbit', 'pebble', 'quartz', 'raven', 'saffron', 'summit', 'tundra',
  'velvet', 'willow',
] as const;

/**
 * `count` deterministic users (default 500) with unique usernames and emails (compared without
 * case). Usernames are 3–32 characters of [a-z0-9._], as the signup route requires; passwords are
 * at least 12 characters.
 */
export function generateDemoUsers(count: number = DEFAULT_DEMO_USER_COUNT): DemoUser[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`Cannot generate demo users: count must be a whole number >= 0 (received ${count})`);
  }
  const random = seededRandom(USER_SEED);
  const taken = new Set<string>();
  const users: DemoUser[] = [];
  for (let i = 0; i < count; i++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const year = 1960 + random.below(46);
    const styles = [
      `${first}.${last}`,
      `${first}${last}`,
      `${first}_${last}`,
      `${first.charAt(0)}${last}`,
      `${first}.${last}${year % 100}`,
      `${first}${year}`,
    ];
    const username = unique(random.pick(styles), taken);
    const email = `${username}@${random.pick(EMAIL_DOMAINS)}`;
    const word = random.pick(PASSWORD_WORDS);
    const password = `${capitalise(word)}-${random.pick(PASSWORD_WORDS)}-${1000 + random.below(9000)}`;
    users.push({ username, email, password });
  }
  return users;
}

function unique(base: string, taken: Set<string>): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`;
  taken.add(candidate);
  return candidate;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** A users file that cannot be used, naming the file and the line. */
export class UsersFileError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`Cannot load demo users from ${source}: line ${line}: ${reason}`);
    this.name = 'UsersFileError';
  }
}

/** Reads a users CSV file; see `parseUsersCsv` for what a good file is. */
export async function loadUsersCsv(path: string): Promise<DemoUser[]> {
  return parseUsersCsv(await readFile(path, 'utf8'), path);
}

const COLUMNS = ['username', 'email', 'password'] as const;

/**
 * Parses users from CSV text. The header names the three columns `username`, `email`,
 * `password` (any order, any case, no others). Every row must have the three fields, a non-empty
 * username and password, an email with an `@`, and a username and email no earlier row used
 * (without case). The first problem throws a `UsersFileError` with its line; messages never
 * echo a password.
 */
export function parseUsersCsv(text: string, source = 'users CSV'): DemoUser[] {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UsersFileError(source, error.line, error.reason);
    throw error;
  }
  const [header, ...rows] = records;
  if (header === undefined)
    throw new UsersFileError(source, 1, 'the file is empty; expected the header "username,email,password"');
  const position = columnPositions(header.fields, source, header.line);

  const usernames = new Map<string, number>();
  const emails = new Map<string, number>();
  return rows.map(({ line, fields }) => {
    const fail = (reason: string): never => {
      throw new UsersFileError(source, line, reason);
    };
    if (fields.length !== COLUMNS.length) fail(`expected ${COLUMNS.length} fields, found ${fields.length}`);
    const username = (fields[position.username] ?? '').trim();
    const email = (fields[position.email] ?? '').trim();
    const password = fields[position.password] ?? '';
    if (username === '') fail('the username is empty');
    if (password === '') fail(`the password of "${username}" is empty`);
    if (!email.includes('@')) fail(`the email of "${username}" has no "@" (received "${email}")`);
    const firstUse = usernames.get(username.toLowerCase()) ?? emails.get(email.toLowerCase());
    if (firstUse !== undefined) fail(`"${username}" or "${email}" is already used on line ${firstUse}`);
    usernames.set(username.toLowerCase(), line);
    emails.set(email.toLowerCase(), line);
    return { username, email, password };
  });
}

function columnPositions(
  names: readonly string[],
  source: string,
  line: number,
): Record<(typeof COLUMNS)[number], number> {
  const normalised = names.map((name) => name.trim().toLowerCase());
  const unknown = normalised.filter((name) => !(COLUMNS as readonly string[]).includes(name));
  const missing = COLUMNS.filter((column) => !normalised.includes(column));
  if (unknown.length > 0 || missing.length > 0 || normalised.length !== COLUMNS.length) {
    throw new UsersFileError(
      source,
      line,
      `the header must be "username,email,password" (received "${names.join(',')}")`,
    );
  }
  return {
    username: normalised.indexOf('username'),
    email: normalised.indexOf('email'),
    password: normalised.indexOf('password'),
  };
}
