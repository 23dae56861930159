/** Ranges as people type them, and round chart buckets. */
import { describe, expect, it } from 'vitest';
import { BadRangeError, bucketFor, parseDuration, parseRange } from '../../src/events/report-range.js';

const NOW = Date.UTC(2026, 0, 31, 12);

describe('parseRange', () => {
  it('reads since, from and to', () => {
    expect(parseRange({ since: '7d' }, NOW)).toEqual({ from: NOW - 7 * 86_400_000, to: NOW, since: '7d' });
    expect(parseRange({}, NOW, '1h')).toEqual({ from: NOW - 3_600_000, to: NOW, since: '1h' });
    expect(parseRange({ from: '2026-01-30T00:00:00Z', to: '2026-01-31T00:00:00Z' }, NOW)).toEqual({
      from: Date.UTC(2026, 0, 30),
      to: Date.UTC(2026, 0, 31),
      since: null,
    });
    expect(parseRange({ since: '2w', to: String(NOW - 1000) }, NOW)).toEqual({
      from: NOW - 1000 - 14 * 86_400_000,
      to: NOW - 1000,
      since: '2w',
    });
  });

  it.each([
    [{ since: '7' }, /Cannot read "since"/],
    [{ since: '0d' }, /Cannot read "since"/],
    [{ since: '-1d' }, /Cannot read "since"/],
    [{ from: 'last tuesday' }, /Cannot read "from"/],
    [{ to: 'soon' }, /Cannot read "to"/],
    [{ from: '2026-02-01T00:00:00Z' }, /"from" must be before "to"/],
    [{ since: '401d' }, /at most 400 days/],
    [{ since: '1d', from: '2026-01-01' }, /not both/],
  ])('refuses %j', (input, message) => {
    expect(() => parseRange(input, NOW)).toThrow(BadRangeError);
    expect(() => parseRange(input, NOW)).toThrow(message);
  });
});

describe('parseDuration and bucketFor', () => {
  it('reads durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1y')).toBeNull();
  });

  it('picks the smallest round bucket within 120 points', () => {
    expect(bucketFor({ from: 0, to: 3_600_000 })).toBe(30_000);
    expect(bucketFor({ from: 0, to: 86_400_000 })).toBe(900_000);
    expect(bucketFor({ from: 0, to: 7 * 86_400_000 })).toBe(10_800_000);
    expect(bucketFor({ from: 0, to: 400 * 86_400_000 })).toBe(604_800_000);
  });
});
