import { describe, expect, it } from 'vitest';
import { addHash, estimateUnion, hashMember, REGISTERS, RELATIVE_ERROR } from '../../src/state/hyperloglog.js';

function sketchOf(members: Iterable<string>): Uint8Array {
  const registers = new Uint8Array(REGISTERS);
  for (const member of members) addHash(registers, 0, hashMember(member));
  return registers;
}

const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('hashMember', () => {
  it('is FNV-1a over UTF-16 code units finished with fmix32', () => {
    // FNV-1a of "" is the offset basis 0x811c9dc5; fmix32 of it, computed independently:
    let h = 0x811c9dc5;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    expect(hashMember('')).toBe(h >>> 0);
    expect(hashMember('203.0.113.7')).toBe(hashMember('203.0.113.7'));
    expect(hashMember('a')).not.toBe(hashMember('b'));
    expect(hashMember('é')).not.toBe(hashMember('e'));
  });

  it('returns unsigned 32-bit integers spread over all registers', () => {
    const used = new Set<number>();
    for (const member of range('10.0.0.', 2_000)) {
      const h = hashMember(member);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      used.add(h & (REGISTERS - 1));
    }
    expect(used.size).toBe(REGISTERS);
  });
});

describe('HyperLogLog registers', () => {
  it('reports whether a register grew, and keeps the largest rank', () => {
    const registers = new Uint8Array(REGISTERS);
    expect(addHash(registers, 0, 0x00000000)).toBe(true); // register 0, rank 26 (all zero bits)
    expect(registers[0]).toBe(26);
    expect(addHash(registers, 0, 0xffffff80)).toBe(false); // register 0, rank 1
    expect(addHash(registers, 0, 0xffffff81)).toBe(true); // register 1, rank 1
    expect(registers[1]).toBe(1);
  });

  it('estimates 0 for empty sketches and small sets nearly exactly', () => {
    const empty = new Uint8Array(2 * REGISTERS);
    expect(estimateUnion(empty, 0, REGISTERS)).toBe(0);
    const registers = new Uint8Array(2 * REGISTERS);
    registers.set(sketchOf(range('u', 5)));
    expect(estimateUnion(registers, 0, REGISTERS)).toBe(5);
  });

  it.each([100, 1_000, 50_000])('stays within three standard errors at %i members', (count) => {
    const registers = new Uint8Array(2 * REGISTERS);
    registers.set(sketchOf(range('member-', count)));
    const estimate = estimateUnion(registers, 0, REGISTERS);
    expect(Math.abs(estimate - count) / count).toBeLessThan(3 * RELATIVE_ERROR);
  });

  it('estimates the union of two sketches, not their sum', () => {
    const registers = new Uint8Array(2 * REGISTERS);
    registers.set(sketchOf(range('m', 800)), 0);
    registers.set(sketchOf(range('m', 1_000).slice(200)), REGISTERS); // 200…999: overlaps on 200…799
    const union = estimateUnion(registers, 0, REGISTERS);
    expect(Math.abs(union - 1_000) / 1_000).toBeLessThan(3 * RELATIVE_ERROR);
    expect(union).toBe(estimateUnion(sketchOf(range('m', 1_000)), 0, 0));
  });
});
