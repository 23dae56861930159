/**
 * The time range a report or a chart covers, from what people type: `since=7d` (the last seven
 * days up to now), or `from` / `to` as ISO dates or epoch milliseconds. Used by the admin API and
 * `botgate report`, so both accept the same words and refuse the same mistakes with the same
 * one-line message.
 */
import type { TimeRange } from './sink.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([smhdw])$/;
/** The longest range a report covers; past it the aggregate queries scan more than a console should wait for. */
export const MAX_RANGE_MS = 400 * 86_400_000;

/** `90s`, `15m`, `24h`, `7d`, `2w` in milliseconds, or null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return ms > 0 ? ms : null;
}

/** A range the caller got wrong; its message is the one line to show (the API answers 400 with it). */
export class BadRangeError extends Error {}

export interface RangeInput {
  readonly since?: string | null | undefined;
  readonly from?: string | null | undefined;
  readonly to?: string | null | undefined;
}

/**
 * The range asked for, ending now by default and starting `defaultSince` before its end. Throws
 * BadRangeError with the message to show (a bad duration or date, from after to, too long).
 */
export function parseRange(
  input: RangeInput,
  now: number,
  defaultSince = '7d',
): TimeRange & { readonly since: string | null } {
  const to = input.to ? parseInstant('to', input.to) : now;
  let from: number;
  let since: string | null = null;
  if (input.from) {
    if (input.since) throw new BadRangeError('Cannot read the range: give "since" or "from", not both');
    from = parseInstant('from', input.from);
  } else {
    since = input.since || defaultSince;
    const ms = parseDuration(since);
    if (ms === null) {
      throw new BadRangeError(
        `Cannot read "since": expected a number and a unit s, m, h, d or w, such as 7d or 24h (received "${clip(since)}")`,
      );
    }
    from = to - ms;
  }
  if (from >= to)
    throw new BadRangeError(`Cannot read the range: "from" must be before "to" (received ${iso(from)} and ${iso(to)})`);
  if (to - from > MAX_RANGE_MS)
    throw new BadRangeError(
      `Cannot read the range: at most 400 days (received ${Math.ceil((to - from) / 86_400_000)} days)`,
    );
  return { from, to, since };
}

function parseInstant(name: string, text: string): number {
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new BadRangeError(
      `Cannot read "${name}": expected an ISO date such as 2026-01-31T00:00:00Z or epoch milliseconds (received "${clip(text)}")`,
    );
  }
  return value;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Bucket sizes a chart uses, so its ticks fall on round times. */
const NICE_BUCKETS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000,
  86_400_000, 604_800_000,
];

/** The smallest round bucket that keeps a range within `maxPoints` buckets. */
export function bucketFor(range: TimeRange, maxPoints = 120): number {
  const span = range.to - range.from;
  for (const size of NICE_BUCKETS_MS) if (span / size <= maxPoints) return size;
  return NICE_BUCKETS_MS[NICE_BUCKETS_MS.length - 1] as number;
}
