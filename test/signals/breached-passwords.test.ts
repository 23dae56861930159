import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BreachedPasswords } from '../../src/signals/breached-passwords.js';

describe('BreachedPasswords', () => {
  it('has no false negatives and survives a round trip through its file', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 300 }),
        (passwords) => {
          const filter = BreachedPasswords.create(passwords.length);
          for (const p of passwords) filter.add(p);
          const copy = BreachedPasswords.fromFile(filter.toFile());
          return passwords.every((p) => filter.has(p) && copy.has(p));
        },
      ),
    );
  });

  it('keeps false positives near the 1 % it is sized for', () => {
    const filter = BreachedPasswords.create(10_000);
    for (let i = 0; i < 10_000; i++) filter.add(`leaked-${i}`);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (filter.has(`never-leaked-${i}`)) hits++;
    expect(hits / 10_000).toBeLessThan(0.03);
  });

  it('refuses a file it did not write', () => {
    expect(() => BreachedPasswords.fromFile(Buffer.from('123456\npassword\n'))).toThrow(/botgate breached build/);
    const good = BreachedPasswords.create(10).toFile();
    expect(() => BreachedPasswords.fromFile(good.subarray(0, good.length - 1))).toThrow(/truncated/);
  });
});
