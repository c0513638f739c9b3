import { timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from './principal';
import { inTenantTransaction } from '../db/unit-of-work';
import type { EventBus } from '../events/event-bus';
import { unauthenticated } from '../platform/errors';
import { parseToken, secretMatches, type ParsedToken, type TokenKind } from '../platform/opaque-token';
import { identityRepository } from '../services/identity/identity.sql';

export const IDENTITY_TOPICS = {
  credentialRevoked: 'identity.credential-revoked',
  userChanged: 'identity.user-changed',
} as const;

/** Finds one kind of credential in the database; share links plug in their own. */
export interface CredentialVerifier {
  /**
   * The stored credential the token names, whatever its secret: the Authenticator compares the
   * secret itself and remembers the stored hash, so a wrong secret for a known credential is refused
   * from memory. Undefined when there is no such credential.
   */
  find(token: ParsedToken): Promise<StoredCredential | undefined>;
  /** Whether a principal verified earlier may still act (not revoked, expired or disabled). */
  recheck(principal: Principal): Promise<boolean>;
}

export interface StoredCredential {
  secretHash: Buffer;
  /** The principal the credential stands for, or why it may not act now (revoked, expired, disabled). */
  principal: Principal | { refused: string };
  expiresAt: Date | null;
}

interface KnownCredential {
  secretHash: Buffer;
  principal: Principal | { refused: string };
  /** Entry lifetime, capped by the credential's own expiry. */
  validUntil: number;
  /**
   * The secret last proved against the hash: later requests with the same token compare it in
   * constant time without hashing again (two SHA-256 a request cost ~7% of a trivial query).
   */
  provedSecret?: Buffer;
}

/** Whether the secret is the credential's, in constant time; hashed only when it is not the one proved last. */
function proves(secret: string, known: KnownCredential): boolean {
  const candidate = Buffer.from(secret);
  if (known.provedSecret && known.provedSecret.length === candidate.length && timingSafeEqual(known.provedSecret, candidate)) return true;
  if (!secretMatches(secret, known.secretHash)) return false;
  known.provedSecret = candidate;
  return true;
}

const TOKEN_KIND_OF: Record<Principal['kind'], TokenKind> = { STAFF_USER: 'api', PARTNER_APP: 'api', PEER_SERVER: 'shareLink' };

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Bearer token → principal. Verified principals are cached briefly; a revocation or an access
 * change evicts them on every instance through the event bus, so revocation takes effect at once.
 */
export class Authenticator {
  private readonly known = new Map<string, KnownCredential>();
  /**
   * Look-ups and rechecks under way. A burst of connections with one token would otherwise look it
   * up once each and hold as many principal objects, none of them the remembered one, so that every
   * later event rechecked each of them against the database; an event fanned out to thousands of
   * subscribers of one principal likewise asks the database once, not once each.
   */
  private readonly finding = new Map<string, Promise<KnownCredential | undefined>>();
  private readonly rechecking = new Map<Principal, Promise<boolean>>();
  private readonly verifiers = new Map<TokenKind, CredentialVerifier>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly dataSource: DataSource, bus: EventBus) {
    this.verifiers.set('api', {
      find: (token) => this.findApiToken(token),
      recheck: (principal) => this.recheckApiToken(principal),
    });
    this.unsubscribe = [
      bus.subscribe(IDENTITY_TOPICS.credentialRevoked, (p) => this.evictCredential((p as { credentialId: string }).credentialId)),
      bus.subscribe(IDENTITY_TOPICS.userChanged, (p) => this.evictUser((p as { userId: string }).userId)),
    ];
  }

  registerVerifier(kind: TokenKind, verifier: CredentialVerifier): void {
    this.verifiers.set(kind, verifier);
  }

  /** The token in an `Authorization` header value (or graphql-ws connectionParams), or UNAUTHENTICATED. */
  parse(authorization: string | undefined): ParsedToken {
    if (authorization === undefined || authorization === '') throw unauthenticated();
    const match = /^Bearer ([^\s]+)$/.exec(authorization.trim());
    if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
    const token = parseToken(match[1]);
    if (!token || !this.verifiers.has(token.kind)) throw unauthenticated('Invalid token');
    return token;
  }

  /** `Authorization` header value → principal, or UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Promise<Principal> {
    return this.verify(this.parse(authorization));
  }

  /**
   * The principal a token stands for, or UNAUTHENTICATED. The secret is compared in constant time.
   * A secret that differs from the remembered one is looked up again (the token may have been rotated
   * a moment ago, before the eviction arrived), unless `refuseMismatch` says to answer from memory:
   * the sign-in throttle asks that for a credential under attack, so that guessing costs no query.
   * `memoryOnly` answers from what is remembered alone (an address under attack costs no query).
   */
  async verify(token: ParsedToken, options: { refuseMismatch?: boolean; memoryOnly?: boolean } = {}): Promise<Principal> {
    let known = this.known.get(token.credentialId);
    const fresh = known !== undefined && known.validUntil > Date.now();
    if (!fresh && options.memoryOnly) throw unauthenticated('Invalid token');
    let matches = fresh && proves(token.secret, known!);
    if (!fresh || (!matches && !options.refuseMismatch && !options.memoryOnly)) {
      known = await this.find(token);
      matches = known !== undefined && proves(token.secret, known);
    }
    if (!known || !matches) throw unauthenticated('Invalid token');
    if ('refused' in known.principal) throw unauthenticated(known.principal.refused);
    return known.principal;
  }

  /** Is this principal still allowed to act? Asked before every subscription event. */
  async stillValid(principal: Principal): Promise<boolean> {
    if (this.knownValid(principal)) return true;
    const verifier = this.verifiers.get(TOKEN_KIND_OF[principal.kind]);
    if (!verifier) return false;
    let rechecking = this.rechecking.get(principal);
    if (!rechecking) {
      const started = verifier.recheck(principal).finally(() => {
        if (this.rechecking.get(principal) === started) this.rechecking.delete(principal);
      });
      this.rechecking.set(principal, (rechecking = started));
    }
    return rechecking;
  }

  /**
   * Whether the cache vouches for this principal right now, without waiting: a live event checks
   * thousands of subscribers in one go, and a promise each would cost more than the check itself.
   * false means "ask stillValid", not "revoked".
   */
  knownValid(principal: Principal): boolean {
    const known = this.known.get(principal.credentialId);
    // Only this very principal: after a rotation the new token's entry must not vouch for the old one.
    return known !== undefined && known.principal === principal && known.validUntil > Date.now();
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
    this.known.clear();
  }

  /** One look-up per credential at a time, whatever secrets the callers bring: each compares its own. */
  private find(token: ParsedToken): Promise<KnownCredential | undefined> {
    const id = token.credentialId;
    let finding = this.finding.get(id);
    if (!finding) {
      const started: Promise<KnownCredential | undefined> = this.verifiers.get(token.kind)!.find(token).then((stored) => {
        if (!stored) return undefined;
        const known = { ...stored, validUntil: Math.min(Date.now() + CACHE_TTL_MS, stored.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) };
        // Evicted meanwhile (revoked, user changed): answer these callers, but remember nothing.
        if (this.finding.get(id) === started) this.remember(id, known);
        return known;
      }).finally(() => {
        if (this.finding.get(id) === started) this.finding.delete(id);
      });
      this.finding.set(id, (finding = started));
    }
    return finding;
  }

  private async findApiToken(token: ParsedToken): Promise<StoredCredential | undefined> {
    const credential = await inTenantTransaction(this.dataSource, token.tenantId, async (tx) => {
      const row = await identityRepository.findCredential(tx, token.credentialId);
      if (row && secretMatches(token.secret, row.secretHash)) await identityRepository.touchToken(tx, row.id);
      return row;
    });
    if (!credential) return undefined;
    const stored = (principal: StoredCredential['principal']): StoredCredential => ({ secretHash: credential.secretHash, principal, expiresAt: credential.expiresAt });
    if (credential.revokedAt) return stored({ refused: 'Token revoked' });
    if (credential.expiresAt && credential.expiresAt.getTime() <= Date.now()) return stored({ refused: 'Token expired' });
    if (credential.principalKind !== 'STAFF_USER' || !credential.userId || !credential.userActive) return stored({ refused: 'Invalid token' });
    return stored({
      kind: 'STAFF_USER',
      tenantId: token.tenantId,
      credentialId: credential.id,
      userId: credential.userId,
      roles: credential.roles ?? [],
      permissions: credential.permissions ?? [],
    });
  }

  private async recheckApiToken(principal: Principal): Promise<boolean> {
    const credential = await inTenantTransaction(this.dataSource, principal.tenantId, (tx) =>
      identityRepository.findCredential(tx, principal.credentialId),
    );
    return !!credential && !credential.revokedAt && credential.userActive !== false
      && (!credential.expiresAt || credential.expiresAt.getTime() > Date.now());
  }

  private remember(credentialId: string, known: KnownCredential): void {
    if (this.known.size >= CACHE_MAX_ENTRIES) this.known.delete(this.known.keys().next().value as string);
    this.known.set(credentialId, known);
  }

  /** A recheck that started before the revocation may answer from before it: later askers start their own. */
  private evictCredential(credentialId: string): void {
    this.known.delete(credentialId);
    for (const principal of this.rechecking.keys()) if (principal.credentialId === credentialId) this.rechecking.delete(principal);
    this.finding.delete(credentialId);
  }

  private evictUser(userId: string): void {
    const ofUser = (principal: KnownCredential['principal']) => 'kind' in principal && principal.kind === 'STAFF_USER' && principal.userId === userId;
    for (const [key, entry] of this.known) if (ofUser(entry.principal)) this.known.delete(key);
    for (const principal of this.rechecking.keys()) if (ofUser(principal)) this.rechecking.delete(principal);
    // A look-up under way does not know its user yet: let every later one start afresh.
    this.finding.clear();
  }
}
