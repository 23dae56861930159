/**
 * The simulator's only source of randomness: seeded, so the same scenario and seed give the same
 * request sequence on every machine. `Math.random` is never used.
 *
 * Streams are derived by name rather than drawn one after another (`fork('desktop-browser', 3)`),
 * so one persona's or session's draws never shift another's: adding a persona to a scenario, or a
 * session that stops early because it was blocked, leaves every other sequence as it was.
 */
import { seededRandom } from '../src/demo/seeded-random.js';

export interface Random {
  /** The seed this stream was made from. */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  below(bound: number): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** One of the keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** A log-normal draw: `median` is the 50th percentile, `sigma` the spread of its logarithm. */
  logNormal(median: number, sigma: number): number;
  /** An exponential draw with the given mean (gaps between independent arrivals). */
  exponential(mean: number): number;
  /** A new array in random order. */
  shuffled<T>(items: readonly T[]): T[];
  /** An independent stream named by `labels`; does not consume this stream's draws. */
  fork(...labels: readonly (string | number)[]): Random;
}

export function createRandom(seed: number): Random {
  const base = seededRandom(seed);
  const random: Random = {
    seed: seed >>> 0,
    next: base.next,
    below: base.below,
    pick: base.pick,
    int: (min, max) => min + base.below(max - min + 1),
    between: (min, max) => min + base.next() * (max - min),
    chance: (probability) => base.next() < probability,
    weighted(weights) {
      const keys = Object.keys(weights) as (keyof typeof weights)[];
      let total = 0;
      for (const key of keys) total += weights[key];
      let point = base.next() * total;
      for (const key of keys) {
        point -= weights[key];
        if (point < 0) return key;
      }
      return keys[keys.length - 1] as keyof typeof weights;
    },
    logNormal(median, sigma) {
      // Box–Muller; 1 - next() keeps the logarithm finite.
      const u = 1 - base.next();
      const v = base.next();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * normal);
    },
    exponential: (mean) => -mean * Math.log(1 - base.next()),
    shuffled(items) {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = base.below(i + 1);
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
    fork: (...labels) => createRandom(deriveSeed(seed, ...labels)),
  };
  return random;
}

/** A 32-bit seed from a parent seed and labels: FNV-1a over their text, then a murmur3 finaliser. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  const text = `${seed >>> 0}/${labels.join('/')}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
