import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedHasher, deriveKey, keyedHash, normaliseIdentity } from '../../src/signals/identity.js';

describe('normaliseIdentity', () => {
  it.each([
    ['Alice', 'alice'],
    ['ＡＬＩＣＥ', 'alice'], // full-width
    ['ᴮᴵᴳᴮᴵᴿᴰ', 'bigbird'], // modifier letters: NFKC first, then lower case
    ['ﬁnn', 'finn'], // ligature
    ['Ⅻ', 'xii'], // roman numeral
    ['ali\u200Bce', 'alice'], // zero-width space
    ['ali\u200C\u200Dce', 'alice'], // zero-width non-joiner and joiner
    ['\uFEFFalice\u2060', 'alice'], // BOM and word joiner
    ['al\u00ADice', 'alice'], // soft hyphen
    ['alice\uFE0F', 'alice'], // variation selector
    ['  Alice   Smith\t\n', 'alice smith'],
    ['Alice\u00A0Smith', 'alice smith'], // no-break space
    ['Alice\u3000Smith', 'alice smith'], // ideographic space
    ['ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ', 'alice@example.com'],
    ['Straße', 'straße'], // toLowerCase, not full case folding: ß stays
    ['e\u200D\u0301', 'é'], // a mark left next to its base after removing the joiner composes at once
    ['Ω\u0301\u0345', 'ῴ'], // lower-casing a composed capital needs NFKC once more
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normaliseIdentity(input)).toBe(expected);
  });

  it('would not be idempotent the other way round (lower-case before NFKC)', () => {
    const wrongOrder = (s: string) => s.toLowerCase().normalize('NFKC');
    expect(wrongOrder('ᴮᴵᴳᴮᴵᴿᴰ')).toBe('BIGBIRD');
    expect(wrongOrder(wrongOrder('ᴮᴵᴳᴮᴵᴿᴰ'))).not.toBe(wrongOrder('ᴮᴵᴳᴮᴵᴿᴰ'));
  });

  it('is idempotent on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (s) => {
        const once = normaliseIdentity(s);
        expect(normaliseIdentity(once)).toBe(once);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is idempotent on strings built from the characters where the steps interact', () => {
    const tricky = fc.constantFrom(
      'A',
      'a',
      'Σ',
      'σ',
      'ς',
      'İ',
      'I',
      'ı',
      'ß',
      'ẞ',
      'K',
      'Ω',
      'Å',
      'ᴮ',
      'ﬁ',
      'Ⅻ',
      'ⓐ',
      'Ａ',
      '𝐀',
      '𐐀',
      '\u0301',
      '\u0307',
      '\u0328',
      '\u0345',
      '\u00B4',
      '\u02DC',
      '\u200B',
      '\u200D',
      '\u00AD',
      '\uFEFF',
      '\u2060',
      '\u180E',
      '\uFFA0',
      '\u3164',
      ' ',
      '\t',
      '\u00A0',
      '\u3000',
      '\u2028',
    );
    fc.assert(
      fc.property(fc.array(tricky, { maxLength: 8 }), (parts) => {
        const once = normaliseIdentity(parts.join(''));
        expect(normaliseIdentity(once)).toBe(once);
      }),
      { numRuns: 10_000 },
    );
  });

  it('leaves no default-ignorable code point and no outer or doubled space', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (s) => {
        const out = normaliseIdentity(s);
        expect(out).not.toMatch(/\p{Default_Ignorable_Code_Point}/u);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s\s/);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('keyed hashes', () => {
  const secret = 'a-node-secret-of-some-length';

  it('is HMAC-SHA256 truncated to 16 bytes (32 hex characters)', () => {
    const expected = createHmac('sha256', secret).update('alice').digest('hex').slice(0, 32);
    expect(keyedHash(secret, 'alice')).toBe(expected);
    expect(createKeyedHasher(secret)('alice')).toBe(expected);
    expect(createKeyedHasher(Buffer.from(secret))('alice')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
  });

  it('depends on the secret and the value', () => {
    const hash = createKeyedHasher(secret);
    expect(hash('alice')).not.toBe(hash('alicf'));
    expect(createKeyedHasher(`${secret}!`)('alice')).not.toBe(hash('alice'));
    expect(hash('')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('derives distinct keys per purpose', () => {
    expect(deriveKey(secret, 'username').equals(deriveKey(secret, 'password'))).toBe(false);
    expect(deriveKey(secret, 'username').equals(deriveKey(secret, 'username'))).toBe(true);
    expect(deriveKey(secret, 'username')).toHaveLength(32);
  });
});
