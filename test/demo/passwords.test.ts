import { describe, expect, it } from 'vitest';
import { hashPassword, rejectUnknownAccount, verifyPassword } from '../../src/demo/passwords.js';

describe('passwords', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const first = await hashPassword('s3cret-password');
    const second = await hashPassword('s3cret-password');
    expect(first.salt.equals(second.salt)).toBe(false);
    expect(first.hash.equals(second.hash)).toBe(false);
    expect(first.hash.toString('utf8')).not.toContain('s3cret');
    expect(await verifyPassword('s3cret-password', first)).toBe(true);
    expect(await verifyPassword('s3cret-passworD', first)).toBe(false);
  });

  it('rejects an unknown account after doing the same work', async () => {
    expect(await rejectUnknownAccount('anything')).toBe(false);
  });
});
