/**
 * Session credentials: what an application hands a client when it signs in or signs up (a
 * session cookie, a bearer token in its JSON answer), and what the client then presents (the
 * cookie, `Authorization: Bearer …`). botgate sees both sides, so it can bind the credential to
 * the account it was issued for without an SDK: the credential is only ever kept as a keyed hash.
 *
 * Both sides must yield the same string for one credential: the token alone, without the
 * `Bearer` scheme, and a cookie's value without its attributes.
 */

/** Where an application puts the session it opens in a success answer (a flow's `session`). */
export interface SessionSource {
  /** Name of the cookie the answer sets (`Set-Cookie: name=value`). */
  readonly cookie: string | null;
  /** Path of a string field in the JSON answer (`token`, `data.accessToken`), split on dots. */
  readonly json: readonly string[] | null;
}

/** Credentials shorter than this are not session ids (an empty cookie that deletes a session, `null`). */
const MIN_CREDENTIAL_LENGTH = 8;
/** Longer ones are cut: a hash of the first 4 KiB names a credential as well as the whole. */
const MAX_CREDENTIAL_LENGTH = 4096;

/**
 * The credential a success answer issued, or null when it carries none the flow declares. The
 * cookie is looked for first; a cookie set empty or already expired (a sign-out) is none.
 */
export function issuedCredential(
  source: SessionSource,
  setCookie: string | string[] | undefined,
  body: Buffer | null,
): string | null {
  if (source.cookie !== null && setCookie !== undefined) {
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const value = setCookieValue(line, source.cookie);
      if (value !== null) return value;
    }
  }
  if (source.json !== null && body !== null) return jsonCredential(body, source.json);
  return null;
}

/**
 * The credential an `Authorization` header presents: the part after the scheme (`Bearer abc` →
 * `abc`), or the whole value when it has no scheme.
 */
export function presentedCredential(authorization: string): string {
  const value = authorization.trim();
  const space = value.indexOf(' ');
  return space > 0 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(value.slice(0, space)) ? value.slice(space + 1).trim() : value;
}

function setCookieValue(line: string, name: string): string | null {
  const eq = line.indexOf('=');
  if (eq < 0 || line.slice(0, eq).trim() !== name) return null;
  const end = line.indexOf(';', eq + 1);
  const value = line.slice(eq + 1, end < 0 ? line.length : end).trim();
  const attributes = end < 0 ? '' : line.slice(end).toLowerCase();
  if (/;\s*max-age\s*=\s*(0|-)/.test(attributes)) return null;
  return usable(value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
}

function jsonCredential(body: Buffer, path: readonly string[]): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  for (const key of path) {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    parsed = (parsed as Record<string, unknown>)[key];
  }
  return typeof parsed === 'string' ? usable(parsed) : null;
}

function usable(value: string): string | null {
  if (value.length < MIN_CREDENTIAL_LENGTH) return null;
  return value.length > MAX_CREDENTIAL_LENGTH ? value.slice(0, MAX_CREDENTIAL_LENGTH) : value;
}
