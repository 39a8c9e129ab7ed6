import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * The SIP trunks (SIP_TRUSTED_TRUNKS: addresses and CIDR subnets) that bring many callers from one
 * address. Their calls are exempt from the per-source limits, and the caller identity they assert
 * (P-Asserted-Identity, else From) is what the PIN and call limits count. Any other source writes
 * its From and P-Asserted-Identity itself, so there only the network source can be trusted.
 */
export class TrustedTrunks {
  readonly #list = new BlockList();
  readonly #empty: boolean;

  constructor(entries: readonly string[]) {
    this.#empty = entries.length === 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const type = isIPv6(address) ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(prefix), type);
    }
  }

  includes(address: string): boolean {
    if (this.#empty) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return this.#list.check(mapped, 'ipv4') || this.#list.check(address, 'ipv6');
    if (isIPv4(address)) return this.#list.check(address, 'ipv4');
    return isIPv6(address) && this.#list.check(address, 'ipv6');
  }
}
