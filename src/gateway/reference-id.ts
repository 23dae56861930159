import { randomFillSync } from 'node:crypto';

/**
 * Reference ids: 16 hex characters (64 random bits), sent to the client, the upstream and the
 * event, so support can explain any answer. Drawn from a pooled buffer because one
 * randomBytes call per request costs more than the rest of the id.
 */
const POOL_IDS = 512;
const pool = Buffer.alloc(POOL_IDS * 8);
let offset = pool.length;

export function referenceId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + 8);
  offset += 8;
  return id;
}

const ID_PATTERN = /^[0-9a-f]{16}$/;

export function isReferenceId(value: string): boolean {
  return ID_PATTERN.test(value);
}
