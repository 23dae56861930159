/**
 * CIDR blocks and single addresses, as written in the policy (`10.0.0.0/8`, `2001:db8::/32`,
 * `192.0.2.7`), checked once at load and compiled into a set the hot path asks without parsing.
 *
 * One address space, as node:net BlockList sees it (the allow and deny lists use BlockList, and
 * the two must agree): an IPv4 address is its IPv4-mapped IPv6 form. So an IPv4 block matches a
 * client written plain or mapped, an IPv4-mapped block (`::ffff:10.0.0.0/104`) is read as the
 * IPv4 block it names, and an IPv6 block that covers the mapped range (`::/0`, `::ffff:0:0/96`)
 * matches IPv4 clients too: `::/0` means everyone.
 *
 * A block written with host bits set (`10.0.0.1/8`) is accepted and means its network
 * (`10.0.0.0/8`), as Caddy and proxy-addr read it; `parseCidr` reports the network it kept.
 */
import { formatIp, type IpFamily, type IpGroups, newIpGroups, parseIp } from './ip-address.js';

export interface Cidr {
  readonly family: 4 | 6;
  /** Prefix length in the family's own terms: 0–32 for IPv4, 0–128 for IPv6. */
  readonly bits: number;
  /** Canonical network text, `10.0.0.0/8`, `2001:db8::/32`. */
  readonly text: string;
  /** The network address as eight groups (IPv4 as IPv4-mapped). */
  readonly groups: IpGroups;
}

export type CidrParse = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

/**
 * Parses one entry, saying why it is wrong so the config validator can print
 * `trustedProxies[2]: Cannot read CIDR: prefix length must be 0–32 for IPv4 (received "10.0.0.0/33")`.
 */
export function parseCidr(text: string): CidrParse {
  const trimmed = text.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'empty entry' };
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const groups = newIpGroups();
  const family = parseIp(address, groups);
  if (family === 0 || address.includes('%')) {
    return { ok: false, reason: 'expected an IPv4 or IPv6 address, optionally with /prefix-length' };
  }
  const writtenAsIPv6 = address.includes(':');
  const max = writtenAsIPv6 ? 128 : 32;
  let bits = max;
  if (slash >= 0) {
    const length = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(length) || Number(length) > max) {
      return { ok: false, reason: `prefix length must be 0–${max} for ${writtenAsIPv6 ? 'IPv6' : 'IPv4'}` };
    }
    bits = Number(length);
  }
  if (family === 4 && writtenAsIPv6) {
    // `::ffff:a.b.c.d/n` is the IPv4 block a.b.c.d/(n−96); a shorter prefix spans non-mapped space.
    if (bits < 96) return { ok: false, reason: 'an IPv4-mapped block needs a prefix length of at least 96' };
    bits -= 96;
  }
  maskGroups(groups, family === 4 ? bits + 96 : bits);
  return { ok: true, cidr: { family, bits, groups, text: `${formatIp(family, groups)}/${bits}` } };
}

/** Whether `text` is a valid CIDR block or address. */
export function isValidCidr(text: string): boolean {
  return parseCidr(text).ok;
}

/** Clears every bit past the first `bits` of the 128-bit value. */
function maskGroups(g: IpGroups, bits: number): void {
  for (let i = 0; i < 8; i++) {
    const keep = Math.min(16, Math.max(0, bits - i * 16));
    g[i] = keep === 0 ? 0 : (g[i] as number) & (0xffff << (16 - keep)) & 0xffff;
  }
}

/**
 * A compiled set of blocks. Membership is a linear scan, which suits what it is built for
 * (a handful of trusted proxies: one or two integer compares each); a deny list of thousands
 * of blocks wants a trie instead.
 */
export class CidrSet {
  readonly size: number;
  private readonly v4Networks: Uint32Array;
  private readonly v4Masks: Uint32Array;
  private readonly v6: readonly Cidr[];

  /** Throws on an invalid entry; validate with `parseCidr` first to report every problem. */
  constructor(entries: readonly string[]) {
    const v4: Cidr[] = [];
    const v6: Cidr[] = [];
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if (!parsed.ok) throw new Error(`Cannot read CIDR: ${parsed.reason} (received "${entry}")`);
      (parsed.cidr.family === 4 ? v4 : v6).push(parsed.cidr);
    }
    this.size = v4.length + v6.length;
    this.v4Networks = Uint32Array.from(v4, (c) => toUint32(c.groups));
    this.v4Masks = Uint32Array.from(v4, (c) => (c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0));
    this.v6 = v6;
  }

  /** Membership of an address already parsed with `parseIp`. */
  has(family: IpFamily, g: IpGroups): boolean {
    if (family === 0) return false;
    if (family === 4) {
      const value = toUint32(g);
      for (let i = 0; i < this.v4Networks.length; i++) {
        if ((value & (this.v4Masks[i] as number)) >>> 0 === this.v4Networks[i]) return true;
      }
    }
    // IPv4 blocks hold only mapped addresses (family 4); IPv6 blocks may hold any.
    for (const cidr of this.v6) if (within(g, cidr)) return true;
    return false;
  }
}

function toUint32(g: IpGroups): number {
  return (((g[6] as number) << 16) | (g[7] as number)) >>> 0;
}

function within(g: IpGroups, cidr: Cidr): boolean {
  let bits = cidr.bits;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((g[i] as number) & mask) !== cidr.groups[i]) return false;
  }
  return true;
}
