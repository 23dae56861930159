/**
 * Raw body fields → FlowFields: identities normalised to keys, secrets reduced to keyed hashes.
 *
 * - username: normaliseIdentity, plus its keyed hash (the only form that may leave the request);
 *   a username that normalises to nothing is absent.
 * - password: keyed hash of the raw value, byte for byte: never normalised (a password that
 *   differs only in case is a different password), never kept. An empty password is hashed
 *   too: a run of empty passwords is itself a pattern.
 * - email: normaliseIdentity (lower-case, NFKC, no invisible characters). Provider-specific
 *   folding (dots, +tags) is the account-creation detector's business, not a key's.
 * - text: trimmed.
 * - identity (a phone number, a customer number…): keyed hash of the normalised value.
 *
 * Each kind of hash has its own key derived from the node secret, so equal inputs of different
 * kinds never produce equal hashes.
 */

import type { FieldValues } from './body-fields.js';
import { createKeyedHasher, deriveKey, type KeyedHasher, normaliseIdentity } from './identity.js';
import type { FlowFields } from './request-signals.js';

export type FieldNormaliser = (raw: FieldValues) => FlowFields;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface FieldNormaliserOptions {
  /** Whether a raw password is known from breaches (signals/breached-passwords.ts); checked in memory, never kept. */
  readonly isBreached?: (password: string) => boolean;
}

export function createFieldNormaliser(secret: Buffer | string, options: FieldNormaliserOptions = {}): FieldNormaliser {
  const isBreached = options.isBreached;
  const hashUsername = createKeyedHasher(deriveKey(secret, 'username'));
  const hashPassword = createKeyedHasher(deriveKey(secret, 'password'));
  const hashIdentity = createKeyedHasher(deriveKey(secret, 'identity'));

  return (raw) => {
    const fields: Mutable<FlowFields> = {};
    if (raw.username !== undefined) {
      const username = normaliseIdentity(raw.username);
      if (username.length > 0) {
        fields.username = username;
        fields.usernameHash = hashUsername(username);
      }
    }
    if (raw.password !== undefined) {
      fields.passwordHash = hashPassword(raw.password);
      if (isBreached !== undefined && raw.password.length > 0) fields.passwordBreached = isBreached(raw.password);
    }
    if (raw.email !== undefined) {
      const email = normaliseIdentity(raw.email);
      if (email.length > 0) fields.email = email;
    }
    if (raw.text !== undefined) {
      const text = raw.text.trim();
      if (text.length > 0) fields.text = text;
    }
    if (raw.identity !== undefined) {
      const identity = normaliseIdentity(raw.identity);
      if (identity.length > 0) fields.identity = hashIdentity(identity);
    }
    return fields;
  };
}

/**
 * The usernameHash a clear username would get, for the console's "find this account" lookup and
 * for tests; same normalisation and key as createFieldNormaliser.
 */
export function createUsernameHasher(secret: Buffer | string): KeyedHasher {
  const hash = createKeyedHasher(deriveKey(secret, 'username'));
  return (username) => hash(normaliseIdentity(username));
}
