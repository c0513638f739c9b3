import { randomUUID } from 'node:crypto';
import type { TenantDatabase } from '../../db/tenant-database';
import { issueToken } from '../../platform/opaque-token';
import { OPERATOR, writeAudit } from '../common/audit-log.sql';
import { identityRepository } from './identity.sql';

export interface ProvisionedTenant {
  tenantId: string;
  adminUserId: string;
  adminToken: string;
}

/**
 * Operators create tenants (no HTTP sign-up): the tenant, its first ADMIN and that admin's token,
 * in one transaction. Runs as the app role: row-level security admits the new tenant's own rows only.
 */
export async function provisionTenant(
  database: TenantDatabase,
  input: { name: string; adminEmail: string; adminName: string },
): Promise<ProvisionedTenant> {
  const tenantId = randomUUID();
  return database.transaction(tenantId, async (tx) => {
    await identityRepository.insertTenant(tx, input.name);
    const admin = await identityRepository.insertUser(tx, {
      email: input.adminEmail.toLowerCase(), displayName: input.adminName, roles: ['ADMIN'], permissions: [],
    });
    const issued = issueToken('api', tenantId);
    await identityRepository.insertToken(tx, {
      id: issued.credentialId, principalKind: 'STAFF_USER', userId: admin.id, label: 'first admin (provisioning)',
      secretHash: issued.secretHash, expiresAt: null, createdBy: null,
    });
    await writeAudit(tx, OPERATOR, { action: 'tenant.provisioned', entityType: 'Tenant', entityId: tenantId });
    return { tenantId, adminUserId: admin.id, adminToken: issued.token };
  });
}
