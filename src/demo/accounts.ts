/**
 * The marketplace's accounts: signing in and signing up.
 *
 * Usernames and emails are unique without regard to case (`Alice` and `alice` are one account);
 * an account keeps the spelling it was created with. Passwords are kept only as scrypt hashes
 * (see passwords.ts).
 */
import { hashPassword, type PasswordHash, rejectUnknownAccount, verifyPassword } from './passwords.js';
import type { DemoUser } from './users.js';

export interface Account {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly password: PasswordHash;
}

export type SignupResult =
  | { readonly created: true; readonly account: Account }
  | { readonly created: false; readonly reason: 'username-taken' | 'email-taken' };

export class Accounts {
  private readonly byUsername = new Map<string, Account>();
  private readonly byEmail = new Map<string, Account>();
  private lastId = 0;

  private constructor() {}

  /**
   * Accounts for `users`, hashed in parallel on the thread pool (500 users take about 0.1 s on
   * two cores). Throws when two users share a username or an email.
   */
  static async seed(users: readonly DemoUser[]): Promise<Accounts> {
    const accounts = new Accounts();
    const hashes = await Promise.all(users.map((user) => hashPassword(user.password)));
    users.forEach((user, index) => {
      if (accounts.takenBy(user.username, user.email) !== null) {
        throw new Error(
          `Cannot seed demo accounts: user ${index + 1} ("${user.username}", "${user.email}") repeats an earlier username or email`,
        );
      }
      accounts.insert(user.username, user.email, hashes[index] as PasswordHash);
    });
    return accounts;
  }

  /** The account when the password is right, otherwise undefined (unknown usernames cost the same time). */
  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const account = this.byUsername.get(username.toLowerCase());
    if (account === undefined) {
      await rejectUnknownAccount(password);
      return undefined;
    }
    return (await verifyPassword(password, account.password)) ? account : undefined;
  }

  /** Creates an account from fields already checked by `checkSignup`. */
  async signup(fields: SignupFields): Promise<SignupResult> {
    const takenBefore = this.takenBy(fields.username, fields.email);
    if (takenBefore !== null) return { created: false, reason: takenBefore };
    const password = await hashPassword(fields.password);
    // A concurrent signup may have taken the name while this one was hashing.
    const takenAfter = this.takenBy(fields.username, fields.email);
    if (takenAfter !== null) return { created: false, reason: takenAfter };
    return { created: true, account: this.insert(fields.username, fields.email, password) };
  }

  get size(): number {
    return this.byUsername.size;
  }

  private takenBy(username: string, email: string): 'username-taken' | 'email-taken' | null {
    if (this.byUsername.has(username.toLowerCase())) return 'username-taken';
    if (this.byEmail.has(email.toLowerCase())) return 'email-taken';
    return null;
  }

  private insert(username: string, email: string, password: PasswordHash): Account {
    const account: Account = { id: ++this.lastId, username, email, password };
    this.byUsername.set(username.toLowerCase(), account);
    this.byEmail.set(email.toLowerCase(), account);
    return account;
  }
}

export interface SignupFields {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

const USERNAME = /^[A-Za-z0-9._-]{3,32}$/;
const MIN_PASSWORD_LENGTH = 8;
const MAX_EMAIL_LENGTH = 254;

/** The signup rules: the fields when they hold, otherwise the first problem in words. */
export function checkSignup(
  body: Record<string, unknown>,
): { ok: true; fields: SignupFields } | { ok: false; error: string } {
  const { username, email, password } = body;
  if (typeof username !== 'string' || typeof email !== 'string' || typeof password !== 'string') {
    return { ok: false, error: 'username, email and password are required strings' };
  }
  if (!USERNAME.test(username)) {
    return { ok: false, error: 'username must be 3 to 32 characters of letters, digits, ".", "_" or "-"' };
  }
  const at = email.indexOf('@');
  if (at < 1 || at === email.length - 1 || email.length > MAX_EMAIL_LENGTH) {
    return { ok: false, error: 'email must be an address with an "@"' };
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { ok: false, error: `password must be at least ${MIN_PASSWORD_LENGTH} characters` };
  }
  return { ok: true, fields: { username, email, password } };
}
