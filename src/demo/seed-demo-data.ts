import type { CareslotServer } from '../server';
import { issueToken } from '../platform/opaque-token';
import { identityRepository } from '../services/identity/identity.sql';
import { seedDemoAgenda } from './demo-agenda';
import { seedDemoPartners, type DemoPartnerApp } from './demo-partners';

/** Fixed ids make seeding idempotent: a second start finds the tenants instead of adding new ones. */
export const DEMO_TENANTS = [
  { id: '00000000-0000-4000-8000-00000000a001', name: 'Nordhälsa Occupational Health', adminEmail: 'admin@nordhalsa.example', adminName: 'Ingrid Lund' },
  { id: '00000000-0000-4000-8000-00000000b002', name: 'Clínica Salud Iberia', adminEmail: 'admin@saludiberia.example', adminName: 'Lucía Romero' },
] as const;

const DEMO_TOKEN_LABEL = 'demo (printed by npm start)';

export interface DemoData {
  admins: Array<{ tenantName: string; email: string; token: string; partnerApp?: DemoPartnerApp }>;
}

export async function seedDemoData(server: CareslotServer): Promise<DemoData> {
  const database = server.database.tenants;
  const admins: DemoData['admins'] = [];
  for (const tenant of DEMO_TENANTS) {
    const token = await database.transaction(tenant.id, async (tx) => {
      const [existing] = await tx.query<{ id: string }>('SELECT id FROM tenants WHERE id = $1', [tenant.id]);
      if (!existing) await identityRepository.insertTenant(tx, tenant.name);
      const [admin] = await tx.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1 AND email = $2', [tenant.id, tenant.adminEmail]);
      const adminId = admin?.id ?? (await identityRepository.insertUser(tx, {
        email: tenant.adminEmail, displayName: tenant.adminName, roles: ['ADMIN', 'SCHEDULER'], permissions: ['PARTNER_BOOKING'],
      })).id;
      await tx.query('UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = $1 AND label = $2 AND revoked_at IS NULL', [tenant.id, DEMO_TOKEN_LABEL]);
      const issued = issueToken('api', tenant.id);
      await identityRepository.insertToken(tx, {
        id: issued.credentialId, principalKind: 'STAFF_USER', userId: adminId, label: DEMO_TOKEN_LABEL,
        secretHash: issued.secretHash, expiresAt: null, createdBy: null,
      });
      return { token: issued.token, adminId };
    });
    await seedDemoAgenda(server, tenant.id, token.adminId);
    const partnerApp = await seedDemoPartners(server, tenant.id, token.adminId);
    admins.push({ tenantName: tenant.name, email: tenant.adminEmail, token: token.token, partnerApp });
  }
  return { admins };
}
