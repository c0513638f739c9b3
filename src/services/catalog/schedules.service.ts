import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { badInput, notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { toPage, type Page, type PageRequest } from '../common/pagination';
import { changedFields } from './audit-details';
import { keysetAfter } from './catalog-pages';
import { scheduleLoader, schedulesOfCentreLoader, servicesOfScheduleLoader } from './catalog.loaders';
import type { ScheduleRow, WeeklyHoursInput } from './catalog.model';
import { centresRepository } from './centres.sql';
import { medicalServicesRepository } from './medical-services.sql';
import { assertNoOverlappingHours, toWeeklyHours } from './opening-hours.rules';
import { practitionersRepository } from './practitioners.sql';
import { publishScheduleChanged } from './schedule-events';
import { scheduleHoursRepository } from './schedule-hours.sql';
import { schedulesRepository } from './schedules.sql';

export interface NewSchedule {
  centreId: string;
  practitionerId?: string | null;
  name: string;
  slotMinutes: number;
  serviceIds: string[];
  openingHours?: WeeklyHoursInput[];
}

/** Omitted fields keep their value; practitionerId is cleared with null; serviceIds replaces the whole set. */
export interface ScheduleChange {
  id: string;
  name?: string;
  slotMinutes?: number;
  practitionerId?: string | null;
  serviceIds?: string[];
  active?: boolean;
}

/** Schedules: the bookable agendas of a centre, with the services they offer. */
export class SchedulesService {
  constructor(private readonly bus: EventBus) {}

  async create(ctx: RequestContext, input: NewSchedule): Promise<ScheduleRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const hours = toWeeklyHours(input.openingHours ?? []);
    assertOffersServices(input.serviceIds);
    assertNoOverlappingHours(hours, 'input.openingHours');
    const schedule = await ctx.transaction(async (tx) => {
      if (!(await centresRepository.find(tx, input.centreId))) throw notFound('Centre');
      await assertPractitionerExists(tx, input.practitionerId);
      await assertServicesExist(tx, input.serviceIds);
      const created = await schedulesRepository.insert(tx, {
        centreId: input.centreId, practitionerId: input.practitionerId ?? null, name: input.name, slotMinutes: input.slotMinutes, active: true,
      });
      await schedulesRepository.replaceServices(tx, created.id, input.serviceIds);
      await scheduleHoursRepository.replaceOpeningHours(tx, created.id, hours);
      await recordAudit(ctx, tx, {
        action: 'schedule.created', entityType: 'Schedule', entityId: created.id,
        details: { centreId: created.centreId, practitionerId: created.practitionerId, serviceIds: input.serviceIds, openingHours: hours.length },
      });
      publishScheduleChanged(tx, this.bus, created);
      return created;
    });
    schedulesOfCentreLoader(ctx).clear(schedule.centreId);
    return schedule;
  }

  async update(ctx: RequestContext, change: ScheduleChange): Promise<ScheduleRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { id, serviceIds, ...fields } = change;
    if (serviceIds !== undefined) assertOffersServices(serviceIds);
    const schedule = await ctx.transaction(async (tx) => {
      if (!(await schedulesRepository.find(tx, id))) throw notFound('Schedule');
      await assertPractitionerExists(tx, fields.practitionerId);
      const updated = (await schedulesRepository.update(tx, id, fields))!;
      if (serviceIds !== undefined) {
        await assertServicesExist(tx, serviceIds);
        await schedulesRepository.replaceServices(tx, id, serviceIds);
      }
      await recordAudit(ctx, tx, {
        action: 'schedule.updated', entityType: 'Schedule', entityId: id,
        details: { changed: changedFields(change).filter((field) => field !== 'id'), practitionerId: updated.practitionerId, serviceIds },
      });
      publishScheduleChanged(tx, this.bus, updated);
      return updated;
    });
    // A later mutation of the same request must read what this one wrote, not what was cached before it.
    scheduleLoader(ctx).clear(id).prime(id, schedule);
    servicesOfScheduleLoader(ctx).clear(id);
    schedulesOfCentreLoader(ctx).clear(schedule.centreId);
    return schedule;
  }

  async schedule(ctx: RequestContext, id: string): Promise<ScheduleRow> {
    requireStaffRole(ctx, STAFF_READERS);
    return this.get(ctx, id);
  }

  /** The schedule or NOT_FOUND, for other services; the caller checks the rights. */
  async get(ctx: RequestContext, id: string): Promise<ScheduleRow> {
    const schedule = await scheduleLoader(ctx).load(id);
    if (!schedule) throw notFound('Schedule');
    return schedule;
  }

  async schedulesOfCentre(ctx: RequestContext, centreId: string, page: PageRequest): Promise<Page<ScheduleRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = keysetAfter(page.after);
    const rows = await ctx.transaction(async (tx) => {
      if (!(await centresRepository.find(tx, centreId))) throw notFound('Centre');
      return schedulesRepository.listOfCentre(tx, centreId, { limit: page.first + 1, after });
    });
    for (const row of rows) scheduleLoader(ctx).prime(row.id, row);
    return toPage(rows, page.first, (row) => [row.name, row.id]);
  }
}

async function assertPractitionerExists(tx: Tx, practitionerId: string | null | undefined): Promise<void> {
  if (practitionerId && !(await practitionersRepository.find(tx, practitionerId))) throw notFound('Practitioner');
}

async function assertServicesExist(tx: Tx, serviceIds: readonly string[]): Promise<void> {
  const found = await medicalServicesRepository.findByIds(tx, serviceIds);
  if (found.length !== new Set(serviceIds).size) throw notFound('Service');
}

function assertOffersServices(serviceIds: readonly string[]): void {
  if (serviceIds.length === 0) throw badInput([{ field: 'input.serviceIds', problems: ['a schedule offers at least one service'] }]);
}
