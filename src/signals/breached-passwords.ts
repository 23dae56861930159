/**
 * An optional breached-password check with no network call: a Bloom filter of SHA-1 hashes of
 * passwords known from breaches, built by `botgate breached build` from a password list and
 * loaded from a local file. A login with a known-breached password is a signal (the password
 * may be in a combo list), never a block by itself. False positives are bounded by the
 * filter's size (about 1 % with the defaults); there are no false negatives.
 *
 * File format: "BGBF1\n", then the bit count and hash count as two uint32 (big endian), then
 * the bits.
 */
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from('BGBF1\n');

export class BreachedPasswords {
  private constructor(
    private readonly bits: Uint8Array,
    private readonly bitCount: number,
    private readonly hashes: number,
  ) {}

  /** Sized for `expected` passwords at about 1 % false positives (9.6 bits and 7 hashes each). */
  static create(expected: number): BreachedPasswords {
    const bitCount = Math.max(64, Math.ceil(expected * 9.6));
    return new BreachedPasswords(new Uint8Array(Math.ceil(bitCount / 8)), bitCount, 7);
  }

  static fromFile(data: Buffer): BreachedPasswords {
    if (data.length < MAGIC.length + 8 || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error('Cannot read breached-password filter: not a file made by "botgate breached build"');
    }
    const bitCount = data.readUInt32BE(MAGIC.length);
    const hashes = data.readUInt32BE(MAGIC.length + 4);
    const bits = new Uint8Array(data.subarray(MAGIC.length + 8));
    if (bits.length !== Math.ceil(bitCount / 8) || hashes < 1 || hashes > 32) {
      throw new Error('Cannot read breached-password filter: the file is truncated or damaged');
    }
    return new BreachedPasswords(bits, bitCount, hashes);
  }

  toFile(): Buffer {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(this.bitCount, 0);
    header.writeUInt32BE(this.hashes, 4);
    return Buffer.concat([MAGIC, header, this.bits]);
  }

  add(password: string): void {
    const [a, b] = lanes(password);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (a + Math.imul(i, b)) >>> 0;
      const at = bit % this.bitCount;
      this.bits[at >> 3]! |= 1 << (at & 7);
    }
  }

  has(password: string): boolean {
    const [a, b] = lanes(password);
    for (let i = 0; i < this.hashes; i++) {
      const at = ((a + Math.imul(i, b)) >>> 0) % this.bitCount;
      if ((this.bits[at >> 3]! & (1 << (at & 7))) === 0) return false;
    }
    return true;
  }
}

/** Two 32-bit lanes of the password's SHA-1 (double hashing). */
function lanes(password: string): [number, number] {
  const digest = createHash('sha1').update(password, 'utf8').digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4) | 1];
}
