import { ownPartnerOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import type { PartnerKind } from '../../entities';
import { badInput, notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { mayActForPartners } from '../common/acting-partner';
import { recordAudit } from '../common/audit-log.sql';
import { rowsById } from '../common/loaders';
import { toPage, type Page, type PageRequest } from '../common/pagination';
import { keysetAfter } from '../catalog/catalog-pages';
import { changedFields } from '../catalog/audit-details';
import { isUniqueViolation } from '../catalog/catalog-support.sql';
import { IDENTITY_TOPICS } from '../identity/identity-events';
import type { PartnerFields, PartnerRow } from './partners.model';
import { partnersRepository } from './partners.sql';

export interface NewPartner {
  name: string;
  kind: PartnerKind;
  contactName?: string | null;
  contactEmail?: string | null;
  contactPhone?: string | null;
  active?: boolean;
}

/** Omitted fields keep their value; contact fields are cleared with null. */
export type PartnerChange = { id: string } & Partial<PartnerFields>;

const PARTNER_LOADER = Symbol('partners by id');
export const partnerLoader = (ctx: RequestContext) => rowsById(ctx, PARTNER_LOADER, partnersRepository.findByIds);

/** A tenant has a handful of partners: lists for choosing one are not paginated. */
export const MAX_LISTED = 1000;

const NAME_TAKEN = () => badInput([{ field: 'input.name', problems: ['a partner with this name exists'] }]);

/** Partners of the tenant (seed 001): an ADMIN keeps them; staff read them; a partner principal sees only its own. */
export class PartnersService {
  constructor(private readonly bus: EventBus) {}

  async create(ctx: RequestContext, input: NewPartner): Promise<PartnerRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    try {
      return await ctx.transaction(async (tx) => {
        const partner = await partnersRepository.insert(tx, {
          name: input.name, kind: input.kind, contactName: input.contactName ?? null, contactEmail: input.contactEmail ?? null,
          contactPhone: input.contactPhone ?? null, active: input.active ?? true,
        });
        await recordAudit(ctx, tx, { action: 'partner.created', entityType: 'Partner', entityId: partner.id, details: { kind: partner.kind } });
        return partner;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'partners_tenant_name_key')) throw NAME_TAKEN();
      throw error;
    }
  }

  /** A change of the agreement reaches the partner's users and apps at once (their credentials are looked up again). */
  async update(ctx: RequestContext, change: PartnerChange): Promise<PartnerRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { id, ...fields } = change;
    try {
      const partner = await ctx.transaction(async (tx) => {
        const updated = await partnersRepository.update(tx, id, fields);
        if (!updated) throw notFound('Partner');
        await recordAudit(ctx, tx, { action: 'partner.updated', entityType: 'Partner', entityId: id, details: { changed: changedFields(fields), active: updated.active } });
        tx.afterCommit(() => void this.bus.publish(IDENTITY_TOPICS.partnerChanged, { tenantId: tx.tenantId, partnerId: id }));
        return updated;
      });
      partnerLoader(ctx).clear(id).prime(id, partner);
      return partner;
    } catch (error) {
      if (isUniqueViolation(error, 'partners_tenant_name_key')) throw NAME_TAKEN();
      throw error;
    }
  }

  async partner(ctx: RequestContext, id: string): Promise<PartnerRow> {
    const own = ownPartnerOf(ctx.caller);
    if (own === undefined) requireStaffRole(ctx, STAFF_READERS);
    const partner = own === undefined || own === id ? await partnerLoader(ctx).load(id) : undefined;
    if (!partner) throw notFound('Partner');
    return partner;
  }

  /** For other services: the partner or undefined, whoever asks (they checked the caller's rights). */
  find(ctx: RequestContext, id: string): Promise<PartnerRow | undefined> {
    return partnerLoader(ctx).load(id);
  }

  /** The active partners the caller may book for (viewer.can): all of them for staff with PARTNER_BOOKING, its own for a partner principal. */
  async bookableFor(ctx: RequestContext): Promise<PartnerRow[]> {
    if (!mayActForPartners(ctx.caller)) return [];
    const ownId = ownPartnerOf(ctx.caller);
    if (ownId !== undefined) {
      const own = await partnerLoader(ctx).load(ownId);
      return own?.active ? [own] : [];
    }
    return ctx.transaction((tx) => partnersRepository.list(tx, { limit: MAX_LISTED, activeOnly: true }));
  }

  /** The partner a partner user or app stands for. */
  async ownPartner(ctx: RequestContext): Promise<PartnerRow | undefined> {
    const own = ownPartnerOf(ctx.caller);
    return own === undefined ? undefined : partnerLoader(ctx).load(own);
  }

  async partners(ctx: RequestContext, page: PageRequest & { activeOnly?: boolean }): Promise<Page<PartnerRow>> {
    const own = ownPartnerOf(ctx.caller);
    if (own !== undefined) {
      const partner = page.after ? undefined : await partnerLoader(ctx).load(own);
      return { nodes: partner ? [partner] : [], hasNextPage: false };
    }
    requireStaffRole(ctx, STAFF_READERS);
    const rows = await ctx.transaction((tx) => partnersRepository.list(tx, { limit: page.first + 1, after: keysetAfter(page.after), activeOnly: page.activeOnly }));
    for (const row of rows) partnerLoader(ctx).prime(row.id, row);
    return toPage(rows, page.first, (row) => [row.name, row.id]);
  }
}
