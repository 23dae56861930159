import { describe, expect, it } from 'vitest';
import { DistinctSketches } from '../../src/state/distinct-sketches.js';
import { hashMember } from '../../src/state/hyperloglog.js';

function addAll(sketches: DistinctSketches, block: number, prefix: string, count: number): void {
  for (let i = 0; i < count; i++) sketches.add(block, hashMember(`${prefix}${i}`));
}

describe('DistinctSketches', () => {
  it('keeps blocks apart and counts the current and previous epoch together', () => {
    const sketches = new DistinctSketches();
    /** The estimate of a fresh sketch of exactly these member sets. */
    const fresh = (...sets: [string, number][]): number => {
      const block = sketches.allocate();
      for (const [prefix, count] of sets) addAll(sketches, block, prefix, count);
      const estimate = sketches.estimate(block);
      sketches.release(block);
      return estimate;
    };
    const a = sketches.allocate();
    const b = sketches.allocate();
    addAll(sketches, a, 'a', 10);
    addAll(sketches, b, 'b', 3);
    expect([sketches.estimate(a), sketches.estimate(b)]).toEqual([10, 3]);
    sketches.advance(a, 1);
    expect(sketches.estimate(a)).toBe(10);
    addAll(sketches, a, 'c', 10);
    expect(sketches.estimate(a)).toBe(fresh(['a', 10], ['c', 10]));
    expect(Math.abs(sketches.estimate(a) - 20)).toBeLessThanOrEqual(1);
    sketches.advance(a, 1); // the 'a' epoch leaves
    expect(sketches.estimate(a)).toBe(fresh(['c', 10]));
    sketches.advance(a, 2);
    expect(sketches.estimate(a)).toBe(0);
    sketches.advance(a, 0);
    expect(sketches.estimate(b)).toBe(3);
  });

  it('hands out released blocks empty, before growing', () => {
    const sketches = new DistinctSketches();
    const blocks = Array.from({ length: 200 }, () => sketches.allocate());
    expect(new Set(blocks).size).toBe(200);
    addAll(sketches, blocks[7] as number, 'x', 50);
    sketches.release(blocks[7] as number);
    expect(sketches.size).toBe(199);
    const reused = sketches.allocate();
    expect(reused).toBe(blocks[7]);
    expect(sketches.estimate(reused)).toBe(0);
    expect(sketches.allocate()).toBe(200);
  });
});
