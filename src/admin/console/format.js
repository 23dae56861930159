// Numbers, times and durations as the console shows them (the browser's locale).

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usdCents = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const clockShort = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export const num = (n) => (n === null || n === undefined ? '—' : integer.format(n));
export const short = (n) => (n === null || n === undefined ? '—' : n < 10_000 ? integer.format(n) : compact.format(n));
export const money = (n) => (n === null || n === undefined ? '—' : n < 1_000 ? usdCents.format(n) : usd.format(n));
export const time = (ms) => clock.format(new Date(ms));
export const hhmm = (ms) => clockShort.format(new Date(ms));
export const date = (ms) => day.format(new Date(ms));
export const stamp = (ms) => dateTime.format(new Date(ms));

/** `12.5 %`, with `—` when there is nothing to divide. */
export function percent(p, digits = 1) {
  if (p === null || p === undefined || Number.isNaN(p)) return '—';
  return `${p.toFixed(p !== 0 && Math.abs(p) < 1 ? Math.max(digits, 2) : digits)} %`;
}

/** 90 000 → "1 min 30 s"; 7 200 000 → "2 h". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 || m >= 10 ? `${m} min` : `${m} min ${s % 60} s`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 === 0 || hours >= 10 ? `${hours} h` : `${hours} h ${m % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/** "3 min ago" relative to `now`. */
export function ago(ms, now = Date.now()) {
  const d = Math.max(0, now - ms);
  return d < 5_000 ? 'just now' : `${duration(d)} ago`;
}

/** A bucket size in words for axis labels: 10 000 → "10 s". */
export function bucketWords(ms) {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** "1 account", "3 accounts" (English plurals with an s; pass `many` otherwise). */
export function plural(n, one, many = `${one}s`) {
  return `${num(n)} ${n === 1 ? one : many}`;
}
