import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CidrSet, isValidCidr, parseCidr } from '../../src/signals/cidr.js';
import { formatIp, newIpGroups, parseIp } from '../../src/signals/ip-address.js';

function has(set: CidrSet, address: string): boolean {
  const groups = newIpGroups();
  return set.has(parseIp(address, groups), groups);
}

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8:1:2:3:4:5:6/48', '2001:db8:1::/48'],
    ['::1', '::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:192.0.2.7', '192.0.2.7/32'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
  ])('%s is the block %s', (text, canonical) => {
    const parsed = parseCidr(text);
    expect(parsed.ok && parsed.cidr.text).toBe(canonical);
  });

  it.each([
    ['', 'empty entry'],
    ['proxy.internal', 'expected an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'prefix length must be 0–32 for IPv4'],
    ['10.0.0.0/', 'prefix length must be 0–32 for IPv4'],
    ['10.0.0.0/-1', 'prefix length must be 0–32 for IPv4'],
    ['10.0.0.0/8/8', 'prefix length must be 0–32 for IPv4'],
    ['2001:db8::/129', 'prefix length must be 0–128 for IPv6'],
    ['::ffff:10.0.0.0/90', 'at least 96'],
    ['fe80::1%eth0', 'expected an IPv4 or IPv6 address'],
    ['010.0.0.1', 'expected an IPv4 or IPv6 address'],
  ])('refuses %j: %s', (text, reason) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
    expect(isValidCidr(text)).toBe(false);
  });
});

describe('CidrSet', () => {
  it('reads IPv4-mapped clients as IPv4, in one address space as BlockList does', () => {
    const set = new CidrSet(['10.0.0.0/8', '2001:db8::/32']);
    expect(has(set, '10.200.1.1')).toBe(true);
    expect(has(set, '::ffff:10.200.1.1')).toBe(true);
    expect(has(set, '11.0.0.1')).toBe(false);
    expect(has(set, '2001:db8:ffff::1')).toBe(true);
    expect(has(set, '2001:db9::1')).toBe(false);
    expect(has(set, 'not an address')).toBe(false);
    expect(has(new CidrSet(['::/0']), '10.0.0.1')).toBe(true);
    expect(has(new CidrSet(['::ffff:0:0/96']), '10.0.0.1')).toBe(true);
    expect(has(new CidrSet(['2001:db8::/32']), '10.0.0.1')).toBe(false);
    expect(has(new CidrSet(['::/0']), '2001:db8::1')).toBe(true);
    expect(has(new CidrSet(['0.0.0.0/0']), '2001:db8::1')).toBe(false);
  });

  it('throws on an invalid entry, naming it', () => {
    expect(() => new CidrSet(['10.0.0.0/8', '10.0.0.0/40'])).toThrow(
      'Cannot read CIDR: prefix length must be 0–32 for IPv4 (received "10.0.0.0/40")',
    );
  });

  it('agrees with node:net BlockList on random blocks and addresses', () => {
    const v4Block = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }));
    const v6Block = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }));
    const mappedBlock = fc.tuple(
      fc.ipV4().map((ip) => `::ffff:${ip}`),
      fc.integer({ min: 96, max: 128 }),
    );
    const lowBlock = fc.tuple(fc.constantFrom('::', '::ffff:0:0', '::a00:0'), fc.integer({ min: 0, max: 128 }));
    const block = fc.oneof(v4Block, v6Block, mappedBlock, lowBlock);
    const address = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4().map((ip) => `::ffff:${ip}`),
      fc.ipV4().map((ip) => `::${ip}`),
    );
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 4 }),
        fc.array(address, { maxLength: 8 }),
        (blocks, addresses) => {
          const entries: string[] = [];
          const reference = new BlockList();
          for (const [address, bits] of blocks) {
            const parsed = parseCidr(`${address}/${bits}`);
            // Mapped blocks shorter than /96 are refused by design; BlockList has no such notion.
            if (!parsed.ok) continue;
            entries.push(`${address}/${bits}`);
            const family = parsed.cidr.family === 4 ? 'ipv4' : 'ipv6';
            const network = parsed.cidr.text.slice(0, parsed.cidr.text.indexOf('/'));
            reference.addSubnet(network, parsed.cidr.bits, family);
          }
          const set = new CidrSet(entries);
          for (const address of addresses) {
            const groups = newIpGroups();
            const family = parseIp(address, groups);
            const plain = family === 4 ? formatIp(4, groups) : address;
            expect(set.has(family, groups), `${address} in ${entries.join(' ')}`).toBe(
              reference.check(plain, family === 4 ? 'ipv4' : 'ipv6'),
            );
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
