import { randomUUID } from 'node:crypto';
import type { Principal } from '../context/principal';
import { RequestContext } from '../context/request-context';
import type { PartnerKind } from '../entities';
import { issueToken } from '../platform/opaque-token';
import type { CareslotServer } from '../server';
import type { Services } from '../services';
import { identityRepository } from '../services/identity/identity.sql';
import type { PartnerRow } from '../services/partners/partners.model';

/** Each demo tenant's partners (seed 001) and the service codes activated for them at every centre. */
interface DemoPartner {
  name: string;
  kind: PartnerKind;
  contactEmail: string;
  serviceCodes: string[];
}

const DEMO_PARTNERS: Record<string, DemoPartner[]> = {
  '00000000-0000-4000-8000-00000000a001': [
    { name: 'Trygghet Försäkring', kind: 'INSURER', contactEmail: 'partners@trygghet.example', serviceCodes: ['HEALTH-CHECK', 'AUDIOMETRY'] },
    { name: 'Boka Vård Portal', kind: 'BOOKING_PORTAL', contactEmail: 'integration@bokavard.example', serviceCodes: ['VACCINATION'] },
  ],
  '00000000-0000-4000-8000-00000000b002': [
    { name: 'Seguros Aurora', kind: 'INSURER', contactEmail: 'socios@aurora.example', serviceCodes: ['HEALTH-CHECK', 'SPIROMETRY'] },
    { name: 'CitaFácil', kind: 'BOOKING_PORTAL', contactEmail: 'api@citafacil.example', serviceCodes: ['VACCINATION', 'AUDIOMETRY'] },
  ],
};

const PARTNER_APP_TOKEN_LABEL = 'demo partner app (printed by npm start)';

export interface DemoPartnerApp {
  partnerName: string;
  token: string;
}

/**
 * Two partners per demo tenant with channels at every centre, added once; and a fresh partner-app
 * token for the first partner at every start (the earlier one is revoked), for the banner.
 */
export async function seedDemoPartners(server: CareslotServer, tenantId: string, adminUserId: string): Promise<DemoPartnerApp | undefined> {
  const demo = DEMO_PARTNERS[tenantId];
  if (!demo) return undefined;
  const principal: Principal = { kind: 'STAFF_USER', tenantId, credentialId: randomUUID(), userId: adminUserId, roles: ['ADMIN'], permissions: [] };
  const ctx = new RequestContext(server.database.tenants, principal, server.logger);
  const existing = (await server.services.partners.partners(ctx, { first: 100 })).nodes;
  const first = existing.find((partner) => partner.name === demo[0].name) ?? await addDemoPartners(ctx, server.services, demo);
  if (!existing.length) await openDemoDataAccess(server, { ...principal, roles: ['CLINIC_HEAD'] }, first.id);
  const token = await ctx.transaction(async (tx) => {
    await tx.query('UPDATE api_tokens SET revoked_at = now() WHERE tenant_id = $1 AND label = $2 AND revoked_at IS NULL', [tenantId, PARTNER_APP_TOKEN_LABEL]);
    const issued = issueToken('api', tenantId);
    await identityRepository.insertToken(tx, {
      id: issued.credentialId, principalKind: 'PARTNER_APP', userId: null, partnerId: first.id, label: PARTNER_APP_TOKEN_LABEL,
      secretHash: issued.secretHash, expiresAt: null, createdBy: null,
    });
    return issued.token;
  });
  return { partnerName: first.name, token };
}

/**
 * Seed 002 for the first partner: the clinic head opens the data to it, and the demo dates the
 * opening a day back so the partner app's feed (GraphiQL's PartnerFeed tab) answers at once.
 */
async function openDemoDataAccess(server: CareslotServer, clinicHead: Principal, partnerId: string): Promise<void> {
  const ctx = new RequestContext(server.database.tenants, clinicHead, server.logger);
  await server.services.partnerDataAccess.open(ctx, partnerId);
  await ctx.transaction((tx) => tx.query(
    `UPDATE partner_data_access SET opened_at = opened_at - interval '25 hours' WHERE tenant_id = $1 AND partner_id = $2`, [tx.tenantId, partnerId],
  ));
}

/** The partners, and at every centre a channel for each of their services. */
async function addDemoPartners(ctx: RequestContext, services: Services, wanted: DemoPartner[]): Promise<PartnerRow> {
  const created: PartnerRow[] = [];
  for (const { serviceCodes: _codes, ...partner } of wanted) created.push(await services.partners.create(ctx, partner));
  const offered = (await services.catalog.medicalServices.services(ctx, { first: 100 })).nodes;
  const rows = offered.map((service) => ({
    serviceId: service.id,
    partnerIds: created.filter((_partner, i) => wanted[i].serviceCodes.includes(service.code)).map((partner) => partner.id),
  }));
  for (const centre of (await services.catalog.centres.centres(ctx, { first: 100 })).nodes) {
    await services.trafficChannels.replace(ctx, { centreId: centre.id, rows });
  }
  return created[0];
}
