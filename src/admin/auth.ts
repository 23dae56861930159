import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer-token check for the admin API. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths; a missing configured token refuses everything.
 */
export function createTokenCheck(token: string | null): (authorization: string | undefined) => boolean {
  const matches = createSecretCheck(token);
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
    return matches(authorization.slice(7).trim());
  };
}

/** The same constant-time comparison for a token typed into the console's login form. */
export function createSecretCheck(token: string | null): (candidate: string) => boolean {
  if (token === null) return () => false;
  const expected = digest(token);
  return (candidate) => timingSafeEqual(digest(candidate), expected);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
