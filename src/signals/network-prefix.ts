/**
 * The network an address belongs to, as a rate-limit key: /24 for IPv4, /48 for IPv6.
 *
 * /24 is the smallest block commonly routed on the IPv4 internet and what residential proxy
 * pools rotate within; /48 is the usual end-site assignment in IPv6, so one household or small
 * hosting customer with a /64 per device still shares one key. Coarser keys (ASN) need a
 * database and belong elsewhere.
 */
import { formatIp, newIpGroups, parseIp } from './ip-address.js';

const groups = newIpGroups();

/**
 * `203.0.113.7` → `203.0.113.0/24`; `2001:db8:1:2::5` → `2001:db8:1::/48`;
 * `::ffff:198.51.100.9` → `198.51.100.0/24`. A text that is not an address is returned as is,
 * so a broken peer still counts as one key of its own.
 */
export function networkPrefix(ip: string): string {
  const family = parseIp(ip, groups);
  if (family === 0) return ip;
  if (family === 4) {
    groups[7] = (groups[7] as number) & 0xff00;
    return `${formatIp(4, groups)}/24`;
  }
  groups.fill(0, 3);
  return `${formatIp(6, groups)}/48`;
}
