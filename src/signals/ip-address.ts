/**
 * Textual IP addresses, parsed without allocation into eight 16-bit groups.
 *
 * One representation serves both families: an IPv4 address is stored as its IPv4-mapped IPv6
 * form (`::ffff:a.b.c.d`), so `::ffff:127.0.0.1` and `127.0.0.1` are the same address to every
 * caller, and a CIDR check is one loop over groups whatever the family.
 *
 * Hand-written rather than node:net because the hot path needs the numbers, not just a yes/no:
 * `net.isIP` answers validity only (and costs ~0.4 µs on an IPv6 address through a regex),
 * `BlockList.check(string)` builds a SocketAddress each call (~3 µs). Parsing here is strict in
 * the same way as `net.isIP` (no leading zeros in IPv4 parts, one `::`), and a differential test
 * holds the two together.
 */

/** Eight 16-bit groups; reuse one per call site, the parser overwrites it. */
export type IpGroups = Uint16Array;

/** 4 for IPv4 (including IPv4-mapped IPv6 text), 6 for other IPv6, 0 for not an address. */
export type IpFamily = 0 | 4 | 6;

const COLON = 58;
const DOT = 46;
const PERCENT = 37;
/** Longest valid IPv6 text: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_IPV6_TEXT = 45;

export function newIpGroups(): IpGroups {
  return new Uint16Array(8);
}

/**
 * Parses `text[start, end)` as a dotted-quad IPv4 address: an unsigned 32-bit number, or -1.
 * Four decimal parts of 0–255, no leading zeros (`01.2.3.4` is ambiguous: octal to some parsers).
 */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || parts === 3) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (digits > 0 && part === 0) return -1; // leading zero
    part = part * 10 + d;
    digits++;
    if (part > 255) return -1;
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + part;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (no brackets, no zone) into `out`; false when it is not an address. */
function parseIPv6(text: string, start: number, end: number, out: IpGroups): boolean {
  const len = end - start;
  if (len < 2 || len > MAX_IPV6_TEXT) return false;
  let i = start;
  let groups = 0;
  let gap = -1;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (groups === 8) return false;
    let value = 0;
    let j = i;
    for (; j < end; j++) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
    }
    const digits = j - i;
    if (j < end && text.charCodeAt(j) === DOT) {
      // An IPv4 tail (`::ffff:1.2.3.4`) fills the last two groups and must end the text.
      if (groups > 6) return false;
      const v4 = parseIPv4(text, i, end);
      if (v4 < 0) return false;
      out[groups++] = v4 >>> 16;
      out[groups++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    out[groups++] = value;
    if (j === end) break;
    if (text.charCodeAt(j) !== COLON) return false;
    j++;
    if (j < end && text.charCodeAt(j) === COLON) {
      if (gap >= 0) return false;
      gap = groups;
      j++;
    } else if (j === end) {
      return false; // a single trailing colon
    }
    i = j;
  }
  if (gap < 0) return groups === 8;
  if (groups === 8) return false; // `::` stands for at least one zero group
  const tail = groups - gap;
  for (let k = 0; k < tail; k++) out[7 - k] = out[groups - 1 - k] as number;
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}

function isMapped(g: IpGroups): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

/**
 * Parses an address into `out` and says its family. IPv6 zone ids (`fe80::1%eth0`) are
 * ignored: a zone names an interface of the host that saw the packet, not a different client.
 */
export function parseIp(text: string, out: IpGroups, start = 0, end = text.length): IpFamily {
  let colon = false;
  let zone = end;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) colon = true;
    else if (c === PERCENT) {
      zone = i;
      break;
    }
  }
  if (!colon) {
    if (zone !== end) return 0;
    const v4 = parseIPv4(text, start, end);
    if (v4 < 0) return 0;
    out.fill(0, 0, 5);
    out[5] = 0xffff;
    out[6] = v4 >>> 16;
    out[7] = v4 & 0xffff;
    return 4;
  }
  if (zone === start || zone === end - 1) return 0;
  if (!parseIPv6(text, start, zone, out)) return 0;
  return isMapped(out) ? 4 : 6;
}

/** Formats parsed groups: dotted quad for family 4, RFC 5952 compressed lower-case for 6. */
export function formatIp(family: 4 | 6, g: IpGroups): string {
  if (family === 4) {
    const hi = g[6] as number;
    const lo = g[7] as number;
    return `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
  }
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLength - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += (g[i] as number).toString(16);
  }
  return out;
}

const scratch = newIpGroups();

/**
 * The canonical text of an address (`::ffff:10.0.0.1` → `10.0.0.1`, `2001:DB8:0::1` →
 * `2001:db8::1`), or null when `text` is not one. Canonical text keeps one client to one key.
 */
export function canonicalIp(text: string): string | null {
  const family = parseIp(text, scratch);
  if (family === 0) return null;
  // A plain dotted quad that parsed strictly is already canonical: skip the allocation.
  if (family === 4 && text.indexOf(':') < 0) return text;
  return formatIp(family, scratch);
}
