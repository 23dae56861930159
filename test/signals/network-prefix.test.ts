import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/signals/cidr.js';
import { createTrustedProxyCheck } from '../../src/signals/client-ip.js';
import { networkPrefix } from '../../src/signals/network-prefix.js';

describe('networkPrefix', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['203.0.113.0', '203.0.113.0/24'],
    ['0.0.0.0', '0.0.0.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:1:2::5', '2001:db8:1::/48'],
    ['2001:0DB8:0001:ffff:ffff:ffff:ffff:ffff', '2001:db8:1::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['2001::1', '2001::/48'],
    ['::1', '::/48'],
    ['::', '::/48'],
    ['1:2:3:4:5:6:7:8', '1:2:3::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
  ])('%s is in %s', (ip, prefix) => {
    expect(networkPrefix(ip)).toBe(prefix);
  });

  it('returns text that is not an address unchanged', () => {
    expect(networkPrefix('not-an-ip')).toBe('not-an-ip');
  });

  it('always names a valid block of the right size that contains the address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const prefix = networkPrefix(ip);
        const parsed = parseCidr(prefix);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.cidr.text).toBe(prefix); // canonical and already the network address
        expect(parsed.cidr.bits).toBe(parsed.cidr.family === 4 ? 24 : 48);
        expect(createTrustedProxyCheck([prefix])(ip)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
