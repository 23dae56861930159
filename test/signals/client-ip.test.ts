import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientIpResolver, createTrustedProxyCheck, MAX_HOPS } from '../../src/signals/client-ip.js';

const PROXIES = ['10.0.0.0/8', '192.0.2.10', '2001:db8:100::/48', '::1'];

describe('createClientIpResolver without trusted proxies (the default)', () => {
  const resolve = createClientIpResolver([]);

  it('is the peer, whatever X-Forwarded-For says', () => {
    expect(resolve('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(resolve('::ffff:203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
    expect(resolve('2001:DB8::0:1', undefined)).toBe('2001:db8::1');
  });
});

describe('createClientIpResolver behind trusted proxies', () => {
  const resolve = createClientIpResolver(PROXIES);

  it('ignores X-Forwarded-For from an untrusted peer (spoofing)', () => {
    expect(resolve('203.0.113.9', '10.0.0.1')).toBe('203.0.113.9');
    expect(resolve('203.0.113.9', '198.51.100.1, 10.0.0.1')).toBe('203.0.113.9');
  });

  it('takes the right-most untrusted hop, skipping trusted ones', () => {
    expect(resolve('10.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
    expect(resolve('10.0.0.1', '198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
    // The client wrote "6.6.6.6" itself; our proxy appended the address it saw.
    expect(resolve('10.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
  });

  it('normalises IPv4-mapped peers and hops', () => {
    expect(resolve('::ffff:10.0.0.1', '::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(resolve('::ffff:10.0.0.1', '[::ffff:10.9.9.9]:80, ::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('reads ports, brackets, spaces, tabs and several joined headers', () => {
    expect(resolve('10.0.0.1', '198.51.100.7:5678')).toBe('198.51.100.7');
    expect(resolve('10.0.0.1', '[2001:db8:7::1]:443')).toBe('2001:db8:7::1');
    expect(resolve('10.0.0.1', '[2001:DB8:7::1]')).toBe('2001:db8:7::1');
    expect(resolve('10.0.0.1', '2001:db8:7:0:0:0:0:1')).toBe('2001:db8:7::1');
    expect(resolve('10.0.0.1', ' \t198.51.100.7 \t')).toBe('198.51.100.7');
    // Two X-Forwarded-For headers, as Node joins them; empty entries say nothing.
    expect(resolve('10.0.0.1', '198.51.100.7, 10.0.0.3,, 10.0.0.2, ')).toBe('198.51.100.7');
  });

  it('stops at garbage and blames the last trusted hop', () => {
    expect(resolve('10.0.0.1', 'unknown')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, garbage, 10.0.0.2')).toBe('10.0.0.2');
    expect(resolve('10.0.0.1', '198.51.100.7, 1.2.3.4:99999')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, 1.2.3.4:')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, [::1')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, [1.2.3.4]')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, shop.example.com')).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '198.51.100.7, 010.0.0.1')).toBe('10.0.0.1');
  });

  it('takes the left-most hop when every hop is trusted', () => {
    expect(resolve('10.0.0.1', '10.0.0.5, 192.0.2.10, 10.0.0.6')).toBe('10.0.0.5');
    expect(resolve('::1', '2001:db8:100::9')).toBe('2001:db8:100::9');
    expect(resolve('10.0.0.1', undefined)).toBe('10.0.0.1');
    expect(resolve('10.0.0.1', '')).toBe('10.0.0.1');
  });

  it(`examines at most ${MAX_HOPS} hops`, () => {
    const hops = Array.from({ length: 100 }, (_, i) => `10.0.${i >> 8}.${i & 0xff}`);
    const client = resolve('10.0.0.1', ['198.51.100.7', ...hops].join(', '));
    expect(client).toBe(hops[hops.length - MAX_HOPS]);
  });

  it('keeps a peer that is not an address as its own key', () => {
    expect(resolve('', '1.2.3.4')).toBe('');
  });
});

describe('properties', () => {
  const resolve = createClientIpResolver(PROXIES);
  const untrusted = fc.ipV4().filter((ip) => !ip.startsWith('10.') && ip !== '192.0.2.10');
  const trusted = fc.oneof(
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
    fc.constant('192.0.2.10'),
    fc.constant('::1'),
    fc.nat(0xffff).map((n) => `2001:db8:100::${n.toString(16)}`),
  );
  const anyText = fc.string({ maxLength: 60 });

  it('an untrusted peer is the client whatever the header', () => {
    fc.assert(
      fc.property(untrusted, fc.option(anyText, { nil: undefined }), (peer, xff) => {
        expect(resolve(peer, xff)).toBe(peer);
      }),
    );
  });

  it('behind trusted hops, the first untrusted address from the right is the client', () => {
    fc.assert(
      fc.property(
        fc.array(anyText, { maxLength: 3 }),
        untrusted,
        fc.array(trusted, { maxLength: 5 }),
        trusted,
        (left, client, hops, peer) => {
          fc.pre(hops.length < MAX_HOPS);
          const header = [...left.map((t) => t.replaceAll(',', ' ')), client, ...hops].join(', ');
          expect(resolve(peer, header)).toBe(client);
        },
      ),
    );
  });

  it('never invents an address: the client is the peer or a hop of the header, and never throws', () => {
    const trustedSet = createTrustedProxyCheck(PROXIES);
    fc.assert(
      fc.property(
        fc.oneof(trusted, untrusted),
        fc.array(fc.oneof(trusted, untrusted, anyText), { maxLength: 6 }),
        (peer, entries) => {
          const client = resolve(peer, entries.join(','));
          const candidates = [peer, ...entries].map((e) => e.trim());
          expect(
            candidates.some(
              (c) => c === client || c.includes(client) || createClientIpResolver([])(c, undefined) === client,
            ),
          ).toBe(true);
          // The client is untrusted, or every hop examined was trusted.
          if (trustedSet(client)) expect(trustedSet(peer)).toBe(true);
        },
      ),
    );
  });
});

describe('createTrustedProxyCheck', () => {
  it('answers for any textual form of the peer', () => {
    const isTrusted = createTrustedProxyCheck(PROXIES);
    expect(isTrusted('10.1.2.3')).toBe(true);
    expect(isTrusted('::ffff:10.1.2.3')).toBe(true);
    expect(isTrusted('0:0:0:0:0:0:0:1')).toBe(true);
    expect(isTrusted('11.1.2.3')).toBe(false);
    expect(isTrusted('garbage')).toBe(false);
    expect(createTrustedProxyCheck([])('10.1.2.3')).toBe(false);
  });
});
