import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer-token check for the admin API. Both sides are hashed first so the comparison is
 * constant-time whatever the lengths; a missing configured token refuses everything.
 */
export function createTokenCheck(token: string | null): (authorization: string | undefined) => boolean {
  if (token === null) return () => false;
  const expected = digest(token);
  return (authorization) => {
    if (authorization === undefined || !authorization.startsWith('Bearer ')) return false;
    return timingSafeEqual(digest(authorization.slice(7).trim()), expected);
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
