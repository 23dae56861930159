/**
 * How the demo keeps passwords: scrypt with a random 16-byte salt per account, compared in
 * constant time. Clear passwords are never kept.
 *
 * The cost (N=512, r=1, p=1: 64 KiB and about 0.25 ms of one core a hash) is far below what a real
 * site should use (N=2^17 with r=8). It is chosen so that the marketplace seeds 500 users in well
 * under a second and, as the upstream of benchmarks on a 2-core machine, answers thousands of
 * logins a second without becoming the bottleneck. The work runs on libuv's thread pool, off the
 * event loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const COST = { N: 512, r: 1, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Hashed for unknown usernames, so a miss costs what a wrong password costs. */
const DECOY_SALT = Buffer.alloc(SALT_BYTES, 0x5a);

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, COST, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  return { salt, hash: await derive(password, salt) };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  return timingSafeEqual(await derive(password, stored.salt), stored.hash);
}

/** Spends the cost of one verification and answers false: the check for a username that does not exist. */
export async function rejectUnknownAccount(password: string): Promise<false> {
  await derive(password, DECOY_SALT);
  return false;
}
