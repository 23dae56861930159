/**
 * One store batch as one Redis call: a single Lua script interprets the batch's operations,
 * encoded compactly in ARGV, so a request costs exactly one round trip (EVALSHA) whatever the
 * number of detectors, and the batch runs atomically against one reading of the gateway's clock.
 *
 * The script reproduces the memory store's contract (memory-store.ts, sliding-window.ts) with
 * `now` passed in from the injected Clock: every time decision (window index, sliding weight,
 * flag and claim expiry) is computed from it, never from Redis's clock, so all nodes agree and
 * tests replay on a ManualClock. Redis TTLs (PEXPIRE/PX) only collect garbage, a margin after the
 * logical expiry (`GC_MARGIN_MS`).
 *
 * Key layout, under `base` = `{prefix}:` (the braces are a Redis Cluster hash tag: every key of
 * the batch hashes to one slot, which a single script call requires):
 *
 *   c:<windowMs>:<index>:<key>    counter bucket of fixed window `index` (INCRBY); a sliding count
 *                                 reads buckets `index` and `index - 1`, older ones are dead
 *   d:<windowMs>:<epoch>:<key>    HyperLogLog of the members added in epochs `epoch - 1` and
 *                                 `epoch`: each member goes into the current and the next
 *                                 epoch's sketch, so a count is one PFCOUNT of one key (Redis
 *                                 caches it) instead of a two-key PFCOUNT, which merges 16 K
 *                                 registers each time (~45 µs); the price is a second PFADD
 *                                 (~3 µs) and each sketch living three epochs instead of two
 *   f:<key>                       flag: "<expiry ms>:<value>"
 *   n:<key>                       claim: "<expiry ms>"
 *
 * Bucket-per-window keys need no read-modify-write: a hit is INCRBY, plus one GET of the previous
 * bucket. A clock that goes back (node skew) counts into the older bucket rather than staying in
 * the newer window as the memory store does; nodes are expected to agree within NTP's error,
 * far below any window the policy uses.
 *
 * ARGV: now, reply ('1' to return one value per operation, '0' for coalesced writes, which skip
 * every read), GC margin, then the operations, each an opcode and its fields:
 *   h key windowMs by    hit             p key windowMs           peek
 *   d key windowMs member distinct add   q key windowMs           distinct read
 *   g key                flagGet         s key ttlMs value        flagSet
 *   c key ttlMs          claim           t now                    later operations use this now
 * Replies: counts as integers, flags as strings or nil, claims as 1 or 0, flagSet as nil.
 */
import type { StoreOp, StoreValue } from './store.js';

/**
 * Redis keeps a key this long after the contract says it is dead. It covers clock skew between
 * nodes (a node whose clock is behind still reads a bucket another node thinks is over), at the
 * price of a few seconds of extra memory per key. Never shortens what the contract promises.
 */
export const GC_MARGIN_MS = 5_000;

export const BATCH_SCRIPT = `
local base = KEYS[1]
local now = tonumber(ARGV[1])
local reply = ARGV[2] == '1'
local margin = tonumber(ARGV[3])
local floor, ceil, fmt, find, sub = math.floor, math.ceil, string.format, string.find, string.sub
local out = {}
local n = 0
local i = 4
local argc = #ARGV

-- Per window length: the fixed window now falls in and the key parts of it and its neighbours.
-- Built once a call (string.format is the costly part of a key), reset when now changes.
local windows = {}
local function window(wText)
  local win = windows[wText]
  if not win then
    local w = tonumber(wText)
    local index = floor(now / w)
    win = {
      w = w,
      index = index,
      cur = ':' .. fmt('%.0f', index) .. ':',
      prev = ':' .. fmt('%.0f', index - 1) .. ':',
      next = ':' .. fmt('%.0f', index + 1) .. ':',
    }
    windows[wText] = win
  end
  return win
end

local function sliding(cur, prev, win)
  if prev == 0 then return cur end
  local w = win.w
  local remaining = (win.index + 1) * w - now
  if remaining > w then remaining = w end
  return cur + floor(prev * remaining / w)
end

while i <= argc do
  local op = ARGV[i]
  if op == 'h' or op == 'p' then
    local key, wText = ARGV[i + 1], ARGV[i + 2]
    local win = window(wText)
    local stem = base .. 'c:' .. wText
    local cur = stem .. win.cur .. key
    if op == 'h' then
      local by = ARGV[i + 3]
      i = i + 4
      local c = redis.call('INCRBY', cur, by)
      if c == tonumber(by) then redis.call('PEXPIRE', cur, ceil((win.index + 2) * win.w - now + margin)) end
      if reply then
        local prev = redis.call('GET', stem .. win.prev .. key)
        n = n + 1
        out[n] = sliding(c, tonumber(prev or '0'), win)
      end
    else
      i = i + 3
      if reply then
        local both = redis.call('MGET', cur, stem .. win.prev .. key)
        n = n + 1
        out[n] = sliding(tonumber(both[1] or '0'), tonumber(both[2] or '0'), win)
      end
    end
  elseif op == 'd' or op == 'q' then
    local key, wText = ARGV[i + 1], ARGV[i + 2]
    local win = window(wText)
    local stem = base .. 'd:' .. wText
    local cur = stem .. win.cur .. key
    if op == 'd' then
      local member = ARGV[i + 3]
      i = i + 4
      -- Also into the next epoch's sketch, so that one always holds its own epoch and the one
      -- before: the union is a single-key PFCOUNT (cached by Redis), never a merge.
      if redis.call('PFADD', cur, member) == 1 then
        redis.call('PEXPIRE', cur, ceil((win.index + 1) * win.w - now + margin))
      end
      local nextKey = stem .. win.next .. key
      if redis.call('PFADD', nextKey, member) == 1 then
        redis.call('PEXPIRE', nextKey, ceil((win.index + 2) * win.w - now + margin))
      end
    else
      i = i + 3
    end
    if reply then
      n = n + 1
      out[n] = redis.call('PFCOUNT', cur)
    end
  elseif op == 'g' then
    local v = redis.call('GET', base .. 'f:' .. ARGV[i + 1])
    i = i + 2
    if reply then
      n = n + 1
      out[n] = false
      if v then
        local sep = find(v, ':', 1, true)
        if now < tonumber(sub(v, 1, sep - 1)) then out[n] = sub(v, sep + 1) end
      end
    end
  elseif op == 's' then
    local key = base .. 'f:' .. ARGV[i + 1]
    local ttl = tonumber(ARGV[i + 2])
    if ttl <= 0 then
      redis.call('DEL', key)
    else
      redis.call('SET', key, fmt('%.17g', now + ttl) .. ':' .. ARGV[i + 3], 'PX', ceil(ttl + margin))
    end
    i = i + 4
    if reply then
      n = n + 1
      out[n] = false
    end
  elseif op == 'c' then
    local key = base .. 'n:' .. ARGV[i + 1]
    local ttl = tonumber(ARGV[i + 2])
    i = i + 3
    local held = redis.call('GET', key)
    local won = 1
    if held and now < tonumber(held) then
      won = 0
    elseif ttl > 0 then
      redis.call('SET', key, fmt('%.17g', now + ttl), 'PX', ceil(ttl + margin))
    elseif held then
      redis.call('DEL', key)
    end
    if reply then
      n = n + 1
      out[n] = won
    end
  elseif op == 't' then
    now = tonumber(ARGV[i + 1])
    windows = {}
    i = i + 2
  else
    return redis.error_reply('botgate batch: unknown opcode ' .. tostring(op) .. ' at ARGV[' .. i .. ']')
  end
end
if reply then return out end
return n
`;

/** What one batch sends: ARGV strings and numbers (ioredis formats the numbers). */
export type BatchArgs = (string | number)[];

/** ARGV[1..3] for a batch at `now`; operations are appended with `encodeOps`. */
export function batchHeader(now: number, reply: boolean): BatchArgs {
  return [now, reply ? '1' : '0', GC_MARGIN_MS];
}

/** Switches the `now` of the operations appended after it (coalesced writes span several instants). */
export function encodeTime(now: number, into: BatchArgs): void {
  into.push('t', now);
}

/**
 * Appends each operation's opcode and fields. Throws, as the memory store does, on an unknown
 * kind or a window that is not a positive finite number (and on a TTL that is not finite, which
 * the memory store would keep forever): a malformed batch is a programming
 * error, not a backend fault, and must never reach Redis (where it would count as a failure).
 */
export function encodeOps(ops: readonly StoreOp[], into: BatchArgs): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    switch (op.kind) {
      case 'hit':
        // ToUint32, as the memory store's Uint32Array does, so both count the same `by`.
        into.push('h', op.key, checkedWindow(op.windowMs), (op.by ?? 1) >>> 0);
        break;
      case 'peek':
        into.push('p', op.key, checkedWindow(op.windowMs));
        break;
      case 'distinct':
        if (op.member === undefined) into.push('q', op.key, checkedWindow(op.windowMs));
        else into.push('d', op.key, checkedWindow(op.windowMs), op.member);
        break;
      case 'flagGet':
        into.push('g', op.key);
        break;
      case 'flagSet':
        into.push('s', op.key, checkedTtl(op.ttlMs), op.value);
        break;
      case 'claim':
        into.push('c', op.key, checkedTtl(op.ttlMs));
        break;
      default:
        throw new TypeError(
          `Cannot run store operation: unknown kind (received "${String((op as { kind: unknown }).kind)}")`,
        );
    }
  }
}

/**
 * The script's reply to batches of several requests sent as one call, checked: one value per
 * operation of all of them. Throws on any other shape (a fault, answered from the fallback).
 */
export function checkReply(reply: unknown, operations: number): unknown[] {
  if (!Array.isArray(reply) || reply.length !== operations) {
    throw new Error(`Cannot read the Redis batch reply: expected ${operations} values (received ${describe(reply)})`);
  }
  return reply;
}

/**
 * The values of `ops` from a checked reply, where they start at `offset`: claims become
 * booleans, the rest is as sent. A reply that holds only `ops` is converted in place.
 */
export function valuesOf(ops: readonly StoreOp[], reply: unknown[], offset: number): StoreValue[] {
  const values = (
    offset === 0 && reply.length === ops.length ? reply : reply.slice(offset, offset + ops.length)
  ) as StoreValue[];
  for (let i = 0; i < ops.length; i++) {
    if (ops[i]!.kind === 'claim') values[i] = values[i] === 1;
  }
  return values;
}

function checkedWindow(windowMs: number): number {
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
    throw new RangeError(`Cannot count in a window: windowMs must be a positive number (received ${windowMs})`);
  }
  return windowMs;
}

/** A NaN or infinite TTL would make the script fail (and count as a Redis fault); refuse it here. */
function checkedTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs)) {
    throw new RangeError(`Cannot set a time to live: ttlMs must be a finite number (received ${ttlMs})`);
  }
  return ttlMs;
}

function describe(reply: unknown): string {
  return Array.isArray(reply) ? `${reply.length} values` : typeof reply;
}
