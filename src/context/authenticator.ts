import { timingSafeEqual } from 'node:crypto';
import { ownPartnerOf, userIdOf, type Principal } from './principal';
import { unauthenticated, type CredentialRefusal } from '../platform/errors';
import { parseToken, secretMatches, type ParsedToken, type TokenKind } from '../platform/opaque-token';

/** Finds one kind of credential where it is stored: each feature that issues tokens brings its own. */
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

/** A credential that exists but may not act now, and why (the message is for people, the reason for programs). */
export interface Refused {
  refused: string;
  reason: CredentialRefusal;
  /** Whose credential it is, so that re-enabling that user or partner clears the refusal at once. */
  owner?: CredentialOwner;
}

/** The user and partner a credential acts as, where it has them. */
export interface CredentialOwner {
  userId?: string;
  partnerId?: string;
}

const ownerOf = (principal: Principal | Refused): CredentialOwner =>
  'refused' in principal ? principal.owner ?? {} : { userId: userIdOf(principal), partnerId: ownPartnerOf(principal) };

export interface StoredCredential {
  secretHash: Buffer;
  /** The principal the credential stands for, or why it may not act now (revoked, expired, disabled). */
  principal: Principal | Refused;
  expiresAt: Date | null;
}

interface KnownCredential {
  secretHash: Buffer;
  principal: Principal | Refused;
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

const TOKEN_KIND_OF: Record<Principal['kind'], TokenKind> = { STAFF_USER: 'api', PARTNER_USER: 'api', PARTNER_APP: 'api', PEER_SERVER: 'shareLink' };

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Bearer token → principal. Verified principals are cached briefly; whoever learns of a revocation
 * or an access change (identity's events, on every instance) evicts them, so it takes effect at once.
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
  private readonly verifiers: ReadonlyMap<TokenKind, CredentialVerifier>;

  constructor(verifiers: Record<TokenKind, CredentialVerifier>) {
    this.verifiers = new Map(Object.entries(verifiers) as Array<[TokenKind, CredentialVerifier]>);
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
    if ('refused' in known.principal) throw unauthenticated(known.principal.refused, known.principal.reason);
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

  private remember(credentialId: string, known: KnownCredential): void {
    if (this.known.size >= CACHE_MAX_ENTRIES) this.known.delete(this.known.keys().next().value as string);
    this.known.set(credentialId, known);
  }

  /** A recheck that started before the revocation may answer from before it: later askers start their own. */
  evictCredential(credentialId: string): void {
    this.known.delete(credentialId);
    for (const principal of this.rechecking.keys()) if (principal.credentialId === credentialId) this.rechecking.delete(principal);
    this.finding.delete(credentialId);
  }

  /** The user's roles changed, or the user was disabled or enabled: every credential of theirs is looked up again. */
  evictUser(userId: string): void {
    this.evictWhere((owner) => owner.userId === userId);
  }

  /** A partner was changed (deactivated, activated): its users' and apps' credentials are looked up again. */
  evictPartner(partnerId: string): void {
    this.evictWhere((owner) => owner.partnerId === partnerId);
  }

  /** Refusals too: a credential refused because its user or partner was disabled works again once they are enabled. */
  private evictWhere(matches: (owner: CredentialOwner) => boolean): void {
    for (const [key, entry] of this.known) if (matches(ownerOf(entry.principal))) this.known.delete(key);
    for (const principal of this.rechecking.keys()) if (matches(ownerOf(principal))) this.rechecking.delete(principal);
    // A look-up under way does not know whom it stands for yet: let every later one start afresh.
    this.finding.clear();
  }
}
