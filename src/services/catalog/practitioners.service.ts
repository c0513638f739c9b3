import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { publishPartnerFeedTouchedAfterCommit } from '../common/partner-feed-topic';
import { notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { toPage, type Page, type PageRequest } from '../common/pagination';
import { changedFields } from './audit-details';
import { keysetAfter } from './catalog-pages';
import { practitionerLoader } from './catalog.loaders';
import type { PractitionerRow } from './catalog.model';
import { practitionersRepository } from './practitioners.sql';

export interface NewPractitioner {
  name: string;
  qualifications?: string[];
  dataSharingBanned?: boolean;
}

/** Omitted fields keep their value. */
export interface PractitionerChange {
  id: string;
  name?: string;
  qualifications?: string[];
  dataSharingBanned?: boolean;
}

export class PractitionersService {
  /** `bus` wakes partners' data feeds when a ban or a name changes what they are shown. */
  constructor(private readonly bus: EventBus) {}

  async create(ctx: RequestContext, input: NewPractitioner): Promise<PractitionerRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const practitioner = await practitionersRepository.insert(tx, {
        name: input.name, qualifications: input.qualifications ?? [], dataSharingBanned: input.dataSharingBanned ?? false,
      });
      await recordAudit(ctx, tx, {
        action: 'practitioner.created', entityType: 'Practitioner', entityId: practitioner.id,
        details: { qualifications: practitioner.qualifications, dataSharingBanned: practitioner.dataSharingBanned },
      });
      return practitioner;
    });
  }

  async update(ctx: RequestContext, change: PractitionerChange): Promise<PractitionerRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { id, ...fields } = change;
    const practitioner = await ctx.transaction(async (tx) => {
      const updated = await practitionersRepository.update(tx, id, fields);
      if (!updated) throw notFound('Practitioner');
      await recordAudit(ctx, tx, {
        action: 'practitioner.updated', entityType: 'Practitioner', entityId: id,
        details: { changed: changedFields(fields), qualifications: updated.qualifications, dataSharingBanned: updated.dataSharingBanned },
      });
      if (fields.dataSharingBanned !== undefined || fields.name !== undefined) publishPartnerFeedTouchedAfterCommit(tx, this.bus);
      return updated;
    });
    practitionerLoader(ctx).clear(id).prime(id, practitioner);
    return practitioner;
  }

  async practitioners(ctx: RequestContext, page: PageRequest & { qualification?: string }): Promise<Page<PractitionerRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = keysetAfter(page.after);
    const rows = await ctx.transaction((tx) =>
      practitionersRepository.list(tx, { limit: page.first + 1, after, qualification: page.qualification }),
    );
    return toPage(rows, page.first, (row) => [row.name, row.id]);
  }
}
