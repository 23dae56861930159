/**
 * The embedded store: every operation of `Store` in process memory, with a hard cap on entries so
 * that a flood of unique IPs, usernames or fingerprints cannot exhaust memory. It is the default
 * backend, the engine's synchronous fast path (`execSync`) and the Redis store's fail-open
 * fallback.
 *
 * Semantics (the shared contract in test/state/store-contract.ts; the Redis store reproduces them):
 * - Each kind has its own key space. A counter is identified by (key, windowMs): `peek` reads
 *   what `hit` wrote with the same window, and the same key with another window is another
 *   counter. A distinct sketch is likewise (key, windowMs). Flags and claims are identified by
 *   key alone, in two separate spaces: `flagSet('x')` does not claim `'x'`.
 * - hit / peek: two-bucket sliding window, see sliding-window.ts (count rounded down; `hit`
 *   includes itself). `by` is a whole number ≥ 0; a window's count is an unsigned 32-bit integer.
 * - distinct: HyperLogLog of 128 registers (±9.2 %, near exact below a few dozen members, see
 *   hyperloglog.ts) per key and epoch (epoch = floor(now / windowMs)); the estimate covers the
 *   union of the current and previous epoch, so between one and two windows. Reading (no
 *   member) an absent sketch returns 0 and creates nothing.
 * - flagGet / flagSet: a string with a time to live; expired (now ≥ set time + ttlMs) reads as
 *   null; a ttl ≤ 0 deletes the flag.
 * - claim: true when the key is not held (absent or expired), and then holds it until now + ttlMs;
 *   false while it is held. A failed claim does not extend the hold.
 * - A batch runs in order against one reading of the clock, so a `flagGet` after a `flagSet` in
 *   the same batch sees the value.
 *
 * Layout: struct of arrays, one slot per entry, so an entry is a few typed-array cells and one
 * Map entry rather than an object. Fields mean different things per kind:
 *
 *   field      counter                       distinct                     flag         claim
 *   stamp      window index of `current`     epoch of the current sketch  expiry (ms)  expiry (ms)
 *   current    count in that window          sketch block (sketch pool)   –            –
 *   previous   count in the window before    –                            –            –
 *   values     –                             –                            the value    –
 *   spaceOf    key space of the slot (kind + window), keys: the key, to forget it on eviction
 *
 * plus 8 bytes of recency links (lru-index.ts) and the key space's Map entry key → slot. A
 * counter costs about 110 bytes including a 15-character key, about 140 at the cap under churn
 * (the Map keeps deleted entries until it rehashes); bench/memory-store.ts measures both. A
 * distinct sketch adds about 270 bytes (two epochs of 128 registers).
 *
 * Cap: at most `maxEntries` entries across every kind. A new key first reclaims up to two
 * expired entries at the least-recently-used end (as nginx's limit_req does), then, if the store
 * is still full, evicts the least recently used entry whatever its kind. Reads count as use.
 * Expired entries are also reclaimed when read. Trade-off: under a flood of unique keys, idle
 * flags and claims are evicted like counters, so a nonce evicted before its TTL can be claimed
 * again; size `maxEntries` for the flood you expect (the config default is one million).
 */
import { type Clock, systemClock } from './clock.js';
import { DistinctSketches } from './distinct-sketches.js';
import { hashMember } from './hyperloglog.js';
import { LruSlots, NO_SLOT } from './lru-index.js';
import { slidingCount, windowIndex } from './sliding-window.js';
import type { Store, StoreHealth, StoreOp, StoreValue } from './store.js';

export interface MemoryStoreOptions {
  /** Hard cap on entries across all kinds; the least recently used entry is evicted past it. */
  readonly maxEntries: number;
  /** Time source for windows and expiry; the system clock by default. */
  readonly clock?: Clock;
}

export interface MemoryStoreStats {
  readonly entries: number;
  readonly maxEntries: number;
  /** Entries that are distinct sketches (each holds 256 register bytes). */
  readonly sketches: number;
}

const COUNTER = 0;
const DISTINCT = 1;
const FLAG = 2;
const CLAIM = 3;

/** Expired entries checked at the least-recently-used end before each new key. */
const RECLAIM_PER_INSERT = 2;
/** Key spaces are indexed by a Uint16 per slot; windows come from the policy, so a few exist. */
const MAX_KEY_SPACES = 0xffff;

const HEALTHY: StoreHealth = Object.freeze({ ok: true, degraded: false });

interface KeySpace {
  readonly id: number;
  readonly kind: number;
  /** 0 for flags and claims. */
  readonly windowMs: number;
  readonly slots: Map<string, number>;
}

export class MemoryStore implements Store {
  readonly name = 'memory';
  readonly maxEntries: number;
  private readonly clock: Clock;
  private readonly lru: LruSlots;
  private readonly sketches = new DistinctSketches();
  private stamp: Float64Array;
  private current: Uint32Array;
  private previous: Uint32Array;
  private spaceOf: Uint16Array;
  private readonly keys: (string | undefined)[] = [];
  private readonly values: (string | undefined)[] = [];
  private readonly spaces: KeySpace[] = [];
  private readonly counterSpaces = new Map<number, KeySpace>();
  private readonly distinctSpaces = new Map<number, KeySpace>();
  private readonly flagSpace: KeySpace;
  private readonly claimSpace: KeySpace;

  constructor(options: MemoryStoreOptions) {
    this.maxEntries = options.maxEntries;
    this.clock = options.clock ?? systemClock;
    this.lru = new LruSlots(options.maxEntries);
    const capacity = this.lru.capacity;
    this.stamp = new Float64Array(capacity);
    this.current = new Uint32Array(capacity);
    this.previous = new Uint32Array(capacity);
    this.spaceOf = new Uint16Array(capacity);
    this.flagSpace = this.addSpace(FLAG, 0);
    this.claimSpace = this.addSpace(CLAIM, 0);
  }

  /** Entries held right now (never more than `maxEntries`). */
  get size(): number {
    return this.lru.size;
  }

  stats(): MemoryStoreStats {
    return { entries: this.lru.size, maxEntries: this.maxEntries, sketches: this.sketches.size };
  }

  exec(ops: readonly StoreOp[]): Promise<StoreValue[]> {
    try {
      return Promise.resolve(this.execSync(ops));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Run a batch now: one value per operation, in order. Throws only on a malformed operation. */
  execSync(ops: readonly StoreOp[]): StoreValue[] {
    const now = this.clock.now();
    const results = new Array<StoreValue>(ops.length);
    for (let i = 0; i < ops.length; i++) results[i] = this.apply(ops[i]!, now);
    return results;
  }

  /** Applied at once: memory has nothing to coalesce. */
  write(ops: readonly StoreOp[]): void {
    const now = this.clock.now();
    for (let i = 0; i < ops.length; i++) this.apply(ops[i]!, now);
  }

  health(): StoreHealth {
    return HEALTHY;
  }

  /** Drop every entry; the store stays usable (a fallback store may outlive a closed primary). */
  close(): Promise<void> {
    for (const space of this.spaces) space.slots.clear();
    this.keys.length = 0;
    this.values.length = 0;
    this.lru.reset();
    this.sketches.reset();
    return Promise.resolve();
  }

  private apply(op: StoreOp, now: number): StoreValue {
    switch (op.kind) {
      case 'hit':
        return this.hit(op.key, op.windowMs, op.by ?? 1, now);
      case 'peek':
        return this.peek(op.key, op.windowMs, now);
      case 'distinct':
        return this.distinct(op.key, op.windowMs, op.member, now);
      case 'flagGet':
        return this.flagGet(op.key, now);
      case 'flagSet':
        this.flagSet(op.key, op.value, op.ttlMs, now);
        return null;
      case 'claim':
        return this.claim(op.key, op.ttlMs, now);
      default:
        throw new TypeError(
          `Cannot run store operation: unknown kind (received "${String((op as { kind: unknown }).kind)}")`,
        );
    }
  }

  private hit(key: string, windowMs: number, by: number, now: number): number {
    const space = this.counterSpaces.get(windowMs) ?? this.addSpace(COUNTER, windowMs);
    const index = windowIndex(now, windowMs);
    let slot = space.slots.get(key);
    if (slot === undefined) {
      slot = this.insert(space, key, now);
      this.stamp[slot] = index;
      this.current[slot] = by;
      this.previous[slot] = 0;
      return this.current[slot]!;
    }
    this.lru.touch(slot);
    this.advanceCounter(slot, index);
    this.current[slot] = this.current[slot]! + by;
    return slidingCount(this.current[slot]!, this.previous[slot]!, this.stamp[slot]!, now, windowMs);
  }

  private peek(key: string, windowMs: number, now: number): number {
    const slot = this.counterSpaces.get(windowMs)?.slots.get(key);
    if (slot === undefined) return 0;
    const index = windowIndex(now, windowMs);
    if (index >= this.stamp[slot]! + 2) {
      this.release(slot);
      return 0;
    }
    this.lru.touch(slot);
    this.advanceCounter(slot, index);
    return slidingCount(this.current[slot]!, this.previous[slot]!, this.stamp[slot]!, now, windowMs);
  }

  /** Move a counter's buckets to window `index`; a clock that went back leaves them in the newer window. */
  private advanceCounter(slot: number, index: number): void {
    const last = this.stamp[slot]!;
    if (index <= last) return;
    this.previous[slot] = index === last + 1 ? this.current[slot]! : 0;
    this.current[slot] = 0;
    this.stamp[slot] = index;
  }

  private distinct(key: string, windowMs: number, member: string | undefined, now: number): number {
    const epoch = windowIndex(now, windowMs);
    let space = this.distinctSpaces.get(windowMs);
    let slot = space?.slots.get(key);
    let block: number;
    if (slot === undefined) {
      if (member === undefined) return 0;
      space ??= this.addSpace(DISTINCT, windowMs);
      slot = this.insert(space, key, now);
      block = this.sketches.allocate();
      this.current[slot] = block;
      this.stamp[slot] = epoch;
    } else {
      block = this.current[slot]!;
      const last = this.stamp[slot]!;
      if (member === undefined && epoch >= last + 2) {
        this.release(slot);
        return 0;
      }
      this.lru.touch(slot);
      if (epoch > last) {
        this.sketches.advance(block, epoch - last);
        this.stamp[slot] = epoch;
      }
    }
    if (member !== undefined) this.sketches.add(block, hashMember(member));
    return this.sketches.estimate(block);
  }

  private flagGet(key: string, now: number): string | null {
    const slot = this.flagSpace.slots.get(key);
    if (slot === undefined) return null;
    if (now >= this.stamp[slot]!) {
      this.release(slot);
      return null;
    }
    this.lru.touch(slot);
    return this.values[slot] ?? null;
  }

  private flagSet(key: string, value: string, ttlMs: number, now: number): void {
    let slot = this.flagSpace.slots.get(key);
    if (ttlMs <= 0) {
      if (slot !== undefined) this.release(slot);
      return;
    }
    if (slot === undefined) slot = this.insert(this.flagSpace, key, now);
    else this.lru.touch(slot);
    this.values[slot] = value;
    this.stamp[slot] = now + ttlMs;
  }

  private claim(key: string, ttlMs: number, now: number): boolean {
    let slot = this.claimSpace.slots.get(key);
    if (slot === undefined) {
      if (ttlMs <= 0) return true;
      slot = this.insert(this.claimSpace, key, now);
    } else {
      this.lru.touch(slot);
      if (now < this.stamp[slot]!) return false;
    }
    this.stamp[slot] = now + ttlMs;
    return true;
  }

  /** A slot for a new key, most recently used; the caller fills its fields. */
  private insert(space: KeySpace, key: string, now: number): number {
    this.reclaimExpired(now);
    if (this.lru.size >= this.maxEntries) this.release(this.lru.tail);
    const slot = this.lru.allocate();
    if (slot >= this.stamp.length) this.grow();
    // Keys built by concatenation (`ip:${ip}`) are ropes, and a Map keeps them unflattened;
    // reading a character flattens the rope in place and lets the GC drop its nodes, ~33 bytes
    // less per key (bench/memory-store.ts). Once per new key, never on lookups.
    key.charCodeAt(0);
    space.slots.set(key, slot);
    this.keys[slot] = key;
    this.values[slot] = undefined;
    this.spaceOf[slot] = space.id;
    return slot;
  }

  private reclaimExpired(now: number): void {
    let slot = this.lru.tail;
    for (let checked = 0; checked < RECLAIM_PER_INSERT && slot !== NO_SLOT; checked++) {
      const newer = this.lru.newerThan(slot);
      if (this.isExpired(slot, now)) this.release(slot);
      slot = newer;
    }
  }

  private isExpired(slot: number, now: number): boolean {
    const space = this.spaces[this.spaceOf[slot]!]!;
    if (space.kind === FLAG || space.kind === CLAIM) return now >= this.stamp[slot]!;
    return windowIndex(now, space.windowMs) >= this.stamp[slot]! + 2;
  }

  private release(slot: number): void {
    const space = this.spaces[this.spaceOf[slot]!]!;
    space.slots.delete(this.keys[slot]!);
    if (space.kind === DISTINCT) this.sketches.release(this.current[slot]!);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.lru.release(slot);
  }

  private addSpace(kind: number, windowMs: number): KeySpace {
    if (kind === COUNTER || kind === DISTINCT) {
      if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
        throw new RangeError(`Cannot count in a window: windowMs must be a positive number (received ${windowMs})`);
      }
    }
    if (this.spaces.length >= MAX_KEY_SPACES) {
      throw new RangeError(`Cannot add a key space: at most ${MAX_KEY_SPACES} distinct windows are supported`);
    }
    const space: KeySpace = { id: this.spaces.length, kind, windowMs, slots: new Map() };
    this.spaces.push(space);
    if (kind === COUNTER) this.counterSpaces.set(windowMs, space);
    else if (kind === DISTINCT) this.distinctSpaces.set(windowMs, space);
    return space;
  }

  /** Follow the slot table's capacity; amortised by its doubling. */
  private grow(): void {
    const capacity = this.lru.capacity;
    const stamp = new Float64Array(capacity);
    stamp.set(this.stamp);
    this.stamp = stamp;
    const current = new Uint32Array(capacity);
    current.set(this.current);
    this.current = current;
    const previous = new Uint32Array(capacity);
    previous.set(this.previous);
    this.previous = previous;
    const spaceOf = new Uint16Array(capacity);
    spaceOf.set(this.spaceOf);
    this.spaceOf = spaceOf;
  }
}
