import { lookup as lookupCallback, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Outbound calls go to URLs that users typed. Before connecting, the host is resolved and every
 * address checked against a deny-list: private, link-local, cloud metadata, unspecified and
 * (unless allowed, as in development and tests) loopback addresses.
 */
export interface OutboundPolicy {
  allowLoopback: boolean;
  /** Extra CIDRs to refuse, e.g. "203.0.113.0/24". */
  deniedCidrs: string[];
}

export class OutboundAddressDenied extends Error {}

const PRIVATE_AND_SPECIAL: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], ['10.0.0.0', 8, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'], ['192.0.0.0', 24, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'], ['fc00::', 7, 'ipv6'], ['fe80::', 10, 'ipv6'], ['ff00::', 8, 'ipv6'],
];
const LOOPBACK: Array<[string, number, 'ipv4' | 'ipv6']> = [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']];

export class OutboundGuard {
  private readonly denied = new BlockList();

  constructor(policy: OutboundPolicy) {
    for (const [address, prefix, family] of [...PRIVATE_AND_SPECIAL, ...(policy.allowLoopback ? [] : LOOPBACK)]) {
      this.denied.addSubnet(address, prefix, family);
    }
    for (const cidr of policy.deniedCidrs) {
      const [address, prefix] = cidr.split('/');
      this.denied.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** Resolves the URL's host; throws OutboundAddressDenied naming the refused address. */
  async check(url: URL): Promise<void> {
    const host = this.hostOf(url);
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
    this.refuseDenied(host, addresses);
  }

  /**
   * For connections that resolve their host themselves (an http.Agent's `lookup`): the addresses
   * are checked as they are resolved, so the address connected to is the one checked (no second
   * resolution to rebind), and a kept-alive connection is checked once, when it opens.
   * A host written as an IP address is never looked up: check it with checkLiteral.
   */
  readonly lookup = (hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      try {
        this.refuseDenied(hostname, addresses);
      } catch (denied) {
        return callback(denied as Error, []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };

  /** The scheme, and a host written as an IP address (which no lookup sees); names are left to `lookup`. */
  checkLiteral(url: URL): void {
    const host = this.hostOf(url);
    if (isIP(host)) this.refuseDenied(host, [{ address: host, family: isIP(host) }]);
  }

  private hostOf(url: URL): string {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundAddressDenied(`unsupported scheme ${url.protocol}`);
    return url.hostname.replace(/^\[|\]$/g, '');
  }

  private refuseDenied(host: string, addresses: ReadonlyArray<{ address: string; family: number }>): void {
    for (const { address, family } of addresses) {
      const candidates: Array<[string, 'ipv4' | 'ipv6']> = [[address, family === 6 ? 'ipv6' : 'ipv4']];
      const embedded = ipv4MappedIn(address);
      if (embedded) candidates.push([embedded, 'ipv4']);
      if (candidates.some(([candidate, kind]) => this.denied.check(candidate, kind))) {
        throw new OutboundAddressDenied(`${host} resolves to ${address}, which is not allowed`);
      }
    }
  }
}

/** The IPv4 address inside an IPv4-mapped IPv6 address, in either spelling (::ffff:127.0.0.1 or ::ffff:7f00:1). */
function ipv4MappedIn(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
