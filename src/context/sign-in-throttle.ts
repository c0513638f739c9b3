import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface SignInLimits {
  /** Failed sign-ins one client address may make in a window; past it, the address waits the window out. */
  failuresPerAddress: number;
  /** Failed sign-ins one token id may see in a window, whatever the address. */
  failuresPerCredential: number;
  windowSeconds: number;
}

/** Where failures are counted, so that every instance counts them: Redis when configured, else PostgreSQL. */
export type FailureStore =
  | { kind: 'postgres'; pool: unknown; tableName: string }
  | { kind: 'redis'; client: unknown }
  | { kind: 'memory' };

const MAX_REMEMBERED_BLOCKS = 10_000;

/**
 * Counts failed sign-ins per client address and per token id (rate-limiter-flexible, in the shared
 * store) and remembers the blocks it learns in memory, so that a blocked caller is answered 429
 * without a query. A store that fails falls back to counting in this process.
 */
export class SignInThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byCredential: RateLimiterAbstract;
  /** Blocked addresses and token ids → until when (epoch ms); asked on every sign-in, so keyed without building strings. */
  private readonly blockedAddresses = new Map<string, number>();
  private readonly blockedCredentials = new Map<string, number>();

  constructor(limits: SignInLimits, store: FailureStore, keyPrefix: string) {
    const limiter = (points: number, name: string): RateLimiterAbstract => {
      const window = { points, duration: limits.windowSeconds, blockDuration: limits.windowSeconds, keyPrefix: `${keyPrefix}:${name}` };
      // Should the store fail, this process still counts on its own.
      const insuranceLimiter = new RateLimiterMemory(window);
      if (store.kind === 'redis') return new RateLimiterRedis({ ...window, storeClient: store.client, insuranceLimiter });
      if (store.kind === 'postgres') {
        // The table comes from a migration (tableCreated): the app role may not create tables.
        return new RateLimiterPostgres({ ...window, storeClient: store.pool, storeType: 'pool', tableName: store.tableName, tableCreated: true, insuranceLimiter });
      }
      return new RateLimiterMemory(window);
    };
    this.byAddress = limiter(limits.failuresPerAddress, 'address');
    this.byCredential = limiter(limits.failuresPerCredential, 'credential');
  }

  /** Seconds the address still has to wait, from memory only; undefined when it may try. */
  addressBlockedFor(address: string): number | undefined {
    return remaining(this.blockedAddresses, address);
  }

  credentialBlockedFor(credentialId: string): number | undefined {
    return remaining(this.blockedCredentials, credentialId);
  }

  /** Counts a failed sign-in; answers the seconds to wait when it was one too many. */
  async failed(address: string, credentialId: string | undefined): Promise<number | undefined> {
    const waits = await Promise.all([
      this.count(this.byAddress, address, this.blockedAddresses),
      credentialId ? this.count(this.byCredential, credentialId, this.blockedCredentials) : undefined,
    ]);
    const longest = Math.max(...waits.map((wait) => wait ?? 0));
    return longest > 0 ? longest : undefined;
  }

  private async count(limiter: RateLimiterAbstract, key: string, blocks: Map<string, number>): Promise<number | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      block(blocks, key, rejection.msBeforeNext);
      return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    }
  }
}

/** Seconds left of a block, or undefined (an expired block is forgotten). */
function remaining(blocks: Map<string, number>, key: string): number | undefined {
  if (blocks.size === 0) return undefined;
  const until = blocks.get(key);
  if (until === undefined) return undefined;
  const ms = until - Date.now();
  if (ms > 0) return Math.ceil(ms / 1000);
  blocks.delete(key);
  return undefined;
}

function block(blocks: Map<string, number>, key: string, ms: number): void {
  if (blocks.size >= MAX_REMEMBERED_BLOCKS) {
    const now = Date.now();
    for (const [blocked, until] of blocks) if (until <= now) blocks.delete(blocked);
    if (blocks.size >= MAX_REMEMBERED_BLOCKS) blocks.delete(blocks.keys().next().value as string);
  }
  blocks.set(key, Date.now() + ms);
}
