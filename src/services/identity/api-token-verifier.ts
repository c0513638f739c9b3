import type { CredentialVerifier, StoredCredential } from '../../context/authenticator';
import type { Principal } from '../../context/principal';
import type { TenantDatabase } from '../../db/tenant-database';
import { secretMatches, type ParsedToken } from '../../platform/opaque-token';
import { identityRepository } from './identity.sql';

/**
 * API tokens (`cst_…`) → a STAFF_USER principal. The token is read in the tenant it claims (row-level
 * security applies); its last use is recorded only when the secret matches.
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
      const stored = (principal: StoredCredential['principal']): StoredCredential => ({ secretHash: credential.secretHash, principal, expiresAt: credential.expiresAt });
      if (credential.revokedAt) return stored({ refused: 'Token revoked', reason: 'REVOKED' });
      if (credential.expiresAt && credential.expiresAt.getTime() <= Date.now()) return stored({ refused: 'Token expired', reason: 'EXPIRED' });
      if (credential.principalKind !== 'STAFF_USER' || !credential.userId || !credential.userActive) return stored({ refused: 'Invalid token', reason: 'INVALID' });
      return stored({
        kind: 'STAFF_USER',
        tenantId: token.tenantId,
        credentialId: credential.id,
        userId: credential.userId,
        roles: credential.roles ?? [],
        permissions: credential.permissions ?? [],
      });
    },

    async recheck(principal: Principal): Promise<boolean> {
      const credential = await database.transaction(principal.tenantId, (tx) => identityRepository.findCredential(tx, principal.credentialId));
      return !!credential && !credential.revokedAt && credential.userActive !== false
        && (!credential.expiresAt || credential.expiresAt.getTime() > Date.now());
    },
  };
}
