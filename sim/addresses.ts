/**
 * Client addresses, as the load balancer in front of botgate would report them.
 *
 * - Residential: home broadband and mobile ranges of large consumer ISPs, spread over many
 *   networks (first octet, then any /16 and /24 inside it). Real users and residential-proxy
 *   attackers draw from the same space on purpose: a proxy network rents real people's home
 *   connections, so nothing in the address itself tells them apart.
 * - Shared: a few carrier-grade NAT gateways (hundreds of phones behind each) and office egress
 *   addresses, fixed per scenario so that several personas share them.
 * - Hosting: cloud and VPS ranges, where a single attacking host or a scraper usually runs.
 *
 * The first octets are real allocations' shapes, not a list of anyone's addresses; traffic only
 * ever goes to loopback, the addresses are labels in X-Forwarded-For.
 */
import type { Random } from './random.js';

// biome-ignore format: a table of numbers reads better in rows
const RESIDENTIAL_FIRST_OCTETS = [
  24, 47, 50, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87,
  88, 89, 90, 91, 92, 93, 94, 95, 97, 98, 99, 108, 109, 112, 113, 114, 115, 116, 118, 121, 122,
  123, 124, 125, 151, 174, 176, 177, 178, 179, 180, 181, 182, 186, 187, 188, 189, 190, 191, 201,
] as const;

/** /16 networks of hosting providers (VPS and cloud). */
// biome-ignore format: a table of numbers reads better in rows
const HOSTING_PREFIXES = [
  '5.188', '23.94', '45.33', '45.55', '45.79', '46.101', '51.15', '51.38', '64.227', '66.42',
  '104.131', '104.236', '134.209', '137.184', '138.68', '139.59', '142.93', '143.198', '146.190',
  '157.230', '159.65', '159.89', '161.35', '164.90', '165.22', '167.71', '167.99', '172.104',
  '178.62', '188.166', '192.241', '198.199', '206.189',
] as const;

export function residentialAddress(random: Random): string {
  return `${random.pick(RESIDENTIAL_FIRST_OCTETS)}.${random.below(256)}.${random.below(256)}.${1 + random.below(254)}`;
}

export function hostingAddress(random: Random): string {
  return `${random.pick(HOSTING_PREFIXES)}.${random.below(256)}.${1 + random.below(254)}`;
}

/**
 * `count` distinct residential addresses, at most `perNetwork` in any /24 (default 2): a
 * rotating proxy pool's exits are scattered over many networks.
 */
export function residentialPool(random: Random, count: number, perNetwork = 2): string[] {
  const seen = new Set<string>();
  const perPrefix = new Map<string, number>();
  const out: string[] = [];
  while (out.length < count) {
    const address = residentialAddress(random);
    const prefix = address.slice(0, address.lastIndexOf('.'));
    const used = perPrefix.get(prefix) ?? 0;
    if (seen.has(address) || used >= perNetwork) continue;
    seen.add(address);
    perPrefix.set(prefix, used + 1);
    out.push(address);
  }
  return out;
}

export function hostingPool(random: Random, count: number): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(hostingAddress(random));
  return [...seen];
}

export interface SharedAddressCounts {
  /** Carrier-grade NAT gateways of mobile and fibre operators. */
  readonly carrierNat: number;
  /** Office and campus egress addresses. */
  readonly office: number;
}

/** The scenario's shared addresses (carrier NAT gateways first, then offices), each in its own /24. */
export function sharedAddresses(random: Random, counts: SharedAddressCounts): string[] {
  return residentialPool(random, counts.carrierNat + counts.office, 1);
}
