/**
 * The HMAC keys behind challenge and clearance tokens, compiled once from configuration.
 *
 * A key set lists every key still accepted; `current` names the one that signs. Each configured
 * secret is never used directly: a per-purpose key is derived from it
 * (HMAC-SHA256(secret, "botgate/<purpose>/v1")), so a challenge token can never be replayed as a
 * clearance cookie even though both come from the same secret, and one `secret` in botgate.yaml
 * is enough for both.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

export interface SigningKey {
  /** Short public name written into tokens: 1–32 of A–Z a–z 0–9 _ -. */
  readonly id: string;
  /** At least 16 characters (or bytes); the same on every node. */
  readonly secret: string | Uint8Array;
}

export interface CompiledKey {
  readonly id: string;
  readonly key: KeyObject;
}

export interface KeyRing {
  readonly current: CompiledKey;
  readonly byId: ReadonlyMap<string, CompiledKey>;
}

export type KeyPurpose = 'challenge' | 'clearance';

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_LENGTH = 16;

/**
 * Check a key set and derive the purpose's keys. Throws one error listing every problem, since
 * this runs when the policy loads and a half-valid key set must not start.
 */
export function compileKeyRing(keys: readonly SigningKey[], current: string, purpose: KeyPurpose): KeyRing {
  const problems: string[] = [];
  const byId = new Map<string, CompiledKey>();
  keys.forEach((k, i) => {
    if (!KEY_ID_PATTERN.test(k.id)) {
      problems.push(`keys[${i}].id must be 1-32 of A-Z a-z 0-9 _ - (received "${k.id}")`);
    } else if (byId.has(k.id)) {
      problems.push(`keys[${i}].id is used twice (received "${k.id}")`);
    }
    if (k.secret.length < MIN_SECRET_LENGTH) {
      problems.push(`keys[${i}].secret must be at least ${MIN_SECRET_LENGTH} characters (received ${k.secret.length})`);
    }
    const derived = createHmac('sha256', k.secret).update(`botgate/${purpose}/v1`).digest();
    byId.set(k.id, { id: k.id, key: createSecretKey(derived) });
  });
  const signing = byId.get(current);
  if (signing === undefined) problems.push(`current must name one of the keys (received "${current}")`);
  if (problems.length > 0 || signing === undefined) {
    throw new Error(`Cannot load the ${purpose} signing keys: ${problems.join('; ')}`);
  }
  return { current: signing, byId };
}

/** HMAC-SHA256 of `data` under `key`, base64url (43 characters). */
export function mac(key: CompiledKey, data: string): string {
  return createHmac('sha256', key.key).update(data).digest('base64url');
}

export const MAC_LENGTH = 43;
// Scratch space for the comparison: the check runs synchronously, so two module-level buffers
// serve every call without allocating.
const expectedBytes = Buffer.alloc(MAC_LENGTH);
const givenBytes = Buffer.alloc(MAC_LENGTH);

/**
 * Constant-time comparison of two MACs as written in a token. Comparing the written form rather
 * than the decoded bytes makes tokens non-malleable: base64url's last character has spare bits,
 * and a decoded comparison would accept four spellings of one MAC.
 */
export function sameMac(expected: string, given: string): boolean {
  if (given.length !== MAC_LENGTH || expected.length !== MAC_LENGTH) return false;
  // latin1 writes one byte per character; `given` was matched against the base64url alphabet.
  expectedBytes.write(expected, 'latin1');
  givenBytes.write(given, 'latin1');
  return timingSafeEqual(expectedBytes, givenBytes);
}
