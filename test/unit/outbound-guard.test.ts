import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import { OutboundAddressDenied, OutboundGuard, type OutboundPolicy } from '../../src/federation/outbound-guard';

/**
 * Which addresses outbound calls may reach (src/federation/outbound-guard.ts): every denied range
 * at its first and last address, the addresses just outside, IPv6, IPv4-mapped IPv6 in both
 * spellings, loopback with and without the allow flag, extra denied CIDRs and schemes; and a
 * property against a plain list of ranges written below. No connection is made: hosts are IP
 * literals, 'localhost' (the hosts file) or names under `.test` answered by the stub resolver below.
 * Set FC_SEED (and FC_PATH) to replay a failure that fast-check reported.
 */

/** Names the stub resolver answers (anything else goes to the real resolver: only 'localhost' is asked). */
const mockZone = new Map<string, LookupAddress[]>();
const mockNotFound = (hostname: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });

jest.mock('node:dns', () => {
  const actual = jest.requireActual<typeof import('node:dns')>('node:dns');
  return {
    ...actual,
    lookup: (hostname: string, options: object, callback: (error: Error | null, addresses: LookupAddress[]) => void) => {
      if (!hostname.endsWith('.test')) return (actual.lookup as (...args: unknown[]) => void)(hostname, options, callback);
      const answer = mockZone.get(hostname);
      setImmediate(() => (answer ? callback(null, answer) : callback(mockNotFound(hostname), [])));
    },
  };
});
jest.mock('node:dns/promises', () => {
  const actual = jest.requireActual<typeof import('node:dns/promises')>('node:dns/promises');
  return {
    ...actual,
    lookup: async (hostname: string, options: object) => {
      if (!hostname.endsWith('.test')) return actual.lookup(hostname, options as never);
      const answer = mockZone.get(hostname);
      if (!answer) throw mockNotFound(hostname);
      return answer;
    },
  };
});

const NUM_RUNS = Number(process.env.FC_RUNS ?? 100);
const FC_REPLAY = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {};
const RUNS = { numRuns: NUM_RUNS, ...FC_REPLAY };

const strict = new OutboundGuard({ allowLoopback: false, deniedCidrs: [] });
const development = new OutboundGuard({ allowLoopback: true, deniedCidrs: [] });

/** 'allowed', or 'denied' with the guard's message; for an IP literal written as a URL host (IPv6 in brackets). */
function verdict(guard: OutboundGuard, url: string): string {
  try {
    guard.checkLiteral(new URL(url));
    return 'allowed';
  } catch (error) {
    if (!(error instanceof OutboundAddressDenied)) throw error;
    return 'denied';
  }
}
const urlOf = (address: string) => (address.includes(':') ? `http://[${address}]/` : `http://${address}/`);
const verdictOf = (guard: OutboundGuard, address: string) => verdict(guard, urlOf(address));

/** The same through check(), which answers asynchronously (and would resolve a name). */
async function checked(guard: OutboundGuard, url: string): Promise<string> {
  try {
    await guard.check(new URL(url));
    return 'allowed';
  } catch (error) {
    if (!(error instanceof OutboundAddressDenied)) throw error;
    return 'denied';
  }
}

/** The guard's resolver hook, as an http.Agent calls it. */
function lookedUp(guard: OutboundGuard, hostname: string, all: boolean): Promise<{ error: Error | null; address: unknown; family?: number }> {
  return new Promise((resolve) => guard.lookup(hostname, { all }, (error, address, family) => resolve({ error, address, family })));
}

// ---------------------------------------------------------------------------------------------
// The ranges, written out by hand: first and last address.

const DENIED_IPV4: Array<[string, string, string]> = [
  ['"this network" 0.0.0.0/8', '0.0.0.0', '0.255.255.255'],
  ['private 10.0.0.0/8', '10.0.0.0', '10.255.255.255'],
  ['shared address space 100.64.0.0/10', '100.64.0.0', '100.127.255.255'],
  ['link-local and cloud metadata 169.254.0.0/16', '169.254.0.0', '169.254.255.255'],
  ['private 172.16.0.0/12', '172.16.0.0', '172.31.255.255'],
  ['IETF protocol assignments 192.0.0.0/24', '192.0.0.0', '192.0.0.255'],
  ['private 192.168.0.0/16', '192.168.0.0', '192.168.255.255'],
  ['benchmarking 198.18.0.0/15', '198.18.0.0', '198.19.255.255'],
  ['multicast 224.0.0.0/4', '224.0.0.0', '239.255.255.255'],
  ['reserved and broadcast 240.0.0.0/4', '240.0.0.0', '255.255.255.255'],
];
const LOOPBACK_IPV4: [string, string] = ['127.0.0.0', '127.255.255.255'];
const DENIED_IPV6: Array<[string, string, string]> = [
  ['unspecified ::', '::', '::'],
  ['unique local fc00::/7', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['link-local fe80::/10', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ['multicast ff00::/8', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
];
/** Just outside the ranges above (and public addresses): allowed. */
const ALLOWED = [
  '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0',
  '172.15.255.255', '172.32.0.0', '191.255.255.255', '192.0.1.0', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0',
  '223.255.255.255', '1.1.1.1', '8.8.8.8', '93.184.216.34', '203.0.113.7',
  '::2', 'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe00::', 'fec0::', 'feff::1', '2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450::1',
];

describe('outbound guard: examples', () => {
  describe.each(DENIED_IPV4)('denies %s', (_name, first, last) => {
    it.each([first, last])('%s, also through check() and as IPv4-mapped IPv6', async (address) => {
      expect(verdictOf(strict, address)).toBe('denied');
      expect(verdictOf(development, address)).toBe('denied');
      expect(await checked(strict, `https://${address}:8443/path`)).toBe('denied');
      expect(verdictOf(strict, `::ffff:${address}`)).toBe('denied');
    });
  });

  describe.each(DENIED_IPV6)('denies %s', (_name, first, last) => {
    it.each([first, last])('%s', async (address) => {
      expect(verdictOf(strict, address)).toBe('denied');
      expect(verdictOf(development, address)).toBe('denied');
      expect(await checked(strict, urlOf(address))).toBe('denied');
    });
  });

  it.each(ALLOWED)('allows %s', async (address) => {
    expect(verdictOf(strict, address)).toBe('allowed');
    expect(await checked(strict, urlOf(address))).toBe('allowed');
  });

  it('names the host and the refused address', () => {
    expect(() => strict.checkLiteral(new URL('http://169.254.169.254/latest/meta-data/'))).toThrow('169.254.169.254 resolves to 169.254.169.254, which is not allowed');
  });

  it('reads every spelling of an IPv4 address the URL parser accepts (2130706433, 0x7f.1, 017700000001, 127.1)', () => {
    for (const host of ['2130706433', '0x7f.1', '017700000001', '127.1', '0x7f000001']) expect(`${host}: ${verdict(strict, `http://${host}/`)}`).toBe(`${host}: denied`);
    for (const host of ['0xa9.0xfe.0xa9.0xfe', '2852039166']) expect(`${host}: ${verdict(strict, `http://${host}/`)}`).toBe(`${host}: denied`); // 169.254.169.254
    expect(verdict(strict, 'http://134744072/')).toBe('allowed'); // 8.8.8.8
  });

  describe('IPv4-mapped IPv6', () => {
    it('denies loopback in either spelling, ::ffff:127.0.0.1 and ::ffff:7f00:1, unless loopback is allowed', () => {
      for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1', '::FFFF:7F00:1']) {
        expect(`${address}: ${verdictOf(strict, address)}`).toBe(`${address}: denied`);
        expect(`${address}: ${verdictOf(development, address)}`).toBe(`${address}: allowed`);
      }
    });

    it('denies the metadata address and private ones mapped, allows a public one', () => {
      expect(verdictOf(development, '::ffff:169.254.169.254')).toBe('denied');
      expect(verdictOf(development, '::ffff:a9fe:a9fe')).toBe('denied');
      expect(verdictOf(development, '::ffff:a00:1')).toBe('denied'); // 10.0.0.1
      expect(verdictOf(development, '::ffff:8.8.8.8')).toBe('allowed');
      expect(verdictOf(development, '::ffff:808:808')).toBe('allowed');
    });

    it('denies a mapped address as a resolver writes it (dotted) when a name resolves to one', async () => {
      mockZone.set('mapped-loopback.test', [{ address: '::ffff:127.0.0.1', family: 6 }]);
      mockZone.set('mapped-metadata.test', [{ address: '::ffff:169.254.169.254', family: 6 }]);
      mockZone.set('mapped-hex.test', [{ address: '::ffff:a00:1', family: 6 }]);
      for (const host of ['mapped-loopback.test', 'mapped-metadata.test', 'mapped-hex.test']) {
        expect(`${host}: ${await checked(strict, `http://${host}/`)}`).toBe(`${host}: denied`);
        expect((await lookedUp(strict, host, false)).error).toBeInstanceOf(OutboundAddressDenied);
      }
      expect(await checked(development, 'http://mapped-loopback.test/')).toBe('allowed');
      expect(await checked(development, 'http://mapped-metadata.test/')).toBe('denied');
    });
  });

  describe('loopback', () => {
    it.each([LOOPBACK_IPV4[0], LOOPBACK_IPV4[1], '127.0.0.1', '::1'])('%s is denied, unless allowed (development, tests)', async (address) => {
      expect(verdictOf(strict, address)).toBe('denied');
      expect(verdictOf(development, address)).toBe('allowed');
      expect(await checked(development, urlOf(address))).toBe('allowed');
    });

    it('localhost (resolved by the system, from the hosts file) likewise', async () => {
      expect(await checked(strict, 'http://localhost:4000/graphql')).toBe('denied');
      expect(await checked(development, 'http://localhost:4000/graphql')).toBe('allowed');
      const refused = await lookedUp(strict, 'localhost', true);
      expect(refused.error).toBeInstanceOf(OutboundAddressDenied);
      expect(refused.error?.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not allowed$/);
      const allowed = await lookedUp(development, 'localhost', false);
      expect(allowed.error).toBeNull();
      expect(['127.0.0.1', '::1']).toContain(allowed.address);
      expect(allowed.family).toBe(allowed.address === '::1' ? 6 : 4);
    });
  });

  describe('names', () => {
    beforeAll(() => {
      mockZone.set('public.test', [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]);
      mockZone.set('mixed.test', [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }]);
      mockZone.set('mixed6.test', [{ address: '2606:2800:220:1::1', family: 6 }, { address: 'fd12:3456::1', family: 6 }]);
    });

    it('a name is allowed only when every address it resolves to is', async () => {
      expect(await checked(strict, 'https://public.test/')).toBe('allowed');
      expect(await checked(strict, 'https://mixed.test/')).toBe('denied');
      expect(await checked(strict, 'https://mixed6.test/')).toBe('denied');
      await expect(strict.check(new URL('https://mixed.test/'))).rejects.toThrow('mixed.test resolves to 10.1.2.3, which is not allowed');
    });

    it('the lookup hook answers as dns.lookup does: one address, or all of them', async () => {
      expect(await lookedUp(strict, 'public.test', false)).toEqual({ error: null, address: '93.184.216.34', family: 4 });
      expect(await lookedUp(strict, 'public.test', true)).toEqual({ error: null, address: mockZone.get('public.test'), family: undefined });
      expect((await lookedUp(strict, 'mixed.test', true)).error).toBeInstanceOf(OutboundAddressDenied);
    });

    it('passes a resolver error on unchanged', async () => {
      const failed = await lookedUp(strict, 'nowhere.test', false);
      expect(failed.error).not.toBeInstanceOf(OutboundAddressDenied);
      expect((failed.error as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
      await expect(strict.check(new URL('http://nowhere.test/'))).rejects.toMatchObject({ code: 'ENOTFOUND' });
    });

    it('checkLiteral leaves names to the lookup hook', () => {
      expect(verdict(strict, 'http://mixed.test/')).toBe('allowed');
      expect(verdict(strict, 'http://localhost/')).toBe('allowed');
    });
  });

  describe('extra denied CIDRs', () => {
    const guard = new OutboundGuard({ allowLoopback: true, deniedCidrs: ['203.0.113.0/24', '2001:db8::/32', '8.8.8.8/32'] });

    it('denies an IPv4 CIDR from its first to its last address, and no further', () => {
      expect(verdictOf(guard, '203.0.113.0')).toBe('denied');
      expect(verdictOf(guard, '203.0.113.255')).toBe('denied');
      expect(verdictOf(guard, '203.0.112.255')).toBe('allowed');
      expect(verdictOf(guard, '203.0.114.0')).toBe('allowed');
      expect(verdictOf(guard, '8.8.8.8')).toBe('denied');
      expect(verdictOf(guard, '8.8.8.9')).toBe('allowed');
    });

    it('also when mapped into IPv6', () => {
      expect(verdictOf(guard, '::ffff:203.0.113.7')).toBe('denied');
      expect(verdictOf(guard, '::ffff:cb00:7107')).toBe('denied');
    });

    it('denies an IPv6 CIDR', () => {
      expect(verdictOf(guard, '2001:db8::')).toBe('denied');
      expect(verdictOf(guard, '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('denied');
      expect(verdictOf(guard, '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('allowed');
      expect(verdictOf(guard, '2001:db9::')).toBe('allowed');
    });

    it('keeps the built-in ranges and the loopback flag', () => {
      expect(verdictOf(guard, '10.0.0.1')).toBe('denied');
      expect(verdictOf(guard, '127.0.0.1')).toBe('allowed');
    });
  });

  describe('schemes', () => {
    it.each(['ftp://93.184.216.34/', 'file:///etc/passwd', 'gopher://93.184.216.34/', 'ws://93.184.216.34/', 'wss://93.184.216.34/', 'data:text/plain,x', 'javascript:alert(1)', 'ldap://93.184.216.34/'])(
      'refuses %s, in checkLiteral and in check',
      async (url) => {
        expect(() => strict.checkLiteral(new URL(url))).toThrow(OutboundAddressDenied);
        expect(() => strict.checkLiteral(new URL(url))).toThrow(/^unsupported scheme /);
        await expect(development.check(new URL(url))).rejects.toThrow(OutboundAddressDenied);
      },
    );

    it('accepts http and https, in any case', () => {
      for (const url of ['http://93.184.216.34/', 'https://93.184.216.34/', 'HTTPS://93.184.216.34/', 'Http://[2606:4700:4700::1111]:8080/']) {
        expect(`${url}: ${verdict(strict, url)}`).toBe(`${url}: allowed`);
      }
    });
  });
});

describe('outbound guard: properties', () => {
  // Plain reference: the ranges as [first, last] numbers.
  const ipv4Number = (address: string) => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  const builtIn = DENIED_IPV4.map(([, first, last]) => [ipv4Number(first), ipv4Number(last)]);
  const loopback = [ipv4Number(LOOPBACK_IPV4[0]), ipv4Number(LOOPBACK_IPV4[1])];
  const edges = [...builtIn, loopback].flat();

  /** A CIDR and its first and last address, computed by hand: the block of 2^(32 - prefix) addresses containing `base`. */
  const cidr = fc.record({ base: fc.integer({ min: 0, max: 2 ** 32 - 1 }), prefix: fc.integer({ min: 8, max: 32 }) }).map(({ base, prefix }) => {
    const size = 2 ** (32 - prefix);
    const first = Math.floor(base / size) * size;
    return { text: `${dotted(first)}/${prefix}`, first, last: first + size - 1 };
  });
  const near = (points: number[]) => fc.tuple(fc.constantFrom(...points), fc.integer({ min: -2, max: 2 }))
    .map(([point, delta]) => Math.min(2 ** 32 - 1, Math.max(0, point + delta)));

  it('for random IPv4 addresses (dotted and IPv4-mapped), the verdict is the reference\'s', () => {
    const scenario = fc.record({ allowLoopback: fc.boolean(), extra: fc.option(cidr, { nil: undefined }) }).chain((policy) => fc.record({
      policy: fc.constant(policy),
      address: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), near(edges), near(policy.extra ? [policy.extra.first, policy.extra.last] : edges)),
    }));
    fc.assert(fc.property(scenario, ({ policy, address }) => {
      const denied = builtIn.some(([first, last]) => first <= address && address <= last)
        || (!policy.allowLoopback && loopback[0] <= address && address <= loopback[1])
        || (policy.extra !== undefined && policy.extra.first <= address && address <= policy.extra.last);
      const outboundPolicy: OutboundPolicy = { allowLoopback: policy.allowLoopback, deniedCidrs: policy.extra ? [policy.extra.text] : [] };
      const guard = new OutboundGuard(outboundPolicy);
      const expected = denied ? 'denied' : 'allowed';
      const address4 = dotted(address);
      expect({ address: address4, policy: outboundPolicy, verdict: verdictOf(guard, address4) }).toEqual({ address: address4, policy: outboundPolicy, verdict: expected });
      expect({ address: `::ffff:${address4}`, policy: outboundPolicy, verdict: verdictOf(guard, `::ffff:${address4}`) })
        .toEqual({ address: `::ffff:${address4}`, policy: outboundPolicy, verdict: expected });
    }), RUNS);
  });

  it('for random IPv6 addresses, the verdict is the reference\'s', () => {
    const hextet = fc.integer({ min: 0, max: 0xffff });
    const firstHextet = fc.oneof(hextet, fc.constantFrom(0, 0xfbff, 0xfc00, 0xfdff, 0xfe00, 0xfe7f, 0xfe80, 0xfebf, 0xfec0, 0xfeff, 0xff00, 0xffff, 0x2001));
    const address = fc.oneof(
      fc.tuple(firstHextet, fc.array(hextet, { minLength: 7, maxLength: 7 })).map(([first, rest]) => [first, ...rest]),
      // The unspecified and loopback addresses, and IPv4-mapped ones, are mostly zeros.
      fc.tuple(fc.constantFrom(0, 1, 2), fc.boolean()).map(([last, mapped]) => [0, 0, 0, 0, 0, mapped ? 0xffff : 0, 0, last]),
      fc.tuple(hextet, hextet).map(([high, low]) => [0, 0, 0, 0, 0, 0xffff, high, low]),
    );
    fc.assert(fc.property(address, fc.boolean(), (hextets, allowLoopback) => {
      const text = hextets.map((h) => h.toString(16)).join(':');
      const zeros = (count: number) => hextets.slice(0, count).every((h) => h === 0);
      const mapped = zeros(5) && hextets[5] === 0xffff ? hextets[6] * 65536 + hextets[7] : undefined;
      const denied = (zeros(8))
        || (!allowLoopback && zeros(7) && hextets[7] === 1)
        || (hextets[0] >= 0xfc00 && hextets[0] <= 0xfdff)
        || (hextets[0] >= 0xfe80 && hextets[0] <= 0xfebf)
        || hextets[0] >= 0xff00
        || (mapped !== undefined && (builtIn.some(([first, last]) => first <= mapped && mapped <= last) || (!allowLoopback && loopback[0] <= mapped && mapped <= loopback[1])));
      const guard = allowLoopback ? development : strict;
      expect({ address: text, allowLoopback, verdict: verdictOf(guard, text) }).toEqual({ address: text, allowLoopback, verdict: denied ? 'denied' : 'allowed' });
    }), RUNS);
  });
});
