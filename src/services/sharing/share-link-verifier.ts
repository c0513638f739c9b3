import type { TenantDatabase } from '../../db/tenant-database';
import type { PeerServerPrincipal, Principal } from '../../context/principal';
import type { ParsedToken } from '../../platform/opaque-token';
import type { CredentialVerifier, StoredCredential } from '../../context/authenticator';
import { provedCurrentSecret, rememberVerifiedSecret } from './peer-credentials';
import { sharesRepository } from './shares.sql';

/**
 * Shared link tokens (`csl_…`) → a PEER_SERVER principal of the sharing tenant. The share is read
 * in the tenant the token claims (row-level security applies); the Authenticator compares the
 * secret in constant time before anything is revealed. Register with `authenticator.registerVerifier('shareLink', …)`.
 */
export function shareLinkVerifier(database: TenantDatabase): CredentialVerifier {
  return {
    async find(token: ParsedToken): Promise<StoredCredential | undefined> {
      const share = await database.transaction(token.tenantId, (tx) => sharesRepository.findCredential(tx, token.credentialId));
      if (!share) return undefined;
      if (share.revokedAt) return { secretHash: share.secretHash, principal: { refused: 'Share revoked', reason: 'REVOKED' }, expiresAt: null };
      const principal: PeerServerPrincipal = { kind: 'PEER_SERVER', tenantId: token.tenantId, credentialId: share.id, shareId: share.id };
      // Handed out only to callers whose secret matches this hash: so this is the secret it proved.
      rememberVerifiedSecret(principal, share.secretHash);
      return { secretHash: share.secretHash, principal, expiresAt: null };
    },

    async recheck(principal: Principal): Promise<boolean> {
      if (principal.kind !== 'PEER_SERVER') return false;
      const share = await database.transaction(principal.tenantId, (tx) => sharesRepository.findCredential(tx, principal.shareId));
      return isStillValid(principal, share);
    },
  };
}

/** Not revoked, and the secret the principal proved is still the share's secret (no rotation since). */
export function isStillValid(principal: Principal, share: { secretHash: Buffer; revokedAt: Date | null } | undefined): boolean {
  return !!share && !share.revokedAt && provedCurrentSecret(principal, share.secretHash);
}
