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
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundAddressDenied(`unsupported scheme ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
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
