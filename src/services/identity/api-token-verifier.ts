import type { CredentialVerifier, Refused, StoredCredential } from '../../context/authenticator';
import type { Principal } from '../../context/principal';
import type { TenantDatabase } from '../../db/tenant-database';
import { secretMatches, type ParsedToken } from '../../platform/opaque-token';
import type { CredentialRow } from './identity.model';
import { identityRepository } from './identity.sql';

/**
 * API tokens (`cst_…`) → a STAFF_USER, PARTNER_USER or PARTNER_APP principal. The token is read in
 * the tenant it claims (row-level security applies); its last use is recorded only when the secret
 * matches. A disabled user or an inactive partner makes its tokens invalid.
 */
export function apiTokenVerifier(database: TenantDatabase): CredentialVerifier {
  return {
    async find(token: ParsedToken): Promise<StoredCredential | undefined> {
      const credential = await database.transaction(token.tenantId, async (tx) => {
        const row = await identityRepository.findCredential(tx, token.credentialId);
        if (row && secretMatches(token.secret, row.secretHash)) await identityRepository.touchToken(tx, row.id);
        return row;
      });
      if (!credential) return undefined;
      return { secretHash: credential.secretHash, principal: principalOf(credential, token.tenantId), expiresAt: credential.expiresAt };
    },

    async recheck(principal: Principal): Promise<boolean> {
      const credential = await database.transaction(principal.tenantId, (tx) => identityRepository.findCredential(tx, principal.credentialId));
      return !!credential && 'kind' in principalOf(credential, principal.tenantId);
    },
  };
}

function principalOf(credential: CredentialRow, tenantId: string): Principal | Refused {
  if (credential.revokedAt) return { refused: 'Token revoked', reason: 'REVOKED' };
  if (credential.expiresAt && credential.expiresAt.getTime() <= Date.now()) return { refused: 'Token expired', reason: 'EXPIRED' };
  const invalid: Refused = {
    refused: 'Invalid token', reason: 'INVALID',
    owner: { userId: credential.userId ?? undefined, partnerId: credential.partnerId ?? credential.userPartnerId ?? undefined },
  };
  const base = { tenantId, credentialId: credential.id };
  if (credential.principalKind === 'PARTNER_APP') {
    return credential.partnerId && credential.partnerActive ? { ...base, kind: 'PARTNER_APP', partnerId: credential.partnerId } : invalid;
  }
  if (!credential.userId || !credential.userActive) return invalid;
  const permissions = credential.permissions ?? [];
  if (credential.userPartnerId) {
    return credential.partnerActive ? { ...base, kind: 'PARTNER_USER', userId: credential.userId, partnerId: credential.userPartnerId, permissions } : invalid;
  }
  return { ...base, kind: 'STAFF_USER', userId: credential.userId, roles: credential.roles ?? [], permissions };
}
