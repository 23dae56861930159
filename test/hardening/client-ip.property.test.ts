/**
 * Client-IP resolution, as properties: a client cannot choose the address that rate limits and
 * detectors count, whatever it writes in X-Forwarded-For.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientIpResolver, MAX_HOPS } from '../../src/signals/client-ip.js';

const TRUSTED = ['10.0.0.0/8', '192.168.1.1', '2001:db8::/32'];
const resolve = createClientIpResolver(TRUSTED);

const inTrusted = (ip: string) => ip.startsWith('10.') || ip === '192.168.1.1';
const untrustedV4 = fc.ipV4().filter((ip) => !inTrusted(ip));
const trustedHop = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.constant('192.168.1.1'),
  fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([a, b]) => `2001:db8:${a.toString(16)}::${b.toString(16)}`),
);
/** Whatever a client writes: addresses, garbage, commas, ports, brackets, spaces. */
const clientText = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('unknown', '', ' , ', '[::1]:80', '1.2.3.4:5', '::ffff:10.0.0.1'),
);

describe('client IP', () => {
  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    fc.assert(
      fc.property(untrustedV4, fc.array(clientText, { maxLength: 6 }), (peer, entries) => {
        expect(resolve(peer, entries.join(','))).toBe(peer);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is the right-most untrusted entry behind trusted hops; what the client wrote left of it changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(clientText, { maxLength: 5 }),
        untrustedV4,
        fc.array(trustedHop, { maxLength: MAX_HOPS - 2 }),
        trustedHop,
        (spoofed, client, hops, peer) => {
          const header = [...spoofed, client, ...hops].join(', ');
          expect(resolve(peer, header)).toBe(client);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('never lets garbage written right of the trusted chain choose the address', () => {
    fc.assert(
      fc.property(
        fc.array(clientText, { maxLength: 4 }),
        fc.constantFrom('unknown', 'host.example', '999.1.1.1', '1.2.3.4:99999', '[1.2.3.4]', 'x'),
        trustedHop,
        (left, garbage, peer) => {
          const ip = resolve(peer, [...left, garbage].join(','));
          // The peer is the last trusted hop examined: the proxy is charged, not a chosen address.
          expect(ip).toBe(resolve(peer, undefined));
        },
      ),
    );
  });

  it('always answers the peer or an address written in the header, and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(untrustedV4, trustedHop), fc.string({ unit: 'binary', maxLength: 120 }), (peer, header) => {
        const ip = resolve(peer, header);
        const peerForm = resolve(peer, undefined);
        if (ip !== peerForm) {
          // An address from the header, canonical: it parses back to itself.
          expect(resolve(ip, undefined)).toBe(ip);
          if (!ip.includes(':')) expect(header).toContain(ip);
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it('bounds the work on a header stuffed with trusted addresses', () => {
    const stuffed = Array.from({ length: 10_000 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`).join(',');
    // Past MAX_HOPS the walk stops as for garbage: the last trusted hop examined is the client.
    expect(resolve('10.0.0.1', `203.0.113.9,${stuffed}`)).toMatch(/^10\./);
  });
});
