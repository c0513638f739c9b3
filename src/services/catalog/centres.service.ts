import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { toPage, type Page, type PageRequest } from '../common/pagination';
import { keysetAfter } from './catalog-pages';
import { centreLoader } from './catalog.loaders';
import type { Address, CentreRow } from './catalog.model';
import { centresRepository } from './centres.sql';
import { publishScheduleChanged } from './schedule-events';
import { schedulesRepository } from './schedules.sql';
import { canonicalTimeZone } from './time-zones';
import { changedFields } from './audit-details';

export interface NewCentre {
  name: string;
  timeZone: string;
  hsaId?: string | null;
  address?: Address | null;
  offline?: boolean;
}

/** Omitted fields keep their value; hsaId and address are cleared with null. */
export interface CentreChange {
  id: string;
  name?: string;
  timeZone?: string;
  hsaId?: string | null;
  address?: Address | null;
  offline?: boolean;
}

export class CentresService {
  constructor(private readonly bus: EventBus) {}

  async create(ctx: RequestContext, input: NewCentre): Promise<CentreRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const centre = await centresRepository.insert(tx, {
        name: input.name, timeZone: canonicalTimeZone(input.timeZone), hsaId: input.hsaId ?? null,
        address: input.address ?? null, offline: input.offline ?? false,
      });
      await recordAudit(ctx, tx, { action: 'centre.created', entityType: 'Centre', entityId: centre.id, details: { timeZone: centre.timeZone } });
      return centre;
    });
  }

  async update(ctx: RequestContext, change: CentreChange): Promise<CentreRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { id, ...fields } = change;
    if (fields.timeZone !== undefined) fields.timeZone = canonicalTimeZone(fields.timeZone);
    const centre = await ctx.transaction(async (tx) => {
      const before = await centresRepository.find(tx, id);
      if (!before) throw notFound('Centre');
      const updated = (await centresRepository.update(tx, id, fields))!;
      await recordAudit(ctx, tx, { action: 'centre.updated', entityType: 'Centre', entityId: id, details: { changed: changedFields(fields) } });
      // Opening hours are local times: a new zone moves every schedule of the centre.
      if (updated.timeZone !== before.timeZone) {
        for (const scheduleId of await schedulesRepository.idsOfCentre(tx, id)) publishScheduleChanged(tx, this.bus, { centreId: id, id: scheduleId });
      }
      return updated;
    });
    centreLoader(ctx).clear(centre.id).prime(centre.id, centre);
    return centre;
  }

  async centre(ctx: RequestContext, id: string): Promise<CentreRow> {
    requireStaffRole(ctx, STAFF_READERS);
    return this.get(ctx, id);
  }

  /** The centre or NOT_FOUND, for other services; the caller checks the rights. */
  async get(ctx: RequestContext, id: string): Promise<CentreRow> {
    const centre = await centreLoader(ctx).load(id);
    if (!centre) throw notFound('Centre');
    return centre;
  }

  async centres(ctx: RequestContext, page: PageRequest): Promise<Page<CentreRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = keysetAfter(page.after);
    const rows = await ctx.transaction((tx) => centresRepository.list(tx, { limit: page.first + 1, after }));
    for (const row of rows) centreLoader(ctx).prime(row.id, row);
    return toPage(rows, page.first, (row) => [row.name, row.id]);
  }
}
