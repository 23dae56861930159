/**
 * 128-bit random strings (base64url, 22 characters) for challenge nonces and CSP nonces.
 * Drawn from a pooled buffer, as reference ids are: one randomFillSync per 256 tokens, because
 * a randomBytes call per token costs more than the rest of the work around it.
 */
import { randomFillSync } from 'node:crypto';

const TOKEN_BYTES = 16;
const pool = Buffer.alloc(256 * TOKEN_BYTES);
let offset = pool.length;

export function randomToken(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const token = pool.toString('base64url', offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return token;
}
