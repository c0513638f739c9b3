import type { DataSource } from 'typeorm';
import type { Principal } from '../../context/principal';
import { inTenantTransaction } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { unauthenticated } from '../../platform/errors';
import { parseToken, secretMatches, type ParsedToken, type TokenKind } from '../../platform/opaque-token';
import { identityRepository } from './identity.repository';

export const IDENTITY_TOPICS = {
  credentialRevoked: 'identity.credential-revoked',
  userChanged: 'identity.user-changed',
} as const;

/** Verifies one kind of credential against the database; share links plug in their own. */
export interface CredentialVerifier {
  /** The principal the token stands for, or UNAUTHENTICATED. */
  verify(token: ParsedToken): Promise<VerifiedCredential>;
  /** Whether a principal verified earlier may still act (not revoked, expired or disabled). */
  recheck(principal: Principal): Promise<boolean>;
}

export interface VerifiedCredential {
  principal: Principal;
  expiresAt: Date | null;
}

interface CachedPrincipal {
  principal: Principal;
  secret: string;
  /** Cache entry lifetime, capped by the token's own expiry. */
  validUntil: number;
}

const TOKEN_KIND_OF: Record<Principal['kind'], TokenKind> = { STAFF_USER: 'api', PARTNER_APP: 'api', PEER_SERVER: 'shareLink' };

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Bearer token → principal. Verified principals are cached briefly; a revocation or an access
 * change evicts them on every instance through the event bus, so revocation takes effect at once.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedPrincipal>();
  /**
   * Verifications and rechecks under way. A burst of connections with one token would otherwise
   * verify it once each and hold as many principal objects, none of them the cached one, so that
   * every later event rechecked each of them against the database; an event fanned out to
   * thousands of subscribers of one principal likewise asks the database once, not once each.
   */
  private readonly verifying = new Map<string, Promise<VerifiedCredential>>();
  private readonly rechecking = new Map<Principal, Promise<boolean>>();
  private readonly verifiers = new Map<TokenKind, CredentialVerifier>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly dataSource: DataSource, bus: EventBus) {
    this.verifiers.set('api', {
      verify: (token) => this.verifyApiToken(token),
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

  /** `Authorization` header value (or graphql-ws connectionParams) → principal, or UNAUTHENTICATED. */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    if (authorization === undefined || authorization === '') return undefined;
    const match = /^Bearer ([^\s]+)$/.exec(authorization.trim());
    if (!match) throw unauthenticated('Malformed Authorization header: expected "Bearer <token>"');
    const token = parseToken(match[1]);
    if (!token) throw unauthenticated('Invalid token');
    const cached = this.cache.get(token.credentialId);
    if (cached && cached.validUntil > Date.now() && cached.secret === token.secret) return cached.principal;
    const verifier = this.verifiers.get(token.kind);
    if (!verifier) throw unauthenticated('Invalid token');
    // Keyed by the whole token: a wrong secret must never join the verification of the right one.
    const key = `${token.credentialId}\u0000${token.secret}`;
    let verifying = this.verifying.get(key);
    if (!verifying) {
      const started: Promise<VerifiedCredential> = verifier.verify(token).then((verified) => {
        // Evicted meanwhile (revoked, user changed): answer this caller, but cache nothing.
        if (this.verifying.get(key) === started) this.remember(token, verified);
        return verified;
      }).finally(() => {
        if (this.verifying.get(key) === started) this.verifying.delete(key);
      });
      this.verifying.set(key, (verifying = started));
    }
    return (await verifying).principal;
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
    const cached = this.cache.get(principal.credentialId);
    // Only this very principal: after a rotation the new token's entry must not vouch for the old one.
    return cached !== undefined && cached.principal === principal && cached.validUntil > Date.now();
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
    this.cache.clear();
  }

  private async verifyApiToken(token: ParsedToken): Promise<VerifiedCredential> {
    const credential = await inTenantTransaction(this.dataSource, token.tenantId, async (tx) => {
      const row = await identityRepository.findCredential(tx, token.credentialId);
      if (row && secretMatches(token.secret, row.secretHash)) await identityRepository.touchToken(tx, row.id);
      return row;
    });
    if (!credential || !secretMatches(token.secret, credential.secretHash)) throw unauthenticated('Invalid token');
    if (credential.revokedAt) throw unauthenticated('Token revoked');
    if (credential.expiresAt && credential.expiresAt.getTime() <= Date.now()) throw unauthenticated('Token expired');
    if (credential.principalKind !== 'STAFF_USER' || !credential.userId || !credential.userActive) {
      throw unauthenticated('Invalid token');
    }
    const principal: Principal = {
      kind: 'STAFF_USER',
      tenantId: token.tenantId,
      credentialId: credential.id,
      userId: credential.userId,
      roles: credential.roles ?? [],
      permissions: credential.permissions ?? [],
    };
    return { principal, expiresAt: credential.expiresAt };
  }

  private async recheckApiToken(principal: Principal): Promise<boolean> {
    const credential = await inTenantTransaction(this.dataSource, principal.tenantId, (tx) =>
      identityRepository.findCredential(tx, principal.credentialId),
    );
    return !!credential && !credential.revokedAt && credential.userActive !== false
      && (!credential.expiresAt || credential.expiresAt.getTime() > Date.now());
  }

  private remember(token: ParsedToken, verified: VerifiedCredential): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    const validUntil = Math.min(Date.now() + CACHE_TTL_MS, verified.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    this.cache.set(token.credentialId, { principal: verified.principal, secret: token.secret, validUntil });
  }

  /** A recheck that started before the revocation may answer from before it: later askers start their own. */
  private evictCredential(credentialId: string): void {
    this.cache.delete(credentialId);
    for (const principal of this.rechecking.keys()) if (principal.credentialId === credentialId) this.rechecking.delete(principal);
    for (const key of this.verifying.keys()) if (key.startsWith(`${credentialId}\u0000`)) this.verifying.delete(key);
  }

  private evictUser(userId: string): void {
    const ofUser = (principal: Principal) => principal.kind === 'STAFF_USER' && principal.userId === userId;
    for (const [key, entry] of this.cache) if (ofUser(entry.principal)) this.cache.delete(key);
    for (const principal of this.rechecking.keys()) if (ofUser(principal)) this.rechecking.delete(principal);
    // A verification under way does not know its user yet: let every later one start afresh.
    this.verifying.clear();
  }
}
