import { BlockList, isIP } from 'node:net';

/**
 * An allow or deny list compiled once: addresses and CIDRs in a node:net BlockList, header
 * fingerprints in a Set. Entries are validated by the policy loader before they get here.
 */
export class AddressList {
  private readonly blocks = new BlockList();
  private readonly fingerprints: ReadonlySet<string>;
  readonly empty: boolean;

  constructor(ips: readonly string[], fingerprints: readonly string[]) {
    for (const entry of ips) addEntry(this.blocks, entry);
    this.fingerprints = new Set(fingerprints);
    this.empty = ips.length === 0 && fingerprints.length === 0;
  }

  /** Which entry kind matched (`ip`, `fingerprint`), or null. */
  match(ip: string, fingerprint: string): 'ip' | 'fingerprint' | null {
    if (this.empty) return null;
    const family = isIP(ip);
    if (family !== 0 && this.blocks.check(ip, family === 6 ? 'ipv6' : 'ipv4')) return 'ip';
    if (this.fingerprints.has(fingerprint)) return 'fingerprint';
    return null;
  }
}

export function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (slash === -1) list.addAddress(address, family);
  else list.addSubnet(address, Number(entry.slice(slash + 1)), family);
}
