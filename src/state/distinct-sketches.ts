/**
 * A pool of two-epoch HyperLogLog sketches in one byte array: each block holds the sketch of
 * the current epoch and the one before, so a distinct count covers between one and two windows
 * without keeping a sketch per epoch. A block costs 2 × 128 register bytes + 8 bytes of cached
 * estimate, and no object of its own; released blocks are reused before the pool grows.
 *
 * Block `b` lives at bytes [b·256, b·256+128) (current epoch) and [b·256+128, b·256+256)
 * (previous epoch).
 */
import { addHash, estimateUnion, REGISTERS } from './hyperloglog.js';

const BLOCK_BYTES = 2 * REGISTERS;
const STALE = -1;
const INITIAL_BLOCKS = 64;

export class DistinctSketches {
  private registers = new Uint8Array(INITIAL_BLOCKS * BLOCK_BYTES);
  /** Last estimate per block, STALE until a register or the epoch changes it. */
  private estimates = new Float64Array(INITIAL_BLOCKS).fill(STALE);
  private freeBlocks = new Int32Array(INITIAL_BLOCKS);
  private freeCount = 0;
  /** Blocks ever handed out; those below it are either in use or in `freeBlocks`. */
  private highWater = 0;

  /** Blocks in use. */
  get size(): number {
    return this.highWater - this.freeCount;
  }

  /** An empty block. */
  allocate(): number {
    if (this.freeCount > 0) return this.freeBlocks[--this.freeCount]!;
    if (this.highWater === this.estimates.length) this.grow();
    return this.highWater++;
  }

  /** Return a block to the pool, emptied so `allocate` can hand it out as is. */
  release(block: number): void {
    this.clear(block);
    this.freeBlocks[this.freeCount++] = block;
  }

  /** Move on `epochs` epochs: after one, the current sketch becomes the previous; after two or more, both are empty. */
  advance(block: number, epochs: number): void {
    if (epochs <= 0) return;
    const start = block * BLOCK_BYTES;
    if (epochs === 1) {
      this.registers.copyWithin(start + REGISTERS, start, start + REGISTERS);
      this.registers.fill(0, start, start + REGISTERS);
      this.estimates[block] = STALE;
    } else {
      this.clear(block);
    }
  }

  /** Add a hashed member (see `hashMember`) to the current epoch. */
  add(block: number, hash: number): void {
    if (addHash(this.registers, block * BLOCK_BYTES, hash)) this.estimates[block] = STALE;
  }

  /** Distinct members over the current and previous epoch. */
  estimate(block: number): number {
    const cached = this.estimates[block]!;
    if (cached !== STALE) return cached;
    const start = block * BLOCK_BYTES;
    const estimate = estimateUnion(this.registers, start, start + REGISTERS);
    this.estimates[block] = estimate;
    return estimate;
  }

  /** Drop every block (the arrays keep their size). */
  reset(): void {
    this.registers.fill(0);
    this.estimates.fill(STALE);
    this.freeCount = 0;
    this.highWater = 0;
  }

  private clear(block: number): void {
    const start = block * BLOCK_BYTES;
    this.registers.fill(0, start, start + BLOCK_BYTES);
    this.estimates[block] = 0;
  }

  private grow(): void {
    const blocks = this.estimates.length * 2;
    const registers = new Uint8Array(blocks * BLOCK_BYTES);
    registers.set(this.registers);
    this.registers = registers;
    const estimates = new Float64Array(blocks).fill(STALE);
    estimates.set(this.estimates);
    this.estimates = estimates;
    const freeBlocks = new Int32Array(blocks);
    freeBlocks.set(this.freeBlocks);
    this.freeBlocks = freeBlocks;
  }
}
