/**
 * Identities (usernames, e-mail addresses) as keys, and keyed hashes of them.
 *
 * One person must be one key however the name is typed: `Alice`, `ALICE`, `ａｌｉｃｅ`
 * (full-width) and `ali\u200Bce` (a zero-width space an attacker slips in to dodge per-account
 * counters) are the same account to the application, so they are one account to us.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Default-ignorable code points: zero-width space and joiners (U+200B–U+200D), word joiner
 * (U+2060), BOM (U+FEFF), soft hyphen (U+00AD), bidi controls, variation selectors, tags and
 * Hangul fillers. They render as nothing, so they can only hide a difference.
 */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const WHITESPACE = /\s+/g;

/**
 * Order matters, and each step has a reason:
 * 1. drop default-ignorables first, so a removed joiner cannot leave a base letter and a mark
 *    that step 2 would then compose differently on a second pass;
 * 2. NFKC, folding compatibility forms (full-width, ligatures, superscripts) to plain letters;
 * 3. lower-case after NFKC: the other order is not idempotent (`ᴮᴵᴳᴮᴵᴿᴰ` lower-cases to
 *    itself and only then becomes `BIGBIRD`);
 * 4. NFKC again: lower-casing can leave text NFKC would still change (`Ω` + U+0301 + U+0345
 *    composes to a capital that lower-cases to a decomposed sequence); found by the property
 *    test, cheap on the ASCII that most names are;
 * 5. trim and collapse runs of whitespace (NFKC has already turned no-break and ideographic
 *    spaces into plain ones).
 * Idempotent: normaliseIdentity(normaliseIdentity(x)) === normaliseIdentity(x) (a property test
 * holds it). toLowerCase is locale-independent, so every node computes the same key.
 */
export function normaliseIdentity(value: string): string {
  return value.replace(IGNORABLE, '').normalize('NFKC').toLowerCase().normalize('NFKC').replace(WHITESPACE, ' ').trim();
}

/** HMAC-SHA256 truncated to 16 bytes: 32 hex characters, enough to never collide among accounts. */
export type KeyedHasher = (value: string) => string;

const HASH_HEX = 32;

/**
 * Builds the key once (a KeyObject, see hmacKey); each call then costs one HMAC (~2–3 µs). A hex
 * digest cut to length measured faster than a cut Buffer digest.
 */
export function createKeyedHasher(secret: Buffer | string): KeyedHasher {
  const key = hmacKey(secret);
  return (value) => createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, HASH_HEX);
}

/**
 * A key for HMACs made on every request, as a KeyObject (a private copy of the secret). With a
 * Buffer key Node 24 spends ~12 µs an HMAC-SHA256, importing the key afresh on each call, against
 * ~2.8 µs with a KeyObject; Node 20 ~2.5 against ~2.2 (bench/signals.ts's reference rows keep
 * this honest).
 */
export function hmacKey(secret: Buffer | string): KeyObject {
  return createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
}

/** One-off form of createKeyedHasher; prefer the factory on the hot path. */
export function keyedHash(secret: Buffer | string, value: string): string {
  return createKeyedHasher(secret)(value);
}

/**
 * A sub-key for one purpose (`username`, `password`), so that hashes made for different
 * purposes under one node secret never compare equal: a password that happens to equal some
 * username must not show up as that username's hash.
 */
export function deriveKey(secret: Buffer | string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`botgate/${purpose}`, 'utf8').digest();
}
