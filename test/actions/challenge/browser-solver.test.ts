import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASHER_SOURCE, PAGE_SCRIPT, WORKER_SOURCE } from '../../../src/actions/challenge/browser-solver.js';
import { leadingZeroBits } from '../../../src/actions/challenge/proof-of-work.js';

type Hasher = (suffix: string) => Int32Array;
const browser = new Function(`${HASHER_SOURCE}\nreturn { makeHasher: makeHasher, hasZeroBits: hasZeroBits };`)() as {
  makeHasher(prefix: string): Hasher;
  hasZeroBits(words: Int32Array, bits: number): boolean;
};

function hex(words: Int32Array): string {
  return Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
}

describe("the browser's SHA-256 (run here in V8, as Chromium runs it)", () => {
  it('matches node:crypto at every prefix length across three blocks, for short and long counters', () => {
    for (let length = 0; length <= 200; length++) {
      const prefix = `${'v1.AbC_-'.repeat(30).slice(0, length)}:`;
      const hash = browser.makeHasher(prefix);
      for (const counter of ['0', '7', '12345', '999999999999999']) {
        expect(hex(hash(counter)), `prefix length ${length}, counter ${counter}`).toBe(
          createHash('sha256')
            .update(prefix + counter)
            .digest('hex'),
        );
      }
    }
  });

  it('matches node:crypto on random tokens and counters, reusing one hasher', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._-]{0,400}$/),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        (token, counters) => {
          const hash = browser.makeHasher(`${token}:`);
          for (const c of counters)
            expect(hex(hash(String(c)))).toBe(createHash('sha256').update(`${token}:${c}`).digest('hex'));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts leading zero bits as the server does, past the first word too', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 64 }),
        (bytes, keepZero) => {
          // Zero the first `keepZero` bits so that long runs of zeros are exercised.
          for (let bit = 0; bit < keepZero; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
          const words = new Int32Array(8);
          for (let i = 0; i < 8; i++) words[i] = Buffer.from(bytes).readInt32BE(i * 4);
          const zeros = leadingZeroBits(bytes);
          for (const bits of [0, 1, zeros - 1, zeros, zeros + 1, 31, 32, 33, 64]) {
            if (bits < 0) continue;
            expect(browser.hasZeroBits(words, bits), `${bits} bits of ${zeros}`).toBe(zeros >= bits);
          }
        },
      ),
    );
  });

  it('ships scripts that parse', () => {
    expect(() => new Function(WORKER_SOURCE)).not.toThrow();
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(/<\/script/i);
  });
});
