/**
 * The client's IP address, believed only as far as trusted proxies vouch for it.
 *
 * Contract (by default no proxy is trusted, and X-Forwarded-For is ignored):
 * - The peer (the TCP remote address) is the client unless the peer is a trusted proxy.
 *   A client that writes its own X-Forwarded-For changes nothing.
 * - Behind a trusted peer, X-Forwarded-For is read from right to left, because each proxy
 *   appends the address it saw: the right-most entries are the ones our own proxies wrote.
 *   Trusted hops are skipped; the first untrusted address is the client.
 * - A malformed entry (`unknown`, a host name, garbage) stops the walk, and the client is the
 *   last trusted hop examined (the peer, when the garbage is the right-most entry). Whatever is left of garbage
 *   was not written by anyone we trust, so it must not choose the key that rate limits count;
 *   charging the proxy is the safe failure.
 * - If every hop is trusted, the left-most is the client (traffic from inside the trusted range).
 * - At most MAX_HOPS entries are examined; past that the walk stops as for a malformed entry, so
 *   a header stuffed with trusted addresses costs bounded work.
 *
 * Entries may carry ports (`1.2.3.4:5678`, `[2001:db8::1]:443`), brackets, spaces, and be
 * spread over several X-Forwarded-For headers (pass them joined with commas, as Node does).
 * Addresses come back canonical: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower-case.
 *
 * Built on the hand-rolled parser in ip-address.ts, not node:net BlockList: `BlockList.check`
 * with a string builds a SocketAddress every call, measured at ~3 µs against ~0.2 µs for the
 * check here (bench/signals.ts prints both).
 */
import { CidrSet } from './cidr.js';
import { canonicalIp, formatIp, type IpFamily, newIpGroups, parseIp } from './ip-address.js';

/** Most X-Forwarded-For entries examined; real chains have one to three proxies. */
export const MAX_HOPS = 16;

export type ClientIpResolver = (peer: string, forwardedFor: string | undefined) => string;

const SPACE = 32;
const TAB = 9;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;

/**
 * Whether an address belongs to a trusted proxy. Accepts any textual form of the peer
 * (`::ffff:10.0.0.1`, `10.0.0.1`); anything that is not an address is untrusted.
 * Throws on an invalid entry (validate the list with `parseCidr` first).
 */
export function createTrustedProxyCheck(trustedProxies: readonly string[]): (address: string) => boolean {
  const trusted = new CidrSet(trustedProxies);
  if (trusted.size === 0) return () => false;
  const groups = newIpGroups();
  return (address) => trusted.has(parseIp(address, groups), groups);
}

/** Throws on an invalid entry (validate the list with `parseCidr` first). */
export function createClientIpResolver(trustedProxies: readonly string[]): ClientIpResolver {
  const trusted = new CidrSet(trustedProxies);
  if (trusted.size === 0) return (peer) => canonicalIp(peer) ?? peer;
  const groups = newIpGroups();

  return (peer, forwardedFor) => {
    const peerFamily = parseIp(peer, groups);
    // A peer that is not an address cannot happen on a TCP socket; keep its text as the key.
    if (peerFamily === 0) return peer;
    const peerText = addressText(peer, 0, peer.length, peerFamily, groups);
    if (!trusted.has(peerFamily, groups) || forwardedFor === undefined) return peerText;

    // The last trusted entry examined, as bounds into the header: formatted only if it is the answer.
    let trustedStart = -1;
    let trustedStop = -1;
    let end = forwardedFor.length;
    for (let hops = 0; hops < MAX_HOPS && end > 0; hops++) {
      const comma = forwardedFor.lastIndexOf(',', end - 1);
      let start = comma + 1;
      let stop = end;
      end = Math.max(comma, 0);
      while (start < stop && isBlank(forwardedFor.charCodeAt(start))) start++;
      while (stop > start && isBlank(forwardedFor.charCodeAt(stop - 1))) stop--;
      // Empty entries come from joining headers or trailing commas; they say nothing.
      if (start === stop) {
        hops--;
        continue;
      }
      const family = parseHop(forwardedFor, start, stop, groups);
      if (family === 0) break;
      if (!trusted.has(family, groups)) return addressText(forwardedFor, start, stop, family, groups);
      trustedStart = start;
      trustedStop = stop;
    }
    if (trustedStart < 0) return peerText;
    const family = parseHop(forwardedFor, trustedStart, trustedStop, groups) as 4 | 6;
    return addressText(forwardedFor, trustedStart, trustedStop, family, groups);
  };
}

/**
 * Canonical text of the address just parsed from `text[start, stop)` into `groups`. A plain
 * dotted quad that parsed strictly is canonical already: slicing it skips formatting.
 */
function addressText(text: string, start: number, stop: number, family: 4 | 6, groups: Uint16Array): string {
  if (family === 4) {
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon >= stop) return start === 0 && stop === text.length ? text : text.slice(start, stop);
  }
  return formatIp(family, groups);
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** One X-Forwarded-For entry: an address, `[v6]`, `[v6]:port` or `v4:port`. */
function parseHop(text: string, start: number, end: number, groups: Uint16Array): IpFamily {
  if (text.charCodeAt(start) === OPEN_BRACKET) {
    let close = -1;
    let colon = false;
    for (let i = start + 1; i < end && close < 0; i++) {
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACKET) close = i;
      else if (c === COLON) colon = true;
    }
    // Brackets enclose IPv6 text only (IPv4-mapped included), optionally followed by a port.
    if (close < 0 || !colon) return 0;
    if (close + 1 < end && !isPort(text, close + 1, end)) return 0;
    return parseIp(text, groups, start + 1, close);
  }
  let colons = 0;
  let firstColon = -1;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) === COLON && colons++ === 0) firstColon = i;
  }
  // Exactly one colon is IPv4 with a port; IPv6 text has at least two.
  if (colons === 1) {
    if (!isPort(text, firstColon, end)) return 0;
    return parseIp(text, groups, start, firstColon);
  }
  return parseIp(text, groups, start, end);
}

/** `:` followed by a port number, 0–65535. */
function isPort(text: string, colon: number, end: number): boolean {
  if (text.charCodeAt(colon) !== COLON) return false;
  const digits = end - colon - 1;
  if (digits < 1 || digits > 5) return false;
  let port = 0;
  for (let i = colon + 1; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    port = port * 10 + d;
  }
  return port <= 65535;
}
